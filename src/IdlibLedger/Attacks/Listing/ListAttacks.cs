using IdlibLedger.Access;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using IdlibLedger.Territory.Regions;
using Wolverine.Http;

namespace IdlibLedger.Attacks.Listing;

/// <summary>One attack in a list: the report as known at <c>asOf</c>, without its history.</summary>
public sealed record AttackSummary(
    Guid Id, int Version, AttackFacts Facts, string ReportedBy, DateTimeOffset RecordedAt, DateTimeOffset LastRecordedAt, bool Retracted, string Grading);

public sealed record AttackList(IReadOnlyList<AttackSummary> Items, int Page, int PageSize, long TotalItems, long TotalPages, DateTimeOffset At, DateTimeOffset AsOf);

public static class ListAttacksEndpoint
{
    /// <summary>Attacks known at <c>asOf</c> that had begun by <c>at</c>, newest occurrence first; <c>region</c> keeps those inside a region's polygon.</summary>
    [WolverineGet("/api/attacks", OperationId = "ListAttacks")]
    [ForViewers]
    [Tags("Attacks")]
    [ProducesResponseType<AttackList>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<IResult> Get(
        string? from, string? to, string? bbox, string? perpetrator, string? region, int? page, int? pageSize, string? at, string? asOf, bool? includeRetracted,
        TimelineQueries timeline, RegionLookup regions, LedgerClock clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        var errors = new Dictionary<string, string[]>();
        var valid = AttackFilter.TryParse(at, asOf, from, to, bbox, perpetrator, clock, out var filter, errors);
        valid &= Paging.TryParse(page, pageSize, errors, out var pageNumber, out var size);
        var regionId = await RegionFilter.ResolveAsync(region, regions, errors, cancellation);
        valid &= errors.Count == 0;
        if (!valid)
        {
            return LedgerProblems.Invalid(errors, "Fix the query parameters named under 'errors'.").ToResult();
        }

        filter = filter with { IncludeRetracted = includeRetracted ?? false, RegionId = regionId };
        var (items, total) = await timeline.ListAsync(filter, pageNumber, size, cancellation);
        var summaries = items.Select(a => new AttackSummary(
            a.Report.Id, a.Report.Version, a.Report.Facts, a.Report.ReportedBy, a.FirstRecordedAt, a.RecordedAt, a.Report.Retracted, a.Report.Grading));
        return Results.Ok(new AttackList([.. summaries], pageNumber, size, total, (total + size - 1) / size, filter.Temporal.At, filter.Temporal.AsOf));
    }
}
