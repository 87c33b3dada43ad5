using NetTopologySuite;
using NetTopologySuite.Geometries;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;

namespace IdlibLedger.Spatial;

/// <summary>
/// Areas and lengths in metres (docs/domain.md, "Measuring areas"): geometries are projected from WGS 84 to UTM zone 37N
/// (EPSG:32637, where Idlib lies) with ProjNET, never measured in degrees.
/// </summary>
public static class Metric
{
    public const int Utm37NSrid = 32637;

    /// <summary>Mean Earth radius (IUGG), for great-circle distances.</summary>
    public const double EarthRadiusKm = 6371.0088;

    // The forward transverse Mercator keeps no state between calls, so one instance serves every thread.
    private static readonly MathTransform ToUtm = new CoordinateTransformationFactory()
        .CreateFromCoordinateSystems(GeographicCoordinateSystem.WGS84, ProjectedCoordinateSystem.WGS84_UTM(37, true))
        .MathTransform;

    private static readonly GeometryFactory UtmFactory =
        NtsGeometryServices.Instance.CreateGeometryFactory(new PrecisionModel(), Utm37NSrid);

    /// <summary>A projected copy (SRID 32637, metres); the WGS 84 geometry is left as it was.</summary>
    public static Geometry ToUtm37N(Geometry wgs84)
    {
        ArgumentNullException.ThrowIfNull(wgs84);
        if (wgs84.SRID is not (Wgs84.Srid or 0 or -1))
        {
            throw new ArgumentException($"a WGS 84 geometry (SRID {Wgs84.Srid}) was expected, not SRID {wgs84.SRID}", nameof(wgs84));
        }

        // CreateGeometry copies every coordinate sequence, so projecting in place touches only the copy.
        var utm = UtmFactory.CreateGeometry(wgs84);
        utm.Apply(new ProjectToUtm());
        return utm;
    }

    public static double AreaKm2(Geometry wgs84) => ToUtm37N(wgs84).Area / 1_000_000;

    public static double LengthKm(Geometry wgs84) => ToUtm37N(wgs84).Length / 1_000;

    /// <summary>
    /// Great-circle (haversine, mean Earth radius 6371.0088 km) distance in km and initial bearing in degrees
    /// (0 = north, clockwise, in [0, 360)) from <paramref name="from"/> to <paramref name="to"/>.
    /// </summary>
    public static (double Km, double BearingDegrees) DistanceAndBearing(Point from, Point to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (from.IsEmpty || to.IsEmpty)
        {
            throw new ArgumentException("distance and bearing need two non-empty points");
        }

        var (lat1, lat2) = (Radians(from.Y), Radians(to.Y));
        var dLat = lat2 - lat1;
        var dLon = Radians(to.X - from.X);

        var a = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) + (Math.Cos(lat1) * Math.Cos(lat2) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        var km = 2 * EarthRadiusKm * Math.Atan2(Math.Sqrt(a), Math.Sqrt(1 - a));

        var theta = Math.Atan2(Math.Sin(dLon) * Math.Cos(lat2), (Math.Cos(lat1) * Math.Sin(lat2)) - (Math.Sin(lat1) * Math.Cos(lat2) * Math.Cos(dLon)));
        var bearing = ((theta * 180 / Math.PI) + 360) % 360;
        return (km, bearing);
    }

    private static double Radians(double degrees) => degrees * Math.PI / 180;

    private sealed class ProjectToUtm : IEntireCoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq)
        {
            for (var i = 0; i < seq.Count; i++)
            {
                var (x, y) = ToUtm.Transform(seq.GetX(i), seq.GetY(i));
                seq.SetX(i, x);
                seq.SetY(i, y);
            }
        }
    }
}
