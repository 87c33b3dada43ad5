using System.Globalization;
using System.Text.Json;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Spatial;
using IdlibLedger.Territory.Regions;
using Microsoft.AspNetCore.Mvc;
using NetTopologySuite.Geometries;
using Wolverine.Http;

namespace IdlibLedger.Territory.ControlMap;

/// <summary>The share of a region each actor holds; <c>share</c> is between 0 and 1.</summary>
public sealed record RegionShares(string Region, string RegionName, double AreaKm2, IReadOnlyList<ActorShare> Shares, double UnheldKm2, DateTimeOffset At, DateTimeOffset AsOf);

/// <summary>Who held a point at (at, asOf).</summary>
public sealed record PointHolder(double Longitude, double Latitude, string? Actor, DateTimeOffset At, DateTimeOffset AsOf);

public static class ControlMapEndpoints
{
    /// <summary>
    /// The control map as a GeoJSON FeatureCollection: one MultiPolygon per actor (actor, areaKm2, share of the
    /// region) and the front lines between actors as lines (kind "front-line", between).
    /// </summary>
    [WolverineGet("/api/control-map", OperationId = "GetControlMap")]
    [ForViewers]
    [Tags("Territory")]
    [Produces("application/geo+json")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<IResult> Get(
        string? at, string? asOf, string? region, ControlMapReader maps, RegionLookup regions, LedgerClock clock, CancellationToken cancellation)
    {
        if (!Temporal.TryParse(at, asOf, clock, out var temporal, out var problem))
        {
            return problem!;
        }

        RegionShape? shape = null;
        if (region is not null && (shape = await regions.FindAsync(region, cancellation)) is null)
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
        return Results.Text(
            collection.Insert(collection.LastIndexOf('}'), string.Create(CultureInfo.InvariantCulture,
                $",\"at\":{JsonSerializer.Serialize(temporal.At)},\"asOf\":{JsonSerializer.Serialize(temporal.AsOf)},\"region\":{JsonSerializer.Serialize(shape?.Id)}")),
            "application/geo+json");
    }

    [WolverineGet("/api/control-map/share", OperationId = "GetControlShares")]
    [ForViewers]
    [Tags("Territory")]
    [ProducesResponseType<RegionShares>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<IResult> GetShare(
        string? region, string? at, string? asOf, ControlMapReader maps, RegionLookup regions, LedgerClock clock, CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(region))
        {
            return LedgerProblems.Invalid("region", "region is required: an id from GET /api/regions (e.g. 'idlib')").ToResult();
        }

        if (!Temporal.TryParse(at, asOf, clock, out var temporal, out var problem))
        {
            return problem!;
        }

        if (await regions.FindAsync(region, cancellation) is not { } shape)
        {
            return UnknownRegion(region);
        }

        var map = await maps.AtAsync(temporal.At, temporal.AsOf, cancellation);
        return Results.Ok(SharesOf(map, shape, temporal));
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

    /// <summary>Who held a point at (at, asOf) — the GiST-indexed question the spatial read model answers.</summary>
    [WolverineGet("/api/control-map/holder", OperationId = "GetPointHolder")]
    [ForViewers]
    [Tags("Territory")]
    [ProducesResponseType<PointHolder>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<IResult> GetHolder(
        double? lon, double? lat, string? at, string? asOf, ControlMapReader maps, LedgerClock clock, CancellationToken cancellation)
    {
        var errors = new Dictionary<string, string[]>();
        if (lon is null or < -180 or > 180 || !double.IsFinite(lon ?? 0))
        {
            errors["lon"] = ["lon is a longitude between -180 and 180"];
        }

        if (lat is null or < -90 or > 90 || !double.IsFinite(lat ?? 0))
        {
            errors["lat"] = ["lat is a latitude between -90 and 90"];
        }

        Temporal.TryParse(at, asOf, clock, out var temporal, out _);
        Temporal.ParseBound(at, "at", endOfDay: true, errors);
        Temporal.ParseBound(asOf, "asOf", endOfDay: true, errors);
        if (errors.Count > 0)
        {
            return LedgerProblems.Invalid(errors, "Fix the query parameters named under 'errors'.").ToResult();
        }

        var actor = await maps.HolderAsync(lon!.Value, lat!.Value, temporal.At, temporal.AsOf, cancellation);
        return Results.Ok(new PointHolder(lon.Value, lat.Value, actor, temporal.At, temporal.AsOf));
    }

    private static IResult UnknownRegion(string region) =>
        LedgerProblems.NotFound($"no region '{region}'; GET /api/regions lists them (OCHA units load when Ledger:SharedDataPath points at the shared data)").ToResult();
}
