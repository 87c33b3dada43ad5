using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace IdlibLedger.Spatial;

/// <summary>GeoJSON (RFC 7946, WGS 84 lon/lat) in and out of the ledger.</summary>
public static class GeoJson
{
    // Written the RFC 7946 way (outer rings counter-clockwise, holes clockwise), no bbox; read into SRID 4326.
    private static readonly JsonSerializerOptions GeometryOptions = new()
    {
        Converters =
        {
            new GeoJsonConverterFactory(Wgs84.Factory, false, GeoJsonConverterFactory.DefaultIdPropertyName, RingOrientationOption.EnforceRfc9746),
        },
    };

    private static readonly JsonSerializerOptions PropertyOptions = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Reads and checks a GeoJSON geometry object of one of the <paramref name="allowed"/> kinds: every defect the JSON
    /// has (shape, numbers, ranges, area of interest, ring closure and size, vertex cap) with its path, or, when the JSON is
    /// sound, the topology error <c>IsValidOp</c> finds and where. Never closes, repairs or reorders anything.
    /// </summary>
    public static GeometryReading Read(JsonElement geometry, GeometryKinds allowed, GeometryRules rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return GeoJsonCheck.Read(geometry, allowed, rules);
    }

    /// <summary>
    /// Writes a geometry as a GeoJSON geometry object (lon/lat, no crs member), for events and answers. The geometry is in
    /// WGS 84 (SRID 4326, or 0/-1 when no SRID was set, as from WKT); a projected one is refused rather than written as degrees.
    /// </summary>
    public static JsonElement ToJson(Geometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (geometry.SRID is not (Wgs84.Srid or 0 or -1))
        {
            throw new ArgumentException($"GeoJSON carries WGS 84 (SRID {Wgs84.Srid}), not SRID {geometry.SRID}", nameof(geometry));
        }

        return JsonSerializer.SerializeToElement(geometry, GeometryOptions);
    }

    /// <summary>Reads a geometry this service wrote before (trusted: parsed, not checked), in SRID 4326.</summary>
    public static Geometry FromJson(JsonElement geometry) =>
        JsonSerializer.Deserialize<Geometry>(geometry, GeometryOptions)
        ?? throw new JsonException("a GeoJSON geometry was expected, not null");

    /// <summary>A GeoJSON FeatureCollection text; property names are written as given, values with System.Text.Json (web defaults).</summary>
    public static string FeatureCollection(IEnumerable<(Geometry Geometry, IReadOnlyDictionary<string, object?> Properties)> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "FeatureCollection");
            writer.WriteStartArray("features");
            foreach (var (geometry, properties) in features)
            {
                writer.WriteStartObject();
                writer.WriteString("type", "Feature");
                writer.WritePropertyName("geometry");
                ToJson(geometry).WriteTo(writer);
                writer.WriteStartObject("properties");
                foreach (var (name, value) in properties ?? new Dictionary<string, object?>())
                {
                    writer.WritePropertyName(name);
                    JsonSerializer.Serialize(writer, value, PropertyOptions);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
