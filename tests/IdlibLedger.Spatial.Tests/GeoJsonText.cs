using System.Text.Json;
using NetTopologySuite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using NetTopologySuite.IO.Converters;

namespace IdlibLedger.Spatial.Tests;

/// <summary>GeoJSON inputs for the tests: from WKT where it reads well, from raw text for what WKT cannot say.</summary>
internal static class GeoJsonText
{
    // Rings are written exactly as the WKT gives them: the tests decide the order of every position.
    private static readonly JsonSerializerOptions AsGiven = new()
    {
        Converters = { new GeoJsonConverterFactory(Wgs84.Factory, false, GeoJsonConverterFactory.DefaultIdPropertyName, RingOrientationOption.DoNotModify) },
    };

    private static readonly NtsGeometryServices InWgs84 = new(Wgs84.Factory.PrecisionModel, Wgs84.Srid);

    /// <summary>A WKT literal as a WGS 84 geometry (SRID 4326).</summary>
    public static Geometry Wkt(string wkt) => new WKTReader(InWgs84).Read(wkt);

    public static string FromWkt(string wkt) => JsonSerializer.Serialize(Wkt(wkt), AsGiven);

    public static JsonElement JsonFromWkt(string wkt) => Json(FromWkt(wkt));

    public static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
