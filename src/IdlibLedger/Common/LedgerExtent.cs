using IdlibLedger.Access;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Infrastructure;
using IdlibLedger.Territory.ControlChanges;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using NpgsqlTypes;
using Wolverine.Http;

namespace IdlibLedger.Common;

/// <summary>The span of valid time and the place the ledger covers as known at asOf: the bounds of a page's time slider and map.</summary>
/// <param name="From">The earliest moment anything happened: the earliest attack occurrence or control change; null in an empty ledger.</param>
/// <param name="Until">The latest: the latest end of an attack's occurrence window or control change; null in an empty ledger.</param>
/// <param name="Bbox">[minLon, minLat, maxLon, maxLat] over attack locations and control-change areas (WGS 84 degrees); null in an empty ledger.</param>
/// <param name="AsOf">Transaction time the answer describes: what the ledger had recorded by then (UTC).</param>
/// <param name="Attacks">Attacks held at asOf, retracted ones left out.</param>
/// <param name="LastRecordedAt">When the ledger last recorded an attack version or control change by asOf, or null.</param>
public sealed record LedgerExtent(DateTimeOffset? From, DateTimeOffset? Until, IReadOnlyList<double>? Bbox, DateTimeOffset AsOf, long Attacks, DateTimeOffset? LastRecordedAt);

/// <summary>The query of the ledger's extent.</summary>
/// <param name="AsOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
public sealed record LedgerExtentQuery([FromQuery(Name = "asOf")] string? AsOf = null);

/// <summary>
/// The extent over the two bitemporal read models that carry time and place: the attack timeline and the control
/// changes. Ceasefires, corridors, observation posts and proposals have no table that answers "as known at asOf"
/// without replaying their streams, so they are left out (their dates fall inside the conflict the attacks span).
/// </summary>
public static class LedgerExtentEndpoint
{
    /// <summary>Read the ledger's extent</summary>
    /// <remarks>The span of valid time and the place the ledger covers as known at `asOf` (transaction time; default now), for a page's time slider and map view: `from` and `until`, the earliest occurrence and the latest end of one over attacks not retracted and control changes; `bbox` [minLon, minLat, maxLon, maxLat] over attack locations and control-change areas; the number of attacks; when the ledger last recorded one of them. An empty ledger answers nulls and 0.</remarks>
    [WolverineGet("/api/extent", OperationId = "GetLedgerExtent")]
    [ForViewers]
    [Tags("Ledger")]
    [ProducesResponseType<LedgerExtent>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<Results<Ok<LedgerExtent>, ProblemHttpResult>> Get(
        [AsParameters] LedgerExtentQuery query, NpgsqlDataSource database, IDocumentStore store, LedgerClock clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(store);
        if (!new TimeQuery(AsOf: query.AsOf).TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        await using var command = database.CreateCommand(Sql(store.Options.DatabaseSchemaName));
        command.Parameters.Add(new NpgsqlParameter("as_of", NpgsqlDbType.TimestampTz) { Value = temporal.AsOf.ToUniversalTime() });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        await reader.ReadAsync(cancellation);
        DateTimeOffset? Instant(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
        IReadOnlyList<double>? bbox = reader.IsDBNull(2) ? null : [reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4), reader.GetDouble(5)];
        return TypedResults.Ok(new LedgerExtent(Instant(0), Instant(1), bbox, temporal.AsOf, reader.GetInt64(6), Instant(7)));
    }

    /// <summary>One row: the attacks' extent and the control changes', each one aggregate row, combined.</summary>
    private static string Sql(string schema) =>
        "select min(e.from_at), max(e.until_at), min(e.min_lon), min(e.min_lat), max(e.max_lon), max(e.max_lat), " +
        "coalesce(sum(e.attacks), 0)::bigint, max(e.last_recorded) " +
        $"from ({TimelineQueries.ExtentSql(schema)} " +
        "union all select min(c.occurred_from), max(c.occurred_from), " +
        "ST_XMin(ST_Extent(c.area)), ST_YMin(ST_Extent(c.area)), ST_XMax(ST_Extent(c.area)), ST_YMax(ST_Extent(c.area)), 0, " +
        $"(select max(r.recorded_at) from {schema}.{ControlChangeTable.Name} r where r.recorded_at <= @as_of) " +
        $"from {schema}.{ControlChangeTable.Name} c where {ControlChangeTable.ValidAt("c", "@as_of")}" +
        ") e(from_at, until_at, min_lon, min_lat, max_lon, max_lat, attacks, last_recorded)";
}
