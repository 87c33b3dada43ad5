using IdlibLedger.Access;
using IdlibLedger.Attacks;
using IdlibLedger.Casualties.Figures;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using IdlibLedger.Territory.Regions;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;

namespace IdlibLedger.Casualties.Totals;

/// <summary>Killed and injured of one group (a perpetrator, a category, a party or a month).</summary>
public sealed record CasualtyGroup(string Key, Estimate Killed, Estimate Injured, long Attacks);

/// <summary>
/// Incident-level sums: low, best and high of killed and injured over the attacks that count. <c>figures</c> are
/// the aggregate figures (e.g. the UN's) whose period meets the query's, shown beside the sums and never added in.
/// </summary>
public sealed record CasualtyTotals(
    Estimate Killed, Estimate Injured, long Attacks, string? GroupBy, IReadOnlyList<CasualtyGroup> Groups,
    DateTimeOffset At, DateTimeOffset AsOf, DateTimeOffset? From, DateTimeOffset? To, string? Perpetrator, string? Region, string? Bbox,
    IReadOnlyList<CasualtyFigureReported> Figures);

public static class GetCasualtyTotalsEndpoint
{
    /// <summary>The groupings totals can be broken down by, and the SQL key of each.</summary>
    private static readonly Dictionary<string, string> Groupings = new(StringComparer.Ordinal)
    {
        ["perpetrator"] = "t.perpetrator",
        ["category"] = "c.category",
        ["party"] = "coalesce(c.party, c.category)",
        ["month"] = "to_char(t.occurred_from at time zone 'UTC', 'YYYY-MM')",
        ["governorate"] = "coalesce(g.name, 'outside')",
        ["district"] = "coalesce(g.name, 'outside')",
        ["sub-district"] = "coalesce(g.name, 'outside')",
    };

    /// <summary>
    /// Sums the latest corrected figures of the attacks known at <c>asOf</c>, not retracted, that had begun by
    /// <c>at</c> — the same attacks <c>GET /api/attacks</c> lists for the same parameters.
    /// </summary>
    [WolverineGet("/api/casualties/totals", OperationId = "GetCasualtyTotals")]
    [ForViewers]
    [Tags("Casualties")]
    [ProducesResponseType<CasualtyTotals>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<IResult> Get(
        string? from, string? to, string? perpetrator, string? bbox, string? region, string? at, string? asOf, string? groupBy,
        NpgsqlDataSource database, IDocumentStore store, IQuerySession session, RegionLookup regions, LedgerClock clock, CancellationToken cancellation)
    {
        var errors = new Dictionary<string, string[]>();
        AttackFilter.TryParse(at, asOf, from, to, bbox, perpetrator, clock, out var filter, errors);
        filter = filter with { RegionId = await RegionFilter.ResolveAsync(region, regions, errors, cancellation) };
        if (groupBy is not null && !Groupings.ContainsKey(groupBy))
        {
            errors["groupBy"] = [$"groupBy is one of {string.Join(", ", Groupings.Keys)}"];
        }

        if (errors.Count > 0)
        {
            return LedgerProblems.Invalid(errors, "Fix the query parameters named under 'errors'.").ToResult();
        }

        var schema = store.Options.DatabaseSchemaName;
        List<CasualtyGroup> groups;
        long attacks;
        if (CellTotals.Serves(filter, groupBy))
        {
            groups = await CellTotals.GroupsAsync(database, schema, filter, groupBy, cancellation);
            attacks = groupBy is "category" or "party"
                ? (await CellTotals.GroupsAsync(database, schema, filter, null, cancellation)).Sum(g => g.Attacks)
                : groups.Sum(g => g.Attacks);
        }
        else
        {
            groups = await ScanAsync(database, schema, filter, groupBy, cancellation);
            // Grouped by category, one attack can fall in several groups; count it once in the total.
            attacks = groupBy is "category" or "party" ? await CountAttacksAsync(database, schema, filter, cancellation) : groups.Sum(g => g.Attacks);
        }

        var killed = groups.Aggregate(Estimate.None, (sum, g) => sum.Plus(g.Killed));
        var injured = groups.Aggregate(Estimate.None, (sum, g) => sum.Plus(g.Injured));
        return Results.Ok(new CasualtyTotals(
            killed, injured, attacks, groupBy, groupBy is null ? [] : groups,
            filter.Temporal.At, filter.Temporal.AsOf, filter.From, filter.To, filter.Perpetrator, filter.RegionId, bbox,
            await CasualtyFigureEndpoints.KnownAsync(session, filter.Temporal.At, filter.Temporal.AsOf, filter.From, filter.To, cancellation)));
    }

    /// <summary>
    /// Totals by summing every attack version the filter keeps: the general path, for filters the cells do not
    /// carry (a region, a bounding box, an occurrence range).
    /// </summary>
    private static async Task<List<CasualtyGroup>> ScanAsync(NpgsqlDataSource database, string schema, AttackFilter filter, string? groupBy, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand();
        var where = filter.Where(command, schema);
        var key = groupBy is null ? "''" : Groupings[groupBy];
        command.CommandText =
            $"select {key} as key, " +
            "coalesce(sum(c.killed_low), 0), coalesce(sum(c.killed_best), 0), coalesce(sum(c.killed_high), 0), " +
            "coalesce(sum(c.injured_low), 0), coalesce(sum(c.injured_best), 0), coalesce(sum(c.injured_high), 0), " +
            "count(distinct t.attack_id) " +
            $"from {schema}.{AttackTimeline.TableName} t " +
            $"left join {schema}.{AttackTimeline.CasualtiesTableName} c on c.attack_id = t.attack_id and c.version = t.version " +
            // By admin unit: the region of that level whose polygon holds the attack (point in polygon, GiST).
            (groupBy is "governorate" or "district" or "sub-district"
                ? $"left join lateral (select r.name from {schema}.regions r where r.level = @level and ST_Intersects(r.area, t.location) order by r.id limit 1) g on true "
                : string.Empty) +
            $"where {where} group by 1 order by 3 desc, 1";
        command.Parameters.AddWithValue("level", groupBy ?? string.Empty);
        return await ReadGroupsAsync(command, cancellation);
    }

    /// <summary>Reads rows of (key, killed low/best/high, injured low/best/high, attacks); a null key is "none".</summary>
    internal static async Task<List<CasualtyGroup>> ReadGroupsAsync(NpgsqlCommand command, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(command);
        var groups = new List<CasualtyGroup>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            groups.Add(new CasualtyGroup(
                reader.IsDBNull(0) ? "none" : reader.GetString(0),
                new Estimate((int)reader.GetInt64(1), (int)reader.GetInt64(2), (int)reader.GetInt64(3)),
                new Estimate((int)reader.GetInt64(4), (int)reader.GetInt64(5), (int)reader.GetInt64(6)),
                reader.GetInt64(7)));
        }

        return groups;
    }

    private static async Task<long> CountAttacksAsync(NpgsqlDataSource database, string schema, AttackFilter filter, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand();
        command.CommandText = $"select count(*) from {schema}.{AttackTimeline.TableName} t where {filter.Where(command, schema)}";
        return (long)(await command.ExecuteScalarAsync(cancellation))!;
    }
}
