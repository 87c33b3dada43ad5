using NetTopologySuite.Geometries;

namespace IdlibLedger.Spatial;

/// <summary>
/// One thing wrong with a GeoJSON geometry. <see cref="Path"/> is relative to the geometry object, in JSON-path style
/// the service appends to the field name: "" (the geometry as a whole), "type", "coordinates", "coordinates[0]",
/// "coordinates[0][3]", "coordinates[0][3][1]" (an axis), "coordinates[1][0]" (a MultiPolygon's second polygon's outer ring).
/// </summary>
public sealed record GeometryDefect(string Path, string Message);

/// <summary>The GeoJSON geometry types a field accepts.</summary>
[Flags]
public enum GeometryKinds
{
    Point = 1,
    LineString = 2,
    MultiLineString = 4,
    Polygon = 8,
    MultiPolygon = 16,
    Lines = LineString | MultiLineString,
    Areas = Polygon | MultiPolygon,
}

/// <summary>The limits a geometry must respect (docs/domain.md, "Geometry"; configurable by the service).</summary>
public sealed record GeometryRules
{
    /// <summary>Positions in the whole geometry, counting each ring's closing position.</summary>
    public int MaxVertices { get; init; } = 10_000;

    /// <summary>Area of interest, lon/lat degrees: every position must lie inside. Default: Syria with a margin.</summary>
    public double MinLongitude { get; init; } = 35.0;

    public double MaxLongitude { get; init; } = 43.0;

    public double MinLatitude { get; init; } = 32.0;

    public double MaxLatitude { get; init; } = 37.5;

    public static GeometryRules Default { get; } = new();
}

/// <summary>The outcome of <see cref="GeoJson.Read"/>: the geometry, or every defect found in it.</summary>
public sealed record GeometryReading(Geometry? Geometry, IReadOnlyList<GeometryDefect> Defects)
{
    public bool IsValid => Geometry is not null && Defects.Count == 0;
}
