using NetTopologySuite;
using NetTopologySuite.Geometries;

namespace IdlibLedger.Spatial;

/// <summary>WGS 84 (EPSG:4326) positions as GeoJSON carries them: longitude first.</summary>
public static class Wgs84
{
    public const int Srid = 4326;

    public static GeometryFactory Factory { get; } =
        NtsGeometryServices.Instance.CreateGeometryFactory(new PrecisionModel(PrecisionModel.MaximumPreciseValue), Srid);

    public static Point Point(double longitude, double latitude) =>
        Factory.CreatePoint(new Coordinate(longitude, latitude));
}
