using System.Text.Json.Nodes;
using IdlibLedger.Access;
using IdlibLedger.Attacks.Listing;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Casualties.Totals;
using IdlibLedger.Ceasefires;
using IdlibLedger.Infrastructure;
using IdlibLedger.Territory.ControlMap;
using IdlibLedger.Territory.ObservationPosts;
using IdlibLedger.Territory.Proposals;
using IdlibLedger.Territory.Regions;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Audit;

/// <summary>Every read model at (at, asOf); the GeoJSON parts as the FeatureCollections their reads answer.</summary>
/// <param name="At">Valid time the answer describes (UTC).</param>
/// <param name="AsOf">Transaction time the answer describes: what the ledger had recorded by then (UTC).</param>
/// <param name="CasualtyTotals">GET /api/casualties/totals.</param>
/// <param name="Attacks">GET /api/attacks, every page.</param>
/// <param name="ControlMap">GET /api/control-map (GeoJSON).</param>
/// <param name="Ceasefires">GET /api/ceasefires.</param>
/// <param name="Proposals">GET /api/proposals, every page.</param>
/// <param name="ObservationPosts">GET /api/observation-posts (GeoJSON).</param>
/// <param name="Corridors">GET /api/corridors (GeoJSON).</param>
public sealed record AuditSnapshot(
    DateTimeOffset At, DateTimeOffset AsOf, CasualtyTotals CasualtyTotals, AttackList Attacks, [property: GeoJson(featureCollection: true)] JsonNode ControlMap,
    CeasefireList Ceasefires, ProposalList Proposals, [property: GeoJson(featureCollection: true)] JsonNode ObservationPosts, [property: GeoJson(featureCollection: true)] JsonNode Corridors);

/// <summary>
/// Every read model at (at, asOf) in one document, so that an auditor can diff two dates. Each part is the
/// answer of the read endpoint itself, asked with the same at and asOf: one implementation of each read.
/// </summary>
public static class SnapshotEndpoint
{
    /// <summary>Read every read model at one moment</summary>
    /// <remarks>Every read model at (`at`, `asOf`) in one document, so that an auditor can diff two dates; each part is the answer of the read endpoint itself for the same `at` and `asOf`.</remarks>
    [WolverineGet("/api/audit/snapshot", OperationId = "GetAuditSnapshot")]
    [ForAuditors]
    [Tags("Audit")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<Results<Ok<AuditSnapshot>, ProblemHttpResult>> Get(
        [AsParameters] TimeQuery time, TimelineQueries timeline, IQuerySession session,
        RegionLookup regions, ControlMapReader maps, CeasefireReader ceasefires, ProposalFigures figures, LedgerClock clock,
        CancellationToken cancellation)
    {
        if (!time.TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        // The bounds as exact instants, so that every part answers for the same moment.
        var moment = TimeQuery.Of(temporal);
        var totals = await GetCasualtyTotalsEndpoint.Get(
            new CasualtyTotalsQuery(At: moment.At, AsOf: moment.AsOf, GroupBy: "perpetrator"), timeline, session, regions, clock, cancellation);
        var attacks = await ListAttacksEndpoint.Get(
            new AttackListQuery(Page: 1, PageSize: Paging.MaxPageSize, At: moment.At, AsOf: moment.AsOf, IncludeRetracted: true), timeline, regions, clock, cancellation);
        var controlMap = await ControlMapEndpoints.Get(new ControlMapQuery(moment.At, moment.AsOf), maps, regions, clock, cancellation);
        var ceasefireList = await CeasefireReads.List(moment, ceasefires, clock, cancellation);
        var proposals = await GetProposalEndpoints.List(new ProposalListQuery(AsOf: moment.AsOf, PageSize: Paging.MaxPageSize), session, figures, clock, cancellation);
        var observationPosts = await ObservationPostEndpoints.List(moment, session, clock, cancellation);
        var corridors = await CorridorReads.List(moment, session, clock, cancellation);
        return TypedResults.Ok(new AuditSnapshot(
            temporal.At, temporal.AsOf, Answer(totals, "casualtyTotals").Value!, Answer(attacks, "attacks").Value!,
            GeoJson(controlMap, "controlMap"), Answer(ceasefireList, "ceasefires").Value!, Answer(proposals, "proposals").Value!,
            GeoJson(observationPosts, "observationPosts"), GeoJson(corridors, "corridors")));
    }

    /// <summary>What a read answered: the snapshot asks with bounds it has already checked, so a refusal is a bug.</summary>
    private static T Answer<T>(Results<T, ProblemHttpResult> answer, string part) where T : class, IResult =>
        answer.Result as T ?? throw new InvalidOperationException($"the {part} read answered {answer.Result.GetType().Name}");

    private static JsonNode GeoJson(Results<ContentHttpResult, ProblemHttpResult> answer, string part) =>
        JsonNode.Parse(Answer(answer, part).ResponseContent!)!;
}
