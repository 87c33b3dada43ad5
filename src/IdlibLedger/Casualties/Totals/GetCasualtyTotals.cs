using IdlibLedger.Access;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Casualties.Figures;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using IdlibLedger.Territory.Regions;
using Marten;
using Microsoft.AspNetCore.Mvc;
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
        TimelineQueries timeline, IQuerySession session, RegionLookup regions, LedgerClock clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        var errors = new Dictionary<string, string[]>();
        AttackFilter.TryParse(at, asOf, from, to, bbox, perpetrator, clock, out var filter, errors);
        filter = filter with { RegionId = await RegionFilter.ResolveAsync(region, regions, errors, cancellation) };
        var grouping = groupBy is null ? null : Grouping(groupBy);
        if (groupBy is not null && grouping is null)
        {
            errors["groupBy"] = [$"groupBy is one of {string.Join(", ", Wire.Names(typeof(CasualtyGrouping)))}"];
        }

        if (errors.Count > 0)
        {
            return LedgerProblems.Invalid(errors, "Fix the query parameters named under 'errors'.").ToResult();
        }

        var (groups, attacks) = await timeline.TotalsAsync(filter, grouping, cancellation);
        var killed = groups.Aggregate(Estimate.None, (sum, g) => sum.Plus(g.Killed));
        var injured = groups.Aggregate(Estimate.None, (sum, g) => sum.Plus(g.Injured));
        return Results.Ok(new CasualtyTotals(
            killed, injured, attacks, groupBy, grouping is null ? [] : groups,
            filter.Temporal.At, filter.Temporal.AsOf, filter.From, filter.To, filter.Perpetrator, filter.RegionId, bbox,
            await CasualtyFigureEndpoints.KnownAsync(session, filter.Temporal.At, filter.Temporal.AsOf, filter.From, filter.To, cancellation)));
    }

    /// <summary>The grouping a <c>groupBy</c> value names by its wire name, exactly; null if none does.</summary>
    private static CasualtyGrouping? Grouping(string name) =>
        Enum.GetValues<CasualtyGrouping>().Where(g => Wire.Name(g) == name).Select(g => (CasualtyGrouping?)g).FirstOrDefault();
}
