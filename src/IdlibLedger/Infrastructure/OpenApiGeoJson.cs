using System.Text.Json.Nodes;
using IdlibLedger.Ceasefires;
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

    /// <summary>A GeoJSON FeatureCollection (a read model answered as a map): one of the <see cref="OpenApiGeoJson.Maps"/> components.</summary>
    public GeoJsonAttribute(string featureCollection) => Components = [featureCollection];

    public IReadOnlyList<string> Components { get; }
}

/// <summary>RFC 7946 shapes as reusable schema components: one per geometry kind, their union, features.</summary>
public static class OpenApiGeoJson
{
    public const string Geometry = "GeoJsonGeometry";
    public const string ControlMap = "ControlMapFeatureCollection";
    public const string ObservationPosts = "ObservationPostFeatureCollection";
    public const string Corridors = "CorridorFeatureCollection";

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
            // Which shape it is, by its "type" (without it Kiota's client cannot read a geometry).
            Discriminator = new OpenApiDiscriminator
            {
                PropertyName = "type",
                Mapping = Kinds.ToDictionary(k => k.Component["GeoJson".Length..], k => new OpenApiSchemaReference(k.Component)),
            },
            Description = "Any GeoJSON geometry the ledger stores.",
        };
    }

    /// <summary>
    /// The FeatureCollection components of the operations that answer one, by operationId, each with the properties its
    /// features carry (the service writes them; a null is written, not omitted).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Maps { get; } = new Dictionary<string, string>
    {
        ["GetControlMap"] = ControlMap,
        ["ListObservationPosts"] = ObservationPosts,
        ["ListCorridors"] = Corridors,
        ["GetRegion"] = "RegionFeatureCollection",
        ["GetRegionMap"] = "RegionFeatureCollection",
        ["ExportAttacksGeoJson"] = "AttackFeatureCollection",
    };

    /// <summary>Adds the components named in <see cref="Maps"/>.</summary>
    public static void AddMaps(IDictionary<string, IOpenApiSchema> schemas)
    {
        ArgumentNullException.ThrowIfNull(schemas);
        Map(schemas, "ControlMap", "Who held what at (at, asOf): a control-area feature per actor and a front-line feature per pair of neighbours; with the instants and the region it was read for.",
            Ref(Geometry, "A control area's Polygon or MultiPolygon, or a front line's LineString or MultiLineString."),
            new()
            {
                ["kind"] = Enum("What the feature is: an actor's area, or the line between two actors' areas.", "control-area", "front-line"),
                ["actor"] = Text("control-area: the actor holding the area."),
                ["areaKm2"] = Number("control-area: its area in km²."),
                ["share"] = new OpenApiSchema { Type = JsonSchemaType.Number | JsonSchemaType.Null, Description = "control-area: its share of the region (0–1), null without a region." },
                ["between"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String }, MinItems = 2, MaxItems = 2, Description = "front-line: the two actors it separates." },
                ["lengthKm"] = Number("front-line: its length in km."),
            },
            required: ["kind"],
            extra: new()
            {
                ["at"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "The valid time the map is for." },
                ["asOf"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "The transaction time the map is as of." },
                ["region"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "The region it is cut to, or null." },
            });
        Map(schemas, "ObservationPost", "The observation posts at (at, asOf), one point each.", Ref("GeoJsonPoint", "Where the post stands."), new()
        {
            ["id"] = Id("The post's id."),
            ["name"] = Text("The post's name."),
            ["operator"] = Text("Who operates it."),
            ["status"] = Ref("ObservationPostStatus", "Its status."),
            ["since"] = Instant("Since when it has that status and place."),
        }, required: ["id", "name", "operator", "status", "since"]);
        Map(schemas, "Corridor", "The humanitarian corridors at (at, asOf), one route each.", Ref("GeoJsonLineString", "The corridor's route."), new()
        {
            ["id"] = Id("The corridor's id."),
            ["name"] = Text("Its name."),
            ["from"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "Where it starts, or null." },
            ["to"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "Where it leads, or null." },
            ["status"] = Enum("scheduled (not open yet), open (and a ceasefire covers it), unprotected (open, no ceasefire in effect) or closed.", [.. Wire.Names(typeof(CorridorStatus))]),
            ["opensAt"] = Instant("When it opens."),
            ["closesAt"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Format = "date-time", Description = "When it closes or closed, or null." },
            ["ceasefireId"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Format = "uuid", Description = "The ceasefire that covers it, or null." },
        }, required: ["id", "name", "from", "to", "status", "opensAt", "closesAt", "ceasefireId"]);
        Map(schemas, "Region", "A region: one feature, its area.", new OpenApiSchema
        {
            OneOf = [new OpenApiSchemaReference("GeoJsonPolygon"), new OpenApiSchemaReference("GeoJsonMultiPolygon")],
            Description = "The region's area.",
        }, new()
        {
            ["id"] = Text("The region's id."),
            ["name"] = Text("Its name."),
            ["level"] = Text("governorate, district, subdistrict or custom."),
            ["pcode"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "The OCHA place code, or null." },
            ["areaKm2"] = Number("Its area in km²."),
            ["source"] = Text("Where the boundary comes from."),
            ["version"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "The region's version: send it as expectedVersion to correct or retract it." },
            ["retracted"] = new OpenApiSchema { Type = JsonSchemaType.Boolean, Description = "Whether it was retracted by asOf." },
            ["retractionReason"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "Why it was retracted, or null." },
            ["recordedAt"] = Instant("When it was registered (transaction time)."),
            ["history"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference("Revision"), Description = "Its revisions (recorded, corrected, retracted), oldest first." },
        }, required: ["id", "name", "level", "pcode", "areaKm2"], extra: new()
        {
            ["asOf"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "The transaction time the region is as of." },
        });
        Map(schemas, "Attack", "The attacks the list would show at (at, asOf), one point each, with the report's facts.", Ref("GeoJsonPoint", "Where it happened."), new()
        {
            ["id"] = Id("The report's id."),
            ["version"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "The report's version." },
            ["perpetrator"] = Text("Who carried it out."),
            ["eventType"] = Ref("EventType", "What kind of event it was."),
            ["occurredFrom"] = Instant("When it happened: the start of the window."),
            ["occurredUntil"] = Instant("The end of the window (exclusive)."),
            ["killed"] = Ref("Estimate", "Killed, over every casualty category."),
            ["injured"] = Ref("Estimate", "Injured, over every casualty category."),
            ["grading"] = Ref("AttackGrading", "How well sourced it is: discounted (retracted), contested (disputed), confirmed (claimed by the perpetrator), fair (two or more outlets) or weak (one)."),
            ["description"] = Text("What happened."),
        }, required: ["id", "version", "perpetrator", "eventType", "occurredFrom", "occurredUntil", "killed", "injured", "grading", "description"]);
    }

    private static void Map(
        IDictionary<string, IOpenApiSchema> schemas, string name, string description, IOpenApiSchema geometry, Dictionary<string, IOpenApiSchema> properties,
        string[] required, Dictionary<string, IOpenApiSchema>? extra = null)
    {
        schemas[$"{name}Feature"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "type", "geometry", "properties" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Const("Feature", "Always \"Feature\"."),
                ["geometry"] = geometry,
                ["properties"] = new OpenApiSchema { Type = JsonSchemaType.Object, Properties = properties, Required = new HashSet<string>(required), Description = "What the feature shows." },
            },
            Description = $"A feature of a {name} FeatureCollection.",
        };
        schemas[$"{name}FeatureCollection"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "type", "features" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Const("FeatureCollection", "Always \"FeatureCollection\"."),
                ["features"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference($"{name}Feature"), Description = "The features." },
            }.Concat(extra ?? []).ToDictionary(),
            Description = $"A GeoJSON FeatureCollection (RFC 7946). {description}",
        };
    }

    private static OpenApiSchemaReference Ref(string component, string description) => new(component) { Description = description };

    private static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };

    private static OpenApiSchema Number(string description) => new() { Type = JsonSchemaType.Number, Description = description };

    private static OpenApiSchema Id(string description) => new() { Type = JsonSchemaType.String, Format = "uuid", Description = description };

    private static OpenApiSchema Instant(string description) => new() { Type = JsonSchemaType.String, Format = "date-time", Description = description };

    private static OpenApiSchema Enum(string description, params string[] values) =>
        new() { Type = JsonSchemaType.String, Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))], Description = description };

    private static OpenApiSchema Shape(string type, IOpenApiSchema coordinates, string description) => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "type", "coordinates" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = Const(type, $"Always \"{type}\"."),
            ["coordinates"] = Described(coordinates, "The positions, each [longitude, latitude] in WGS 84 degrees."),
        },
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

    private static OpenApiSchema Const(string value, string description) =>
        new() { Type = JsonSchemaType.String, Enum = [JsonValue.Create(value)], Description = description };

    private static IOpenApiSchema Described(IOpenApiSchema schema, string description) => schema switch
    {
        OpenApiSchemaReference reference => new OpenApiSchemaReference(reference.Reference.Id!) { Description = description },
        OpenApiSchema inline => Set(inline, description),
        _ => schema,
    };

    private static OpenApiSchema Set(OpenApiSchema schema, string description)
    {
        schema.Description = description;
        return schema;
    }
}
