using System.Security.Claims;
using System.Text.Json;
using IdlibLedger.Common;
using JasperFx.Events;
using Microsoft.AspNetCore.Mvc;

namespace IdlibLedger.Attacks;

// Events of an attack's stream. Immutable facts, past tense; recordedAt is Marten's event timestamp.

public sealed record AttackReported(Guid AttackId, AttackFacts Facts, string ReportedBy);

/// <summary>Only the fields that change are set; the others are null (as in the correction command).</summary>
public sealed record AttackReportCorrected(Guid AttackId, AttackFactsChange Changes, string Reason, string? CorrectedBy);

public sealed record AttackReportRetracted(Guid AttackId, string Reason, string? RetractedBy);

/// <summary>A party disputes the report (typically a claim), for a reason, with counter-evidence.</summary>
/// <param name="AttackId">The disputed attack's id.</param>
/// <param name="Party">The disputing party.</param>
/// <param name="Reason">Why it disputes the report.</param>
/// <param name="CounterEvidence">Sources it gave against the report.</param>
public sealed record AttackReportDisputed(Guid AttackId, string Party, string Reason, IReadOnlyList<Source> CounterEvidence);

/// <summary>The fields a correction replaces. Null means "unchanged".</summary>
public sealed record AttackFactsChange(
    string? Perpetrator = null,
    IReadOnlyList<string>? Targets = null,
    EventType? EventType = null,
    SubEventType? SubEventType = null,
    GeoJsonPoint? Location = null,
    LocationPrecision? LocationPrecision = null,
    Occurrence? Occurrence = null,
    string? Description = null,
    IReadOnlyList<Source>? Sources = null,
    IReadOnlyList<CategoryCasualties>? Casualties = null)
{
    public AttackFacts ApplyTo(AttackFacts facts) => facts with
    {
        Perpetrator = Perpetrator ?? facts.Perpetrator,
        Targets = Targets ?? facts.Targets,
        EventType = EventType ?? facts.EventType,
        SubEventType = SubEventType ?? facts.SubEventType,
        Location = Location ?? facts.Location,
        LocationPrecision = LocationPrecision ?? facts.LocationPrecision,
        Occurrence = Occurrence ?? facts.Occurrence,
        Description = Description ?? facts.Description,
        Sources = Sources ?? facts.Sources,
        Casualties = Casualties ?? facts.Casualties,
    };

    /// <summary>This change without the fields that already hold the value it gives them.</summary>
    public AttackFactsChange Against(AttackFacts current)
    {
        ArgumentNullException.ThrowIfNull(current);
        T? IfChanged<T>(T? given, T was) => given is not null && !SameJson(given, was) ? given : default;
        return new AttackFactsChange(
            IfChanged(Perpetrator, current.Perpetrator), IfChanged(Targets, current.Targets), IfChanged(EventType, current.EventType),
            IfChanged(SubEventType, current.SubEventType), IfChanged(Location, current.Location), IfChanged(LocationPrecision, current.LocationPrecision),
            IfChanged(Occurrence, current.Occurrence), IfChanged(Description, current.Description), IfChanged(Sources, current.Sources),
            IfChanged(Casualties, current.Casualties));
    }

    // Lists compare by reference in records; their JSON says whether the ledger would record anything new.
    private static bool SameJson<T>(T a, T b) =>
        JsonSerializer.Serialize(a, Infrastructure.LedgerJson.Options) == JsonSerializer.Serialize(b, Infrastructure.LedgerJson.Options);

    /// <summary>The wire names of the fields this change sets, for the report's history.</summary>
    public IReadOnlyList<string> FieldNames() =>
    [
        .. new (string Name, object? Value)[]
        {
            ("perpetrator", Perpetrator), ("targets", Targets), ("eventType", EventType), ("subEventType", SubEventType),
            ("location", Location), ("locationPrecision", LocationPrecision), ("occurrence", Occurrence),
            ("description", Description), ("sources", Sources), ("casualties", Casualties),
        }.Where(field => field.Value is not null).Select(field => field.Name),
    ];
}

/// <summary>
/// An attack report as the ledger knows it: the write model of the decider and the answer of
/// <c>GET /api/attacks/{id}</c> (aggregated live from the stream up to <c>asOf</c>).
/// </summary>
/// <param name="Id">The report's id.</param>
/// <param name="Version">The stream's version: send it as expectedVersion to correct or retract.</param>
/// <param name="Facts">The facts as currently corrected.</param>
/// <param name="ReportedBy">Who reported it.</param>
/// <param name="RecordedAt">When it was first recorded (transaction time, UTC).</param>
/// <param name="Retracted">Whether it was retracted.</param>
/// <param name="RetractionReason">Why it was retracted, or null.</param>
/// <param name="History">Every revision: report, corrections, disputes, retraction, oldest first.</param>
/// <param name="Disputes">The disputes recorded against it.</param>
/// <param name="RecordedBy">The client whose credentials recorded it; only it or an admin may revise it.</param>
public sealed record AttackReport(
    Guid Id,
    int Version,
    AttackFacts Facts,
    string ReportedBy,
    DateTimeOffset RecordedAt,
    bool Retracted,
    string? RetractionReason,
    IReadOnlyList<Revision> History,
    IReadOnlyList<AttackReportDisputed>? Disputes = null,
    string? RecordedBy = null)
{
    /// <summary>Corrections and retractions stay with the client that recorded the report, unless an admin steps in.</summary>
    public ProblemDetails? MayBeRevisedBy(ClaimsPrincipal caller, string change)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.IsInRole(Access.Roles.Admin) || string.Equals(caller.Identity?.Name, RecordedBy, StringComparison.Ordinal)
            ? null
            : new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Only the client that recorded the report can revise it",
                Type = "https://www.rfc-editor.org/rfc/rfc9110#name-403-forbidden",
                Detail = $"attack {Id} was recorded by '{RecordedBy}'; '{caller.Identity?.Name}' may not {change} it (an admin may). Nothing was recorded.",
            };
    }

    /// <summary>
    /// The grading (after Airwars), derived from sources, claims and disputes: discounted (retracted),
    /// contested (disputed by a party), confirmed (the perpetrator itself claims it), fair (two or more outlets),
    /// weak (a single source).
    /// </summary>
    public AttackGrading Grading =>
        Retracted ? AttackGrading.Discounted
        : Disputes is { Count: > 0 } ? AttackGrading.Contested
        : Facts.ClaimedBy is { } claimant && Parties.Same(claimant, Facts.Perpetrator) ? AttackGrading.Confirmed
        : Facts.Sources.Select(s => s.Outlet?.Trim().ToLowerInvariant()).Distinct().Count() >= 2 ? AttackGrading.Fair
        : AttackGrading.Weak;

    /// <summary>
    /// Whether the report counts figures an import repaired because its source row's own figures disagreed
    /// (<see cref="Provenance.Anomaly"/>), no correction of its casualties having replaced them since. Totals count
    /// such reports as anomalous.
    /// </summary>
    public bool CountsRepairedFigures() =>
        Facts.Provenance?.Anomaly is not null && !History.Any(r => r.Fields.Contains("casualties", StringComparer.Ordinal));

    public static AttackReport Create(IEvent<AttackReported> e) => new(
        e.Data.AttackId,
        1,
        e.Data.Facts,
        e.Data.ReportedBy,
        e.Timestamp,
        false,
        null,
        [new Revision(1, "reported", e.Timestamp, e.Data.ReportedBy, null, [])],
        RecordedBy: e.UserName);

    public AttackReport Apply(IEvent<AttackReportCorrected> e) => this with
    {
        Version = Version + 1,
        Facts = e.Data.Changes.ApplyTo(Facts),
        History = [.. History, new Revision(Version + 1, "corrected", e.Timestamp, e.Data.CorrectedBy ?? ReportedBy, e.Data.Reason, e.Data.Changes.FieldNames())],
    };

    public AttackReport Apply(IEvent<AttackReportDisputed> e) => this with
    {
        Version = Version + 1,
        Disputes = [.. Disputes ?? [], e.Data],
        History = [.. History, new Revision(Version + 1, "disputed", e.Timestamp, e.Data.Party, e.Data.Reason, [])],
    };

    public AttackReport Apply(IEvent<AttackReportRetracted> e) => this with
    {
        Version = Version + 1,
        Retracted = true,
        RetractionReason = e.Data.Reason,
        History = [.. History, new Revision(Version + 1, "retracted", e.Timestamp, e.Data.RetractedBy ?? ReportedBy, e.Data.Reason, [])],
    };
}
