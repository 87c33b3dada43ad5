using System.Text.Json;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using IdlibLedger.Spatial;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;

namespace IdlibLedger.Territory.Regions;

/// <summary>A region the ledger measures shares of: an OCHA admin unit, or a polygon a client posted.</summary>
public sealed record RegionRegistered(string RegionId, string Name, string Level, string? Pcode, JsonElement Area, string Source);

/// <summary>RegisterRegion: names a polygon so that shares and filters can refer to it by id.</summary>
/// <param name="Id">Its id (letters, digits, dashes). Required.</param>
/// <param name="Name">Its name. Required; At most 200 characters.</param>
/// <param name="Area">A GeoJSON Polygon or MultiPolygon; GeoJSON geometry in WGS 84, positions as [longitude, latitude]. Required.</param>
/// <param name="Level">Its level; default custom.</param>
/// <param name="Source">Where the boundary comes from; optional.</param>
public sealed record RegisterRegion(string? Id, string? Name, [property: GeoJson(GeometryKinds.Areas)] JsonElement? Area, string? Level = "custom", string? Source = null)
{
    public sealed class Validator : AbstractValidator<RegisterRegion>
    {
        public Validator(GeometryLimits limits)
        {
            RuleFor(c => c.Id).NotEmpty().MaximumLength(Limits.RegionId).Matches("^[a-z0-9][a-z0-9-]*$")
                .WithMessage("id is lower-case letters, digits and dashes (e.g. 'southern-idlib')");
            RuleFor(c => c.Name).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Level).NotEmpty().MaximumLength(Limits.RegionLevel);
            RuleFor(c => c.Area).NotNull().MustBeGeometry(GeometryKinds.Areas, limits);
            RuleFor(c => c.Source).MaximumLength(Limits.Text);
        }
    }
}

/// <summary>A region as listed: no geometry, its area in km².</summary>
/// <param name="Id">The region's id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Level">governorate, district or custom.</param>
/// <param name="Pcode">Its OCHA p-code, or null.</param>
/// <param name="AreaKm2">Its area, km².</param>
public sealed record RegionSummary(string Id, string Name, string Level, string? Pcode, double AreaKm2);

public static class RegionEndpoints
{
    public static Guid StreamId(string regionId) => StreamIds.For("region", regionId.ToLowerInvariant());

    /// <summary>Register a region</summary>

    /// <remarks>Registers a named area (a GeoJSON Polygon or MultiPolygon) that reads can filter and measure by. The OCHA governorates and districts are registered at start-up. 409 when the id is taken. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>

    [WolverinePost("/api/regions", OperationId = "RegisterRegion")]
    [ForAdmins]
    [Tags("Territory")]
    [ProducesResponseType<RegionSummary>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static async Task<IResult> Post(RegisterRegion command, IDocumentSession session, GeometryLimits limits, CancellationToken cancellation)
    {
        var id = command.Id!;
        var area = GeometryFields.AsMultiPolygon(GeometryFields.Checked(command.Area, GeometryKinds.Areas, limits));
        var start = await Streams.StartOnceAsync(session, StreamId(id), null,
            _ => Decision.Start(new RegionRegistered(id, command.Name!.Trim(), command.Level!, null, GeoJson.ToJson(area), command.Source ?? "posted")), cancellation);
        // A region id names one area for good: registering it again is a conflict, not a retry.
        return start.Started
            ? Results.Created($"/api/regions/{id}", new RegionSummary(id, command.Name!.Trim(), command.Level!, null, Metric.AreaKm2(area)))
            : LedgerProblems.Conflict($"region '{id}' is already registered").ToResult();
    }

    /// <summary>List regions</summary>

    /// <remarks>Every registered region, without geometry, with its area in km².</remarks>

    [WolverineGet("/api/regions", OperationId = "ListRegions")]
    [ForViewers]
    [Tags("Territory")]
    public static async Task<IReadOnlyList<RegionSummary>> List(NpgsqlDataSource database, IDocumentStore store, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"select id, name, level, pcode, area_km2 from {store.Options.DatabaseSchemaName}.{RegionTable.Name} order by level_rank, name");
        var regions = new List<RegionSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            regions.Add(new RegionSummary(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetDouble(4)));
        }

        return regions;
    }

    /// <summary>Read one region</summary>

    /// <remarks>The region as known at `asOf` (transaction time; default now; before its registration, as first registered, the version reads measure with then), as a GeoJSON FeatureCollection of one Feature with its geometry, its version (send it as `expectedVersion` to correct or retract), whether it was retracted, and its history. `id` may be the region's id, p-code or name; a retracted region is found by its id only. 404 when unknown, or not yet registered then.</remarks>

    /// <param name="id">The region's id, p-code or name.</param>

    /// <param name="asOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>

    [WolverineGet("/api/regions/{id}", OperationId = "GetRegion")]
    [ForViewers]
    [Tags("Territory")]
    [Produces("application/geo+json")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> Get(
        string id, string? asOf, RegionLookup regions, IQuerySession session, LedgerClock clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(session);
        if (!new TimeQuery(AsOf: asOf).TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        // By id, p-code or name among the regions reads measured with then; else by id, which finds a retracted one too.
        // Before its registration a region is read as first registered, as the other reads measure with it (RegionTable.ValidAt).
        var found = await regions.FindAsync(id, temporal.AsOf, cancellation);
        var regionId = found?.Id ?? id.Trim();
        var region = string.IsNullOrEmpty(regionId) ? null
            : await session.Events.AggregateStreamAsync<Region>(StreamId(regionId), timestamp: temporal.AsOf, token: cancellation)
              ?? (found is null ? null : await session.Events.AggregateStreamAsync<Region>(StreamId(regionId), version: 1, token: cancellation));
        if (region is null)
        {
            return TypedResults.Problem(LedgerProblems.NotFound($"no region '{id}' as of {temporal.AsOf:O}; GET /api/regions lists them"));
        }

        var area = GeoJson.FromJson(region.Fact.Area);
        var collection = GeoJson.FeatureCollection([(area, new Dictionary<string, object?>
        {
            ["id"] = region.RegionId, ["name"] = region.Fact.Name, ["level"] = region.Fact.Level, ["pcode"] = region.Fact.Pcode,
            ["areaKm2"] = Metric.AreaKm2(area), ["source"] = region.Fact.Source, ["version"] = region.Version, ["retracted"] = region.Retracted,
            ["retractionReason"] = region.RetractionReason, ["recordedAt"] = JsonSerializer.SerializeToElement(region.RecordedAt, LedgerJson.Options),
            ["history"] = JsonSerializer.SerializeToElement(region.History, LedgerJson.Options),
        })]);
        return TypedResults.Text(
            collection.Insert(collection.LastIndexOf('}'), $",\"asOf\":{JsonSerializer.Serialize(temporal.AsOf)}"),
            "application/geo+json");
    }
}
