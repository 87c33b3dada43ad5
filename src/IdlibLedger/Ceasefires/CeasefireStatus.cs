using System.Text.Json;
using System.Text.Json.Serialization;
using IdlibLedger.Access;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using IdlibLedger.Spatial;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Ceasefires;

/// <summary>How the ledger knows of a violation: reported against the ceasefire, or detected among the recorded attacks.</summary>
[JsonConverter(typeof(WireEnumConverter<ViolationKind>))]
public enum ViolationKind
{
    /// <summary>Reported against the ceasefire (no attack the ledger holds, or an act that is not an attack).</summary>
    [JsonStringEnumMemberName("reported")] Reported,

    /// <summary>A recorded attack by a party, inside the ceasefire's area and period.</summary>
    [JsonStringEnumMemberName("detected")] Detected,
}

/// <summary>One violation: an attack the ledger detected, or one reported against the ceasefire.</summary>
/// <param name="Kind">How the ledger knows of it.</param>
/// <param name="AttackId">The attack's id, or null.</param>
/// <param name="By">The violating party.</param>
/// <param name="OccurredAt">When (UTC).</param>
/// <param name="Description">What happened.</param>
/// <param name="Killed">Killed.</param>
/// <param name="Injured">Injured.</param>
public sealed record Violation(ViolationKind Kind, Guid? AttackId, string By, DateTimeOffset OccurredAt, string Description, Estimate Killed, Estimate Injured);

/// <summary>A ceasefire's status at (at, asOf), its violations and their casualties.</summary>
/// <param name="Id">The ceasefire's id.</param>
/// <param name="DeclaredBy">Who declared it.</param>
/// <param name="Parties">The parties bound.</param>
/// <param name="EffectiveFrom">When it took effect (UTC).</param>
/// <param name="EffectiveUntil">When it ends (UTC), or null.</param>
/// <param name="CollapsedAt">When it collapsed (UTC), or null.</param>
/// <param name="CollapseReason">Why it collapsed, or null.</param>
/// <param name="Terms">Its terms.</param>
/// <param name="ImplementsAgreementId">The agreement it implements, or null.</param>
/// <param name="AreaSource">Where its area came from (a geometry or a region).</param>
/// <param name="AreaKm2">Its area, km².</param>
/// <param name="Area">Its area as declared (or last corrected): a GeoJSON MultiPolygon, for a map.</param>
/// <param name="Status">Where it stands at `at`.</param>
/// <param name="ViolationCount">Violations.</param>
/// <param name="ViolationKilled">Killed in violations.</param>
/// <param name="ViolationInjured">Injured in violations.</param>
/// <param name="LastViolation">The latest violation (UTC), or null.</param>
/// <param name="Violations">The violations.</param>
/// <param name="At">Valid time the answer describes (UTC).</param>
/// <param name="AsOf">Transaction time the answer describes: what the ledger had recorded by then (UTC).</param>
/// <param name="Version">The stream's version as of `asOf`: send it as expectedVersion to correct or retract.</param>
/// <param name="Retracted">Whether it was retracted by `asOf` (a retracted ceasefire is readable by id only).</param>
/// <param name="RetractionReason">Why it was retracted, or null.</param>
/// <param name="RecordedBy">The client whose credentials declared it; only it or an admin may correct or retract it.</param>
/// <param name="History">Its revisions by `asOf`: declared (`recorded`), `corrected` (with the fields), `retracted`, oldest first.</param>
public sealed record CeasefireStatus(
    Guid Id, string DeclaredBy, IReadOnlyList<string> Parties, DateTimeOffset EffectiveFrom, DateTimeOffset? EffectiveUntil,
    DateTimeOffset? CollapsedAt, string? CollapseReason, string? Terms, Guid? ImplementsAgreementId, string AreaSource, double AreaKm2,
    [property: GeoJson(GeometryKinds.Areas)] JsonElement Area, CeasefireState Status, int ViolationCount, Estimate ViolationKilled, Estimate ViolationInjured, Violation? LastViolation,
    IReadOnlyList<Violation> Violations, DateTimeOffset At, DateTimeOffset AsOf,
    int Version, bool Retracted, string? RetractionReason, string? RecordedBy, IReadOnlyList<Revision> History);

/// <summary>Every ceasefire at (`at`, `asOf`).</summary>

/// <param name="Items">The ceasefires.</param>

/// <param name="At">Valid time the answer describes (UTC).</param>

/// <param name="AsOf">Transaction time the answer describes: what the ledger had recorded by then (UTC).</param>

public sealed record CeasefireList(IReadOnlyList<CeasefireStatus> Items, DateTimeOffset At, DateTimeOffset AsOf);

/// <summary>
/// Works out a ceasefire's status and violations. A violation is an attack by a party to the ceasefire (names
/// compared as <see cref="Common.Parties"/> says), inside its area, that began inside its period (from effectiveFrom
/// until collapse or expiry) and by <c>at</c> — read from the attack timeline as known at <c>asOf</c>, so a late
/// report shows only once recorded — plus the violations reported explicitly. The ceasefire itself (parties, area,
/// period) is its stream replayed up to <c>asOf</c>, so a read before a correction uses the original. Everything
/// comes from events; rebuilding gives the same answer.
/// </summary>
public sealed class CeasefireReader(IQuerySession session, TimelineQueries timeline)
{
    public async Task<CeasefireStatus?> StatusAsync(Guid id, Temporal temporal, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(temporal);
        var ceasefire = await session.Events.AggregateStreamAsync<Ceasefire>(id, timestamp: temporal.AsOf, token: cancellation);
        return ceasefire is null ? null : await StatusAsync(ceasefire, temporal, cancellation);
    }

    public async Task<IReadOnlyList<CeasefireStatus>> AllAsync(Temporal temporal, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(temporal);
        var ids = await session.Events.QueryAllRawEvents()
            .Where(e => e.EventTypesAre(typeof(CeasefireDeclared)) && e.Timestamp <= temporal.AsOf)
            .Select(e => e.StreamId).ToListAsync(cancellation);
        var all = new List<CeasefireStatus>();
        foreach (var id in ids.Distinct())
        {
            if (await StatusAsync(id, temporal, cancellation) is { Retracted: false } status)
            {
                all.Add(status);
            }
        }

        return [.. all.OrderByDescending(c => c.EffectiveFrom).ThenBy(c => c.Id)];
    }

    private async Task<CeasefireStatus> StatusAsync(Ceasefire ceasefire, Temporal temporal, CancellationToken cancellation)
    {
        var detected = await DetectedAsync(ceasefire, temporal, cancellation);
        var reported = ceasefire.ReportedViolations
            .Where(v => v.OccurredAt <= temporal.At && v.OccurredAt >= ceasefire.Declaration.EffectiveFrom && (ceasefire.EffectiveUntil is null || v.OccurredAt < ceasefire.EffectiveUntil))
            .Select(v => new Violation(ViolationKind.Reported, null, v.By, v.OccurredAt, v.Description, Estimate.None, Estimate.None));
        var violations = detected.Concat(reported).OrderBy(v => v.OccurredAt).ToList();
        var area = GeoJson.FromJson(ceasefire.Declaration.Area);
        return new CeasefireStatus(
            ceasefire.Id, ceasefire.Declaration.DeclaredBy, ceasefire.Declaration.Parties, ceasefire.Declaration.EffectiveFrom, ceasefire.EffectiveUntil,
            ceasefire.CollapsedAt, ceasefire.CollapseReason, ceasefire.Declaration.Terms, ceasefire.Declaration.ImplementsAgreementId,
            ceasefire.Declaration.AreaSource, Math.Round(Metric.AreaKm2(area), 3), ceasefire.Declaration.Area,
            ceasefire.StatusAt(temporal.At, violations.Count), violations.Count,
            violations.Aggregate(Estimate.None, (sum, v) => sum.Plus(v.Killed)), violations.Aggregate(Estimate.None, (sum, v) => sum.Plus(v.Injured)),
            violations.LastOrDefault(), violations, temporal.At, temporal.AsOf,
            ceasefire.Version, ceasefire.Retracted, ceasefire.RetractionReason, ceasefire.RecordedBy, ceasefire.History);
    }

    private async Task<IEnumerable<Violation>> DetectedAsync(Ceasefire ceasefire, Temporal temporal, CancellationToken cancellation)
    {
        var attacks = await timeline.AttacksInAreaAsync(
            ceasefire.Declaration.Parties, ceasefire.Declaration.Area.GetRawText(), ceasefire.Declaration.EffectiveFrom, ceasefire.EndsAt, temporal, cancellation);
        return attacks.Select(a => new Violation(ViolationKind.Detected, a.AttackId, a.Perpetrator, a.OccurredFrom, a.Description, a.Killed, a.Injured));
    }
}

public static class CeasefireReads
{
    /// <summary>Read one ceasefire</summary>
    /// <remarks>The ceasefire at (`at`, `asOf`): its terms, status and violations — the reported ones and the recorded attacks inside its area and period — as corrected by `asOf`, with its version and history. A retracted ceasefire stays readable here (`retracted: true`). 404 when unknown then. Valid time is `at`, transaction time `asOf` (ISO 8601; default now).</remarks>
    /// <param name="id">The ceasefire's id (UUID), as returned in the receipt and the Location header.</param>
    [WolverineGet("/api/ceasefires/{id}", OperationId = "GetCeasefire")]
    [ForViewers]
    [Tags("Ceasefires")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<Results<Ok<CeasefireStatus>, ProblemHttpResult>> Get(
        Guid id, [AsParameters] TimeQuery time, CeasefireReader ceasefires, LedgerClock clock, CancellationToken cancellation)
    {
        if (!time.TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        return await ceasefires.StatusAsync(id, temporal, cancellation) is { } status
            ? TypedResults.Ok(status)
            : TypedResults.Problem(LedgerProblems.NotFound($"no ceasefire {id} was declared as of {temporal.AsOf:O}"));
    }

    /// <summary>List ceasefires</summary>

    /// <remarks>Every ceasefire at (`at`, `asOf`) with its status, as corrected by `asOf`; retracted ones are left out. Valid time is `at`, transaction time `asOf` (ISO 8601; default now).</remarks>

    [WolverineGet("/api/ceasefires", OperationId = "ListCeasefires")]
    [ForViewers]
    [Tags("Ceasefires")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<Results<Ok<CeasefireList>, ProblemHttpResult>> List(
        [AsParameters] TimeQuery time, CeasefireReader ceasefires, LedgerClock clock, CancellationToken cancellation)
    {
        if (!time.TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        return TypedResults.Ok(new CeasefireList(await ceasefires.AllAsync(temporal, cancellation), temporal.At, temporal.AsOf));
    }
}
