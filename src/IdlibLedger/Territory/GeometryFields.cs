using System.Globalization;
using System.Text.Json;
using FluentValidation;
using IdlibLedger.Infrastructure;
using IdlibLedger.Spatial;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;

namespace IdlibLedger.Territory;

/// <summary>The geometry rules in force, from configuration (vertex cap, area of interest).</summary>
public sealed class GeometryLimits(IOptions<LedgerOptions> options)
{
    public GeometryRules Rules { get; } = From(options.Value);

    private static GeometryRules From(LedgerOptions options)
    {
        var box = options.AreaOfInterest.Split(',').Select(n => double.Parse(n, CultureInfo.InvariantCulture)).ToArray();
        return new GeometryRules
        {
            MaxVertices = options.MaxGeometryVertices,
            MinLongitude = box[0],
            MinLatitude = box[1],
            MaxLongitude = box[2],
            MaxLatitude = box[3],
        };
    }
}

/// <summary>FluentValidation for GeoJSON fields: each defect the geometry library finds becomes an error on its path.</summary>
public static class GeometryFields
{
    public static IRuleBuilderOptionsConditions<T, JsonElement?> MustBeGeometry<T>(
        this IRuleBuilder<T, JsonElement?> rule, GeometryKinds kinds, GeometryLimits limits) =>
        rule.Custom((value, context) =>
        {
            if (value is not { } json || json.ValueKind == JsonValueKind.Null)
            {
                return;
            }

            foreach (var defect in GeoJson.Read(json, kinds, limits.Rules).Defects)
            {
                var path = defect.Path.Length == 0 ? context.PropertyPath
                    : defect.Path.StartsWith('[') ? context.PropertyPath + defect.Path
                    : $"{context.PropertyPath}.{defect.Path}";
                // A failure object, not AddFailure(name, …): that would put the parent path in front once more.
                context.AddFailure(new FluentValidation.Results.ValidationFailure(path, defect.Message));
            }
        });

    /// <summary>A geometry already validated: read it (areas as MultiPolygon, so every actor's ground has one shape).</summary>
    public static Geometry Checked(JsonElement? json, GeometryKinds kinds, GeometryLimits limits)
    {
        var reading = GeoJson.Read(json ?? throw new ArgumentNullException(nameof(json)), kinds, limits.Rules);
        return reading.Geometry is { } geometry && reading.IsValid
            ? geometry
            : throw new ArgumentException("the geometry was not validated before use", nameof(json));
    }

    public static MultiPolygon AsMultiPolygon(Geometry geometry) => geometry switch
    {
        MultiPolygon multi => multi,
        Polygon polygon => Wgs84.Factory.CreateMultiPolygon([polygon]),
        _ => Wgs84.Factory.CreateMultiPolygon([.. Enumerable.Range(0, geometry.NumGeometries).Select(geometry.GetGeometryN).OfType<Polygon>()]),
    };
}
