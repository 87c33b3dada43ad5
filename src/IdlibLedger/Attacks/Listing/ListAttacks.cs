using IdlibLedger.Access;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using IdlibLedger.Territory.Regions;
using Wolverine.Http;

namespace IdlibLedger.Attacks.Listing;

/// <summary>One attack in a list: the report as known at <c>asOf</c>, without its history.</summary>
/// <param name="Id">The report's id.</param>
/// <param name="Version">The stream's version.</param>
/// <param name="Facts">The facts as currently corrected.</param>
/// <param name="ReportedBy">Who reported it.</param>
/// <param name="RecordedAt">When it was first recorded (UTC).</param>
/// <param name="LastRecordedAt">When it was last changed (UTC).</param>
/// <param name="Retracted">Whether it was retracted.</param>
/// <param name="Grading">How well sourced it is (see GetAttack).</param>
public sealed record AttackSummary(
    Guid Id, int Version, AttackFacts Facts, string ReportedBy, DateTimeOffset RecordedAt, DateTimeOffset LastRecordedAt, bool Retracted, AttackGrading Grading);

/// <summary>A page of attacks at (`at`, `asOf`).</summary>

/// <param name="Items">The attacks of this page, newest occurrence first.</param>

/// <param name="Page">The page number, from 1.</param>

/// <param name="PageSize">Items per page.</param>

/// <param name="TotalItems">Items matching the query, over all pages.</param>

/// <param name="TotalPages">Pages at this page size.</param>

/// <param name="At">Valid time the answer describes (UTC).</param>

/// <param name="AsOf">Transaction time the answer describes: what the ledger had recorded by then (UTC).</param>

public sealed record AttackList(IReadOnlyList<AttackSummary> Items, int Page, int PageSize, long TotalItems, long TotalPages, DateTimeOffset At, DateTimeOffset AsOf);

/// <summary>The query string of <c>GET /api/attacks</c>; texts are parsed by the endpoint, so that a refusal names the parameter.</summary>
/// <param name="From">Occurrence window start ≥ this, ISO 8601 (a date alone means the start of that day, UTC); default none.</param>
/// <param name="To">Occurrence window start ≤ this, ISO 8601 (a date alone means the end of that day, UTC); not before `from`; default none.</param>
/// <param name="Bbox">`minLon,minLat,maxLon,maxLat` in degrees (WGS 84), inclusive, min ≤ max; default none.</param>
/// <param name="Perpetrator">Only this perpetrator, compared as party names are (trimmed, without regard to case); default any.</param>
/// <param name="Region">A registered region's id, p-code or name; keeps what lies in its polygon. Unknown is 400.</param>
/// <param name="Page">The page number, from 1. Default 1.</param>
/// <param name="PageSize">Items per page. 1 to 500; default 50.</param>
/// <param name="At">Valid time: the moment in the world the answer describes, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
/// <param name="AsOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
/// <param name="IncludeRetracted">true also lists retracted reports; default false.</param>
public sealed record AttackListQuery(
    [FromQuery(Name = "from")] string? From = null,
    [FromQuery(Name = "to")] string? To = null,
    [FromQuery(Name = "bbox")] string? Bbox = null,
    [FromQuery(Name = "perpetrator")] string? Perpetrator = null,
    [FromQuery(Name = "region")] string? Region = null,
    [FromQuery(Name = "page")] int? Page = null,
    [FromQuery(Name = "pageSize")] int? PageSize = null,
    [FromQuery(Name = "at")] string? At = null,
    [FromQuery(Name = "asOf")] string? AsOf = null,
    [FromQuery(Name = "includeRetracted")] bool? IncludeRetracted = null);

public static class ListAttacksEndpoint
{
    /// <summary>List attacks</summary>
    /// <remarks>Attacks recorded by `asOf` whose occurrence had begun by `at`, newest occurrence first, a page at a time; filtered by occurrence window (`from`/`to`), bounding box, region and perpetrator. Retracted reports only with `includeRetracted=true`. An invalid parameter is 400 naming it.</remarks>
    [WolverineGet("/api/attacks", OperationId = "ListAttacks")]
    [ForViewers]
    [Tags("Attacks")]
    [ProducesResponseType<AttackList>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<Results<Ok<AttackList>, ProblemHttpResult>> Get(
        [AsParameters] AttackListQuery query, TimelineQueries timeline, RegionLookup regions, LedgerClock clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(timeline);
        var errors = new Dictionary<string, string[]>();
        var valid = AttackFilter.TryParse(query.At, query.AsOf, query.From, query.To, query.Bbox, query.Perpetrator, clock, out var filter, errors);
        valid &= Paging.TryParse(query.Page, query.PageSize, errors, out var pageNumber, out var size);
        var regionId = await RegionFilter.ResolveAsync(query.Region, filter.Temporal.AsOf, regions, errors, cancellation);
        valid &= errors.Count == 0;
        if (!valid)
        {
            return TypedResults.Problem(LedgerProblems.Invalid(errors, "Fix the query parameters named under 'errors'."));
        }

        filter = filter with { IncludeRetracted = query.IncludeRetracted ?? false, RegionId = regionId };
        var (items, total) = await timeline.ListAsync(filter, pageNumber, size, cancellation);
        var summaries = items.Select(a => new AttackSummary(
            a.Report.Id, a.Report.Version, a.Report.Facts, a.Report.ReportedBy, a.FirstRecordedAt, a.RecordedAt, a.Report.Retracted, a.Report.Grading));
        return TypedResults.Ok(new AttackList([.. summaries], pageNumber, size, total, (total + size - 1) / size, filter.Temporal.At, filter.Temporal.AsOf));
    }
}
