using ControlMapModel = IdlibLedger.Territory.ControlMap.ControlMap;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Spatial;
using IdlibLedger.Territory.Agreements;
using IdlibLedger.Territory.ControlMap;
using IdlibLedger.Territory.ObservationPosts;
using IdlibLedger.Territory.Regions;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Overlay;
using NetTopologySuite.Operation.OverlayNG;
using Wolverine.Http;

namespace IdlibLedger.Territory.Proposals;

/// <summary>What one actor would gain and lose.</summary>

/// <param name="Actor">The actor.</param>

/// <param name="GainsKm2">Area it would gain, km².</param>

/// <param name="LosesKm2">Area it would lose, km².</param>

public sealed record ActorChange(string Actor, double GainsKm2, double LosesKm2);

/// <summary>The ground that would change hands between two maps (within the region), per actor and in all.</summary>
/// <param name="TotalKm2">Area that would change hands, km².</param>
/// <param name="ByActor">Gains and losses per actor.</param>
public sealed record ChangeOfHands(double TotalKm2, IReadOnlyList<ActorChange> ByActor);

/// <summary>A proposed relocation, measured.</summary>

/// <param name="PostId">The post.</param>

/// <param name="Name">Its name.</param>

/// <param name="Operator">Its operator.</param>

/// <param name="From">Where it stands, [lon, lat].</param>

/// <param name="To">Where it would go, [lon, lat].</param>

/// <param name="DistanceKm">How far, km.</param>

public sealed record RelocationFigure(Guid PostId, string? Name, string? Operator, double[]? From, double[] To, double? DistanceKm);

/// <summary>A proposal as known at <c>asOf</c>, with what it would mean.</summary>
/// <param name="Proposal">The proposal.</param>
/// <param name="Region">The region measured.</param>
/// <param name="RegionAreaKm2">Its area, km².</param>
/// <param name="Shares">The shares it would give.</param>
/// <param name="SharesAtTabling">The shares when it was tabled.</param>
/// <param name="AgainstControlMap">What would change hands against the control map now.</param>
/// <param name="AgainstBaseline">What would change hands against its baseline agreement, or null.</param>
/// <param name="Relocations">Its relocations, measured.</param>
/// <param name="AsOf">Transaction time the answer describes: what the ledger had recorded by then (UTC).</param>
public sealed record ProposalDetails(
    Proposal Proposal, string? Region, double? RegionAreaKm2,
    IReadOnlyList<ActorShare> Shares, IReadOnlyList<ActorShare> SharesAtTabling,
    ChangeOfHands AgainstControlMap, ChangeOfHands? AgainstBaseline, IReadOnlyList<RelocationFigure> Relocations, DateTimeOffset AsOf);

/// <summary>A proposal as listed.</summary>

/// <param name="Id">Its id.</param>

/// <param name="Proposer">Who tabled it.</param>

/// <param name="AddressedTo">The parties asked.</param>

/// <param name="Status">Its status.</param>

/// <param name="TabledAt">When (UTC).</param>

/// <param name="Region">The region it divides.</param>

/// <param name="Shares">The shares it would give.</param>

public sealed record ProposalSummary(Guid Id, string Proposer, IReadOnlyList<string> AddressedTo, ProposalStatus Status, DateTimeOffset TabledAt, string? Region, IReadOnlyList<ActorShare> Shares);

/// <summary>A page of proposals, as recorded by `asOf`.</summary>

/// <param name="Items">The proposals.</param>

/// <param name="Page">The page number, from 1.</param>

/// <param name="PageSize">Items per page.</param>

/// <param name="TotalItems">Items matching the query, over all pages.</param>

/// <param name="AsOf">Transaction time the answer describes: what the ledger had recorded by then (UTC).</param>

public sealed record ProposalList(IReadOnlyList<ProposalSummary> Items, int Page, int PageSize, long TotalItems, DateTimeOffset AsOf);

/// <summary>The query of one proposal: as known at <c>asOf</c>, its figures within <c>region</c> (by default the proposal's own).</summary>
/// <param name="AsOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
/// <param name="Region">Measure against this region (id, p-code or name) instead of the proposal's own.</param>
public sealed record ProposalQuery([FromQuery(Name = "asOf")] string? AsOf = null, [FromQuery(Name = "region")] string? Region = null);

/// <summary>The query of the proposal list: those known at <c>asOf</c>, of one <c>status</c>, a page at a time.</summary>
/// <param name="Status">Only proposals with this status (tabled, rejected, accepted, withdrawn); default any.</param>
/// <param name="AsOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
/// <param name="Page">The page number, from 1. Default 1.</param>
/// <param name="PageSize">Items per page. Default 50.</param>
public sealed record ProposalListQuery(
    [FromQuery(Name = "status"), WireValues(typeof(ProposalStatus))] string? Status = null, [FromQuery(Name = "asOf")] string? AsOf = null,
    [FromQuery(Name = "page")] int? Page = null, [FromQuery(Name = "pageSize")] int? PageSize = null);

/// <summary>Works out a proposal's figures against the control map when it was tabled and against its baseline.</summary>
public sealed class ProposalFigures(ControlMapReader maps, RegionLookup regions, IQuerySession session)
{
    public const string DefaultRegion = "idlib";

    public async Task<ProposalDetails> ForAsync(Proposal proposal, string? regionKey, DateTimeOffset asOf, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var region = await regions.FindAsync(regionKey ?? proposal.Terms.Region ?? DefaultRegion, asOf, cancellation);
        var tabledAt = proposal.Terms.TabledAt;
        var atTabling = await maps.AtAsync(tabledAt, asOf, cancellation);
        var proposed = Proposed(atTabling, proposal.Terms);

        ChangeOfHands? againstBaseline = null;
        if (proposal.Terms.BaselineAgreementId is { } baselineId
            && await Agreement.StandingAsync(session, baselineId, asOf, cancellation) is { } baseline)
        {
            var baselineMap = ControlMapModel.From(baseline.Zones.Where(z => z.HeldBy is not null).Select(z => (z.HeldBy!, GeoJson.FromJson(z.Area!.Value))));
            againstBaseline = Compare(baselineMap, proposed, region?.Area);
        }

        var relocations = new List<RelocationFigure>();
        foreach (var move in proposal.Terms.Relocations)
        {
            var to = (Point)GeoJson.FromJson(move.To!.Value);
            // From where the post stood when the map was tabled, as the ledger knew it when the proposal was recorded:
            // a later relocation does not move the proposal's starting point. A post established after tabledAt starts
            // where it stood when the proposal was recorded.
            var known = await session.Events.FetchStreamAsync(move.PostId!.Value, timestamp: proposal.RecordedAt, token: cancellation);
            var post = ObservationPost.AsAt(known, tabledAt) ?? ObservationPost.AsAt(known, DateTimeOffset.MaxValue);
            var from = post?.Location is { } location ? (Point)GeoJson.FromJson(location) : null;
            relocations.Add(new RelocationFigure(move.PostId.Value, post?.Name, post?.Operator,
                from is null ? null : [from.X, from.Y], [to.X, to.Y], from is null ? null : Math.Round(Metric.DistanceAndBearing(from, to).Km, 3)));
        }

        return new ProposalDetails(
            proposal, region?.Id, region is null ? null : Math.Round(region.AreaKm2, 3),
            ControlMapModel.Shares(proposed.Within(region?.Area), region?.AreaKm2 ?? 0),
            ControlMapModel.Shares(atTabling.Within(region?.Area), region?.AreaKm2 ?? 0),
            Compare(atTabling, proposed, region?.Area), againstBaseline, relocations, asOf);
    }

    /// <summary>The map the proposal would make: the map when it was tabled, with the proposed areas given to their actors.</summary>
    public static ControlMapModel Proposed(ControlMapModel atTabling, MapProposed terms)
    {
        ArgumentNullException.ThrowIfNull(atTabling);
        ArgumentNullException.ThrowIfNull(terms);
        var proposed = atTabling.Copy();
        foreach (var area in terms.Areas)
        {
            proposed.Gain(area.Actor!, GeoJson.FromJson(area.Area!.Value));
        }

        return proposed;
    }

    public static ChangeOfHands Compare(ControlMapModel before, ControlMapModel after, Geometry? region)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var was = before.Within(region).ToDictionary(a => a.Actor, a => a.Area);
        var will = after.Within(region).ToDictionary(a => a.Actor, a => a.Area);
        var changes = was.Keys.Union(will.Keys).Order(StringComparer.Ordinal)
            .Select(actor => new ActorChange(actor, Km2(Minus(will, was, actor)), Km2(Minus(was, will, actor))))
            .Where(c => c.GainsKm2 > 0 || c.LosesKm2 > 0)
            .ToList();
        return new ChangeOfHands(Math.Round(changes.Sum(c => c.GainsKm2), 3), changes);
    }

    private static Geometry? Minus(Dictionary<string, Geometry> a, Dictionary<string, Geometry> b, string actor) =>
        !a.TryGetValue(actor, out var area) ? null
        : !b.TryGetValue(actor, out var other) ? area
        : ControlMapModel.Polygonal(OverlayNGRobust.Overlay(area, other, SpatialFunction.Difference));

    private static double Km2(Geometry? area) => area is null || area.IsEmpty ? 0 : Math.Round(Metric.AreaKm2(area), 3);
}

public static class GetProposalEndpoints
{
    /// <summary>Read one proposal</summary>
    /// <remarks>The proposal as recorded by `asOf`, with the shares it would give in its region, measured against the control map now and at tabling and against its baseline agreement. 404 when unknown then.</remarks>
    /// <param name="id">The proposal's id (UUID), as returned in the receipt and the Location header.</param>
    [WolverineGet("/api/proposals/{id}", OperationId = "GetProposal")]
    [ForViewers]
    [Tags("Territory")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<Results<Ok<ProposalDetails>, ProblemHttpResult>> Get(
        Guid id, [AsParameters] ProposalQuery query, IQuerySession session, ProposalFigures figures, RegionLookup regions, LedgerClock clock, CancellationToken cancellation)
    {
        if (!new TimeQuery(AsOf: query.AsOf).TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        if (query.Region is { } region && await regions.FindAsync(region, temporal.AsOf, cancellation) is null)
        {
            return TypedResults.Problem(LedgerProblems.Invalid("region", $"no region '{region}'; GET /api/regions lists them"));
        }

        var proposal = await session.Events.AggregateStreamAsync<Proposal>(id, timestamp: temporal.AsOf, token: cancellation);
        return proposal is null
            ? TypedResults.Problem(LedgerProblems.NotFound($"no proposal {id} was tabled as of {temporal.AsOf:O}"))
            : TypedResults.Ok(await figures.ForAsync(proposal, query.Region, temporal.AsOf, cancellation));
    }

    /// <summary>List proposals</summary>
    /// <remarks>Proposals recorded by `asOf`, newest first, a page at a time, optionally of one status, with the shares each would give.</remarks>
    [WolverineGet("/api/proposals", OperationId = "ListProposals")]
    [ForViewers]
    [Tags("Territory")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<Results<Ok<ProposalList>, ProblemHttpResult>> List(
        [AsParameters] ProposalListQuery query, IQuerySession session, ProposalFigures figures, LedgerClock clock, CancellationToken cancellation)
    {
        var errors = new Dictionary<string, string[]>();
        var temporal = new TimeQuery(AsOf: query.AsOf).Parse(clock, errors);
        Paging.TryParse(query.Page, query.PageSize, errors, out var pageNumber, out var size);
        var status = query.Status is null ? null : Status(query.Status);
        if (query.Status is not null && status is null)
        {
            errors["status"] = [$"status is one of {string.Join(", ", Wire.Names(typeof(ProposalStatus)))}"];
        }

        if (errors.Count > 0)
        {
            return QueryProblems.Invalid(errors);
        }

        var ids = await session.Events.QueryAllRawEvents()
            .Where(e => e.EventTypesAre(typeof(MapProposed)) && e.Timestamp <= temporal.AsOf)
            .Select(e => e.StreamId).ToListAsync(cancellation);
        var proposals = new List<Proposal>();
        foreach (var id in ids.Distinct())
        {
            if (await session.Events.AggregateStreamAsync<Proposal>(id, timestamp: temporal.AsOf, token: cancellation) is { } proposal
                && (status is null || proposal.Status == status))
            {
                proposals.Add(proposal);
            }
        }

        var items = new List<ProposalSummary>();
        foreach (var proposal in proposals.OrderByDescending(p => p.Terms.TabledAt).ThenBy(p => p.Id).Skip((pageNumber - 1) * size).Take(size))
        {
            var details = await figures.ForAsync(proposal, null, temporal.AsOf, cancellation);
            items.Add(new ProposalSummary(proposal.Id, proposal.Terms.Proposer, proposal.Terms.AddressedTo, proposal.Status, proposal.Terms.TabledAt, details.Region, details.Shares));
        }

        return TypedResults.Ok(new ProposalList(items, pageNumber, size, proposals.Count, temporal.AsOf));
    }

    /// <summary>The status a <c>status</c> value names by its wire name, exactly; null if none does.</summary>
    private static ProposalStatus? Status(string name) =>
        Enum.GetValues<ProposalStatus>().Where(s => Wire.Name(s) == name).Select(s => (ProposalStatus?)s).FirstOrDefault();
}
