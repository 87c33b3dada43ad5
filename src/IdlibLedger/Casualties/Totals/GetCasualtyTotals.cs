using IdlibLedger.Access;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Casualties.Figures;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using IdlibLedger.Territory.Regions;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Casualties.Totals;

/// <summary>Killed and injured of one group (a perpetrator, a category, a party or a month).</summary>
/// <param name="Key">The group's value (perpetrator, category, party or month yyyy-MM).</param>
/// <param name="Killed">Killed in this group.</param>
/// <param name="Injured">Injured in this group.</param>
/// <param name="Attacks">Attacks in this group.</param>
/// <param name="AnomalousReports">Of those attacks, the reports imported from a source row whose own figures disagreed and counted with the repaired estimate (no correction of their casualties since); see docs/api.md, Source anomalies.</param>
public sealed record CasualtyGroup(string Key, Estimate Killed, Estimate Injured, long Attacks, long AnomalousReports);

/// <summary>
/// Incident-level sums: low, best and high of killed and injured over the attacks that count. <c>figures</c> are
/// the aggregate figures (e.g. the UN's) whose period meets the query's, shown beside the sums and never added in.
/// </summary>
/// <param name="Killed">Killed, summed over the attacks.</param>
/// <param name="Injured">Injured, summed over the attacks.</param>
/// <param name="Attacks">Attacks counted.</param>
/// <param name="AnomalousReports">Of the attacks counted, the reports imported from a source row whose own figures disagreed and counted with the repaired estimate (no correction of their casualties since); see docs/api.md, Source anomalies.</param>
/// <param name="GroupBy">The grouping asked for, or null.</param>
/// <param name="Groups">The sums per group (empty without groupBy).</param>
/// <param name="At">Valid time the answer describes (UTC).</param>
/// <param name="AsOf">Transaction time the answer describes: what the ledger had recorded by then (UTC).</param>
/// <param name="From">The `from` filter, or null.</param>
/// <param name="To">The `to` filter, or null.</param>
/// <param name="Perpetrator">The perpetrator filter, or null.</param>
/// <param name="Region">The region filter, or null.</param>
/// <param name="Bbox">The bounding box filter, or null.</param>
/// <param name="Figures">Aggregate figures published by others for the period; never added to the sums.</param>
public sealed record CasualtyTotals(
    Estimate Killed, Estimate Injured, long Attacks, long AnomalousReports, string? GroupBy, IReadOnlyList<CasualtyGroup> Groups,
    DateTimeOffset At, DateTimeOffset AsOf, DateTimeOffset? From, DateTimeOffset? To, string? Perpetrator, string? Region, string? Bbox,
    IReadOnlyList<CasualtyFigureReported> Figures);

/// <summary>The query string of <c>GET /api/casualties/totals</c>; texts are parsed by the endpoint, so that a refusal names the parameter.</summary>
/// <param name="From">Occurrence window start ≥ this, ISO 8601 (a date alone means the start of that day, UTC); default none.</param>
/// <param name="To">Occurrence window start ≤ this, ISO 8601 (a date alone means the end of that day, UTC); not before `from`; default none.</param>
/// <param name="Perpetrator">Only this perpetrator, compared as party names are (trimmed, without regard to case); default any.</param>
/// <param name="Bbox">`minLon,minLat,maxLon,maxLat` in degrees (WGS 84), inclusive, min ≤ max; default none.</param>
/// <param name="Region">A registered region's id, p-code or name; keeps what lies in its polygon. Unknown is 400.</param>
/// <param name="At">Valid time: the moment in the world the answer describes, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
/// <param name="AsOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
/// <param name="GroupBy">Also sum per `perpetrator`, `category`, `party`, `month` (of occurrence, UTC) or admin unit (`governorate`, `district`, `sub-district`: the registered region of that level whose polygon holds the attack); default none.</param>
public sealed record CasualtyTotalsQuery(
    [FromQuery(Name = "from")] string? From = null,
    [FromQuery(Name = "to")] string? To = null,
    [FromQuery(Name = "perpetrator")] string? Perpetrator = null,
    [FromQuery(Name = "bbox")] string? Bbox = null,
    [FromQuery(Name = "region")] string? Region = null,
    [FromQuery(Name = "at")] string? At = null,
    [FromQuery(Name = "asOf")] string? AsOf = null,
    [FromQuery(Name = "groupBy"), WireValues(typeof(CasualtyGrouping))] string? GroupBy = null);

public static class GetCasualtyTotalsEndpoint
{
    /// <summary>Sum casualties</summary>
    /// <remarks>Sums the latest corrected casualty estimates of the attacks recorded by `asOf`, not retracted, whose occurrence had begun by `at` — the attacks GET /api/attacks lists for the same filters — optionally grouped; `anomalousReports` says how many of the attacks (overall and per group) count figures repaired from an inconsistent source row. Aggregate figures published by others are listed under `figures` and never added. An invalid parameter is 400 naming it.</remarks>
    [WolverineGet("/api/casualties/totals", OperationId = "GetCasualtyTotals")]
    [ForViewers]
    [Tags("Casualties")]
    [ProducesResponseType<CasualtyTotals>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<Results<Ok<CasualtyTotals>, ProblemHttpResult>> Get(
        [AsParameters] CasualtyTotalsQuery query, TimelineQueries timeline, IQuerySession session, RegionLookup regions, LedgerClock clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(timeline);
        var errors = new Dictionary<string, string[]>();
        AttackFilter.TryParse(query.At, query.AsOf, query.From, query.To, query.Bbox, query.Perpetrator, clock, out var filter, errors);
        filter = filter with { RegionId = await RegionFilter.ResolveAsync(query.Region, filter.Temporal.AsOf, regions, errors, cancellation) };
        var groupBy = query.GroupBy is null ? null : Grouping(query.GroupBy);
        if (query.GroupBy is not null && groupBy is null)
        {
            errors["groupBy"] = [$"groupBy is one of {string.Join(", ", Wire.Names(typeof(CasualtyGrouping)))}"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.Problem(LedgerProblems.Invalid(errors, "Fix the query parameters named under 'errors'."));
        }

        var (groups, attacks, anomalous) = await timeline.TotalsAsync(filter, groupBy, cancellation);
        var killed = groups.Aggregate(Estimate.None, (sum, g) => sum.Plus(g.Killed));
        var injured = groups.Aggregate(Estimate.None, (sum, g) => sum.Plus(g.Injured));
        return TypedResults.Ok(new CasualtyTotals(
            killed, injured, attacks, anomalous, query.GroupBy, groupBy is null ? [] : groups,
            filter.Temporal.At, filter.Temporal.AsOf, filter.From, filter.To, filter.Perpetrator, filter.RegionId, query.Bbox,
            await CasualtyFigureEndpoints.KnownAsync(session, filter.Temporal.At, filter.Temporal.AsOf, filter.From, filter.To, cancellation)));
    }

    /// <summary>The grouping a <c>groupBy</c> value names by its wire name, exactly; null if none does.</summary>
    private static CasualtyGrouping? Grouping(string name) =>
        Enum.GetValues<CasualtyGrouping>().Where(g => Wire.Name(g) == name).Select(g => (CasualtyGrouping?)g).FirstOrDefault();
}
