using System.Text.Json;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using NpgsqlTypes;
using Wolverine.Http;

namespace IdlibLedger.Territory.Regions;

/// <summary>The query of the region map: every region, or those of one level, as known at asOf.</summary>
/// <param name="Level">Only regions of this level: governorate, district, sub-district or custom; default every level.</param>
/// <param name="AsOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
public sealed record RegionMapQuery([FromQuery(Name = "level")] string? Level = null, [FromQuery(Name = "asOf")] string? AsOf = null);

/// <summary>
/// The registered regions as one map, the base layer a page draws under everything else: the versions the ledger
/// measured with at asOf (<see cref="RegionTable.ValidAt"/>), built as GeoJSON by PostGIS in one query.
/// </summary>
public static class RegionMapEndpoint
{
    /// <summary>The levels a region map can be cut to, as the OCHA units and posted regions name them.</summary>
    public static readonly IReadOnlyList<string> Levels = ["governorate", "district", "sub-district", "custom"];

    /// <summary>Read the region map</summary>
    /// <remarks>Every region registered and not retracted as known at `asOf` (transaction time; default now) as one GeoJSON FeatureCollection: a Feature per region with its polygon and id, name, level, pcode and areaKm2, largest units first. A region corrected after `asOf` is drawn as it was then; before its registration a region is drawn as first registered, as the other reads measure with it. `level` keeps one level (governorate, district, sub-district or custom); another value is 400 naming `level`.</remarks>
    [WolverineGet("/api/region-map", OperationId = "GetRegionMap")]
    [ForViewers]
    [Tags("Territory")]
    [Produces("application/geo+json")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> Get(
        [AsParameters] RegionMapQuery query, NpgsqlDataSource database, IDocumentStore store, LedgerClock clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(store);
        var errors = new Dictionary<string, string[]>();
        var level = string.IsNullOrWhiteSpace(query.Level) ? null : query.Level.Trim().ToLowerInvariant();
        if (level is not null && !Levels.Contains(level))
        {
            errors["level"] = [$"level is one of {string.Join(", ", Levels)}; '{query.Level}' is not"];
        }

        var temporal = new TimeQuery(AsOf: query.AsOf).Parse(clock, errors);
        if (errors.Count > 0)
        {
            return QueryProblems.Invalid(errors);
        }

        await using var command = database.CreateCommand(Sql(store.Options.DatabaseSchemaName));
        command.Parameters.Add(new NpgsqlParameter("level", NpgsqlDbType.Text) { Value = (object?)level ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("as_of", NpgsqlDbType.TimestampTz) { Value = temporal.AsOf.ToUniversalTime() });
        var features = (string)(await command.ExecuteScalarAsync(cancellation))!;
        return TypedResults.Text(
            $"{{\"type\":\"FeatureCollection\",\"features\":{features},\"asOf\":{JsonSerializer.Serialize(temporal.AsOf)}}}",
            "application/geo+json");
    }

    /// <summary>The features, as a JSON array: governorates before districts before sub-districts, then by name.</summary>
    private static string Sql(string schema) =>
        "select coalesce(json_agg(json_build_object('type', 'Feature', 'geometry', ST_AsGeoJSON(r.area)::json, 'properties', " +
        "json_build_object('id', r.id, 'name', r.name, 'level', r.level, 'pcode', r.pcode, 'areaKm2', r.area_km2)) " +
        "order by r.level_rank, r.name, r.id), '[]')::text " +
        $"from {schema}.{RegionTable.VersionsName} r where (@level::text is null or r.level = @level) and {RegionTable.ValidAt("r", "@as_of")}";
}
