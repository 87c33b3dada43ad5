using System.Globalization;
using System.Text.Json;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Spatial;
using IdlibLedger.Territory.Regions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetTopologySuite.Geometries;
using Wolverine.Http;

namespace IdlibLedger.Territory.ControlMap;

/// <summary>The share of a region each actor holds; <c>share</c> is between 0 and 1.</summary>
/// <param name="Region">The region's id.</param>
/// <param name="RegionName">Its name.</param>
/// <param name="AreaKm2">Its area, km².</param>
/// <param name="Shares">Each actor's share.</param>
/// <param name="UnheldKm2">Area no actor held, km².</param>
/// <param name="At">Valid time the answer describes (UTC).</param>
/// <param name="AsOf">Transaction time the answer describes: what the ledger had recorded by then (UTC).</param>
public sealed record RegionShares(string Region, string RegionName, double AreaKm2, IReadOnlyList<ActorShare> Shares, double UnheldKm2, DateTimeOffset At, DateTimeOffset AsOf);

/// <summary>Who held a point at (at, asOf).</summary>
/// <param name="Longitude">The point's longitude.</param>
/// <param name="Latitude">The point's latitude.</param>
/// <param name="Actor">Who held it, or null when no one did.</param>
/// <param name="At">Valid time the answer describes (UTC).</param>
/// <param name="AsOf">Transaction time the answer describes: what the ledger had recorded by then (UTC).</param>
public sealed record PointHolder(double Longitude, double Latitude, string? Actor, DateTimeOffset At, DateTimeOffset AsOf);

/// <summary>The query of the control map and of a region's shares: the map at (at, asOf), within a region from <c>GET /api/regions</c>.</summary>
/// <param name="At">Valid time: the moment in the world the answer describes, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
/// <param name="AsOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
/// <param name="Region">A registered region's id, p-code or name, as known at asOf; keeps what lies in its polygon. Unknown then is 404. Default: the whole map.</param>
public sealed record ControlMapQuery(
    [FromQuery(Name = "at")] string? At = null, [FromQuery(Name = "asOf")] string? AsOf = null, [FromQuery(Name = "region")] string? Region = null)
{
    public TimeQuery Time => new(At, AsOf);
}

/// <summary>The query of who held a point (<c>lon</c>, <c>lat</c>) at (at, asOf).</summary>
/// <param name="Lon">Longitude of the point, degrees WGS 84 (required).</param>
/// <param name="Lat">Latitude of the point, degrees WGS 84 (required).</param>
/// <param name="At">Valid time: the moment in the world the answer describes, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
/// <param name="AsOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
public sealed record PointQuery(
    [FromQuery(Name = "lon")] double? Lon, [FromQuery(Name = "lat")] double? Lat,
    [FromQuery(Name = "at")] string? At = null, [FromQuery(Name = "asOf")] string? AsOf = null)
{
    public TimeQuery Time => new(At, AsOf);
}

public static class ControlMapEndpoints
{
    /// <summary>Read the control map</summary>
    /// <remarks>The control map at (`at`, `asOf`) as a GeoJSON FeatureCollection: one MultiPolygon per actor (actor, areaKm2, share of the region) and the front lines between actors (kind front-line). `region` clips it to one region. Valid time is `at`, transaction time `asOf` (ISO 8601; default now).</remarks>
    [WolverineGet("/api/control-map", OperationId = "GetControlMap")]
    [ForViewers]
    [Tags("Territory")]
    [Produces("application/geo+json")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> Get(
        [AsParameters] ControlMapQuery query, ControlMapReader maps, RegionLookup regions, LedgerClock clock, CancellationToken cancellation)
    {
        if (!query.Time.TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        RegionShape? shape = null;
        if (query.Region is { } region && (shape = await regions.FindAsync(region, temporal.AsOf, cancellation)) is null)
        {
            return UnknownRegion(region);
        }

        var map = await maps.AtAsync(temporal.At, temporal.AsOf, cancellation);
        var areas = map.Within(shape?.Area);
        var shares = ControlMap.Shares(areas, shape?.AreaKm2 ?? 0).ToDictionary(s => s.Actor);
        var features = new List<(Geometry, IReadOnlyDictionary<string, object?>)>();
        foreach (var (actor, area) in areas)
        {
            features.Add((area, new Dictionary<string, object?>
            {
                ["kind"] = "control-area",
                ["actor"] = actor,
                ["areaKm2"] = shares[actor].AreaKm2,
                ["share"] = shape is null ? null : shares[actor].Share,
            }));
        }

        foreach (var (a, b, line) in ControlMap.FrontLines(areas))
        {
            features.Add((line, new Dictionary<string, object?>
            {
                ["kind"] = "front-line",
                ["between"] = new[] { a, b },
                ["lengthKm"] = Math.Round(Metric.LengthKm(line), 3),
            }));
        }

        var collection = GeoJson.FeatureCollection(features);
        return TypedResults.Text(
            collection.Insert(collection.LastIndexOf('}'), string.Create(CultureInfo.InvariantCulture,
                $",\"at\":{JsonSerializer.Serialize(temporal.At)},\"asOf\":{JsonSerializer.Serialize(temporal.AsOf)},\"region\":{JsonSerializer.Serialize(shape?.Id)}")),
            "application/geo+json");
    }

    /// <summary>Read the shares of a region</summary>

    /// <remarks>Who held how much of a region at (`at`, `asOf`): each actor's area in km² and share, and what no one held. Valid time is `at`, transaction time `asOf` (ISO 8601; default now).</remarks>

    [WolverineGet("/api/control-map/share", OperationId = "GetControlShares")]
    [ForViewers]
    [Tags("Territory")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<Results<Ok<RegionShares>, ProblemHttpResult>> GetShare(
        [AsParameters] ControlMapQuery query, ControlMapReader maps, RegionLookup regions, LedgerClock clock, CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(query.Region))
        {
            return TypedResults.Problem(LedgerProblems.Invalid("region", "region is required: an id from GET /api/regions (e.g. 'idlib')"));
        }

        if (!query.Time.TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        if (await regions.FindAsync(query.Region, temporal.AsOf, cancellation) is not { } shape)
        {
            return UnknownRegion(query.Region);
        }

        var map = await maps.AtAsync(temporal.At, temporal.AsOf, cancellation);
        return TypedResults.Ok(SharesOf(map, shape, temporal));
    }

    public static RegionShares SharesOf(ControlMap map, RegionShape region, Temporal temporal)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(temporal);
        var shares = ControlMap.Shares(map.Within(region.Area), region.AreaKm2);
        return new RegionShares(region.Id, region.Name, Math.Round(region.AreaKm2, 3), shares,
            Math.Round(Math.Max(0, region.AreaKm2 - shares.Sum(s => s.AreaKm2)), 3), temporal.At, temporal.AsOf);
    }

    /// <summary>Who held a point</summary>
    /// <remarks>The actor whose controlled area contained a point at (`at`, `asOf`), or null when no one did. Valid time is `at`, transaction time `asOf` (ISO 8601; default now).</remarks>
    [WolverineGet("/api/control-map/holder", OperationId = "GetPointHolder")]
    [ForViewers]
    [Tags("Territory")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<Results<Ok<PointHolder>, ProblemHttpResult>> GetHolder(
        [AsParameters] PointQuery query, ControlMapReader maps, LedgerClock clock, CancellationToken cancellation)
    {
        var (lon, lat) = (query.Lon, query.Lat);
        var errors = new Dictionary<string, string[]>();
        if (lon is null or < -180 or > 180 || !double.IsFinite(lon ?? 0))
        {
            errors["lon"] = ["lon is a longitude between -180 and 180"];
        }

        if (lat is null or < -90 or > 90 || !double.IsFinite(lat ?? 0))
        {
            errors["lat"] = ["lat is a latitude between -90 and 90"];
        }

        var temporal = query.Time.Parse(clock, errors);
        if (errors.Count > 0)
        {
            return QueryProblems.Invalid(errors);
        }

        var actor = await maps.HolderAsync(lon!.Value, lat!.Value, temporal.At, temporal.AsOf, cancellation);
        return TypedResults.Ok(new PointHolder(lon.Value, lat.Value, actor, temporal.At, temporal.AsOf));
    }

    private static ProblemHttpResult UnknownRegion(string region) =>
        TypedResults.Problem(LedgerProblems.NotFound($"no region '{region}'; GET /api/regions lists them (OCHA units load when Ledger:SharedDataPath points at the shared data)"));
}
