using System.Text.Json.Nodes;
using IdlibLedger.Spatial;
using Microsoft.OpenApi;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// Marks a property that holds raw GeoJSON (a <c>JsonElement</c> or <c>JsonNode</c>), so that the OpenAPI document
/// names the shapes it takes instead of an empty schema. The kinds are those the property's validator accepts.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class GeoJsonAttribute : Attribute
{
    public GeoJsonAttribute(GeometryKinds kinds) => Components = OpenApiGeoJson.ComponentsOf(kinds);

    /// <summary>A GeoJSON FeatureCollection (a read model answered as a map).</summary>
    public GeoJsonAttribute(bool featureCollection) =>
        Components = featureCollection ? [OpenApiGeoJson.FeatureCollection] : [OpenApiGeoJson.Geometry];

    public IReadOnlyList<string> Components { get; }
}

/// <summary>RFC 7946 shapes as reusable schema components: one per geometry kind, their union, features.</summary>
public static class OpenApiGeoJson
{
    public const string Geometry = "GeoJsonGeometry";
    public const string Feature = "GeoJsonFeature";
    public const string FeatureCollection = "GeoJsonFeatureCollection";

    /// <summary>The extension by which a property marked <see cref="GeoJsonAttribute"/> names its components until the document is assembled.</summary>
    public const string Mark = "x-geojson";

    private static readonly (GeometryKinds Kind, string Component)[] Kinds =
    [
        (GeometryKinds.Point, "GeoJsonPoint"),
        (GeometryKinds.LineString, "GeoJsonLineString"),
        (GeometryKinds.MultiLineString, "GeoJsonMultiLineString"),
        (GeometryKinds.Polygon, "GeoJsonPolygon"),
        (GeometryKinds.MultiPolygon, "GeoJsonMultiPolygon"),
    ];

    public static IReadOnlyList<string> ComponentsOf(GeometryKinds kinds) =>
        [.. Kinds.Where(k => kinds.HasFlag(k.Kind)).Select(k => k.Component)];

    /// <summary>The schema of a property marked <see cref="GeoJsonAttribute"/>: one reference, or the union of several.</summary>
    public static IOpenApiSchema SchemaOf(IReadOnlyList<string> components) => components.Count == 1
        ? new OpenApiSchemaReference(components[0])
        : new OpenApiSchema { OneOf = [.. components.Select(c => (IOpenApiSchema)new OpenApiSchemaReference(c))] };

    /// <summary>Adds the components (GeoJsonPoint, the ledger's own point record, is replaced by the RFC 7946 one).</summary>
    public static void AddComponents(IDictionary<string, IOpenApiSchema> schemas)
    {
        schemas["GeoJsonPosition"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            Items = new OpenApiSchema { Type = JsonSchemaType.Number },
            MinItems = 2,
            MaxItems = 3,
            Description = "A position: [longitude, latitude] in WGS 84 degrees (an optional third number, the altitude, is ignored).",
        };
        schemas["GeoJsonPoint"] = Shape("Point", Positions(0), "A GeoJSON Point: {\"type\": \"Point\", \"coordinates\": [longitude, latitude]}.");
        schemas["GeoJsonLineString"] = Shape("LineString", Positions(1, minItems: 2), "A GeoJSON LineString: two or more positions.");
        schemas["GeoJsonMultiLineString"] = Shape("MultiLineString", Positions(2, minItems: 2), "A GeoJSON MultiLineString: a list of line strings.");
        schemas["GeoJsonPolygon"] = Shape("Polygon", Positions(2, minItems: 4), "A GeoJSON Polygon: linear rings (closed, four or more positions), the exterior ring first, then holes.");
        schemas["GeoJsonMultiPolygon"] = Shape("MultiPolygon", Positions(3, minItems: 4), "A GeoJSON MultiPolygon: a list of polygons.");
        schemas[Geometry] = new OpenApiSchema
        {
            OneOf = [.. Kinds.Select(k => (IOpenApiSchema)new OpenApiSchemaReference(k.Component))],
            Description = "Any GeoJSON geometry the ledger stores.",
        };
        schemas[Feature] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "type", "geometry", "properties" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Const("Feature"),
                ["id"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Number },
                ["geometry"] = new OpenApiSchema { OneOf = [new OpenApiSchemaReference(Geometry), new OpenApiSchema { Type = JsonSchemaType.Null }] },
                ["properties"] = new OpenApiSchema { Type = JsonSchemaType.Object | JsonSchemaType.Null },
            },
            Description = "A GeoJSON Feature: a geometry and the properties of what it shows.",
        };
        schemas[FeatureCollection] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "type", "features" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Const("FeatureCollection"),
                ["features"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(Feature) },
            },
            Description = "A GeoJSON FeatureCollection (RFC 7946).",
        };
    }

    private static OpenApiSchema Shape(string type, IOpenApiSchema coordinates, string description) => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "type", "coordinates" },
        Properties = new Dictionary<string, IOpenApiSchema> { ["type"] = Const(type), ["coordinates"] = coordinates },
        Description = description,
    };

    /// <summary>A position nested <paramref name="depth"/> arrays deep; minItems applies to the innermost list of positions.</summary>
    private static IOpenApiSchema Positions(int depth, int minItems = 0)
    {
        IOpenApiSchema schema = new OpenApiSchemaReference("GeoJsonPosition");
        for (var level = 1; level <= depth; level++)
        {
            schema = new OpenApiSchema { Type = JsonSchemaType.Array, Items = schema, MinItems = level == 1 && minItems > 0 ? minItems : null };
        }

        return schema;
    }

    private static OpenApiSchema Const(string value) => new() { Type = JsonSchemaType.String, Enum = [JsonValue.Create(value)] };
}
