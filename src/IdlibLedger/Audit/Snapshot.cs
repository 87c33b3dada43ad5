using System.Text.Json;
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
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace IdlibLedger.Audit;

/// <summary>
/// Every read model at (at, asOf) in one document, so that an auditor can diff two dates. Each part is the
/// answer of the read endpoint itself, asked with the same at and asOf: one implementation of each read.
/// </summary>
public static class SnapshotEndpoint
{
    [WolverineGet("/api/audit/snapshot", OperationId = "GetAuditSnapshot")]
    [ForAuditors]
    [Tags("Audit")]
    public static async Task<IResult> Get(
        string? at, string? asOf, HttpContext http, TimelineQueries timeline, IQuerySession session,
        RegionLookup regions, ControlMapReader maps, CeasefireReader ceasefires, ProposalFigures figures, LedgerClock clock,
        IOptions<JsonOptions> json, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(json);
        if (!Temporal.TryParse(at, asOf, clock, out var temporal, out var problem))
        {
            return problem!;
        }

        // The bounds as exact instants, so that every part answers for the same moment.
        var atText = temporal.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var asOfText = temporal.AsOf.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var options = json.Value.SerializerOptions;
        var parts = new (string Name, Func<Task<IResult>> Read)[]
        {
            ("casualtyTotals", async () => (await GetCasualtyTotalsEndpoint.Get(new CasualtyTotalsQuery(At: atText, AsOf: asOfText, GroupBy: "perpetrator"), timeline, session, regions, clock, cancellation)).Result),
            ("attacks", async () => (await ListAttacksEndpoint.Get(new AttackListQuery(Page: 1, PageSize: Paging.MaxPageSize, At: atText, AsOf: asOfText, IncludeRetracted: true), timeline, regions, clock, cancellation)).Result),
            ("controlMap", () => ControlMapEndpoints.Get(atText, asOfText, null, maps, regions, clock, cancellation)),
            ("ceasefires", () => CeasefireReads.List(atText, asOfText, ceasefires, clock, cancellation)),
            ("proposals", () => GetProposalEndpoints.List(null, asOfText, 1, Paging.MaxPageSize, session, figures, clock, cancellation)),
            ("observationPosts", () => ObservationPostEndpoints.List(atText, asOfText, session, clock, cancellation)),
            ("corridors", () => CorridorReads.List(atText, asOfText, session, clock, cancellation)),
        };

        var snapshot = new JsonObject { ["at"] = temporal.At, ["asOf"] = temporal.AsOf };
        foreach (var (name, read) in parts)
        {
            snapshot[name] = await read() switch
            {
                IValueHttpResult { Value: var value } => JsonSerializer.SerializeToNode(value, options),
                ContentHttpResult { ResponseContent: { } text } => JsonNode.Parse(text),
                var other => throw new InvalidOperationException($"the {name} read answered {other.GetType().Name}"),
            };
        }

        return Results.Ok(snapshot);
    }
}
