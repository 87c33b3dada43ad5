using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using IdlibLedger.Territory;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Attacks.Reporting;

/// <summary>
/// ReportAttack: a monitoring desk reports an attack. <c>id</c> is optional: give one and a retried report is
/// recognised instead of appended twice (the <c>Idempotency-Key</c> header does the same for 24 h). Give
/// <c>occurredAt</c>, or <c>occurredFrom</c> and <c>occurredUntil</c>.
/// </summary>
/// <param name="Perpetrator">The actor who carried out the attack, or `unknown`. Required; At most 200 characters.</param>
/// <param name="Targets">What or who was hit; required, may be empty; each item non-empty, At most 200 characters.</param>
/// <param name="EventType">ACLED event type. Required.</param>
/// <param name="Location">Where it happened: a GeoJSON Point, [longitude, latitude] in WGS 84; longitude in [-180, 180], latitude in [-90, 90]; an altitude is accepted but not stored. Required.</param>
/// <param name="LocationPrecision">How precisely the location is known. Required.</param>
/// <param name="DatePrecision">How precisely the time is known; `days` needs the range form. Required.</param>
/// <param name="Description">What happened. Required; Free text, at most 4000 characters.</param>
/// <param name="Sources">The sources the report rests on; at least one.</param>
/// <param name="Casualties">Killed and injured per category; required, `[]` when there were none.</param>
/// <param name="ReportedBy">Who reports it (a desk or person); at most 200 characters, trimmed. Required.</param>
/// <param name="SubEventType">ACLED sub-event type; optional.</param>
/// <param name="OccurredAt">When the attack happened, as an instant (ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC. not in the future). Give it, or occurredFrom with occurredUntil.</param>
/// <param name="OccurredFrom">Start of the range the attack happened in (ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC. not in the future); with occurredUntil, instead of occurredAt.</param>
/// <param name="OccurredUntil">End (exclusive) of the range the attack happened in, not before occurredFrom.</param>
/// <param name="Id">Optional UUID (not all zeros) naming the new stream, so that a retry is recognised however late; without it the ledger picks a new UUIDv7.</param>
/// <param name="ClaimedBy">The party whose claim this report records (makes it a claim); optional, At most 200 characters. Blank counts as absent; a correction cannot change it.</param>
public sealed record ReportAttack(
    string? Perpetrator,
    IReadOnlyList<string>? Targets,
    EventType? EventType,
    GeoJsonPoint? Location,
    LocationPrecision? LocationPrecision,
    DatePrecision? DatePrecision,
    string? Description,
    IReadOnlyList<Source>? Sources,
    IReadOnlyList<CategoryCasualties>? Casualties,
    string? ReportedBy,
    SubEventType? SubEventType = null,
    DateTimeOffset? OccurredAt = null,
    DateTimeOffset? OccurredFrom = null,
    DateTimeOffset? OccurredUntil = null,
    Guid? Id = null,
    string? ClaimedBy = null)
{
    /// <summary>Set by imports only (never read from a body): where the report came from, kept on its facts.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Provenance? Provenance { get; init; }

    public sealed class Validator : AbstractValidator<ReportAttack>
    {
        public Validator(LedgerClock clock, GeometryLimits limits)
        {
            RuleFor(c => c.Perpetrator)
                .NotEmpty().WithMessage("perpetrator is required (an actor, or 'unknown')")
                .MaximumLength(Limits.Name);
            RuleFor(c => c.Targets).NotNull();
            RuleForEach(c => c.Targets).NotEmpty().MaximumLength(Limits.Name);
            RuleForEach(c => c.Sources).NotNull().WithMessage("a source cannot be null");
            RuleForEach(c => c.Casualties).NotNull().WithMessage("a casualty entry cannot be null");
            RuleFor(c => c.EventType).NotNull();
            RuleFor(c => c.Location).NotNull().MustBeValidPoint(limits);
            RuleFor(c => c.LocationPrecision).NotNull();
            RuleFor(c => c)
                .Must(c => c.OccurredAt is not null || c.OccurredFrom is not null)
                .OverridePropertyName("occurredAt")
                .WithMessage("occurredAt (or occurredFrom and occurredUntil) is required");
            OccurrenceRules.AddOccurrenceRules(this, c => c.OccurredAt, c => c.OccurredFrom, c => c.OccurredUntil, c => c.DatePrecision, clock);
            RuleFor(c => c.DatePrecision).NotNull();
            RuleFor(c => c.Description).NotEmpty().MaximumLength(Limits.Text);
            RuleFor(c => c.Sources).NotEmpty().WithMessage("at least one source is required");
            RuleForEach(c => c.Sources).SetValidator(new Source.Validator(clock));
            RuleFor(c => c.Casualties).NotNull().WithMessage("casualties are required (an empty list when there were none)");
            RuleForEach(c => c.Casualties).SetValidator(new FactRules.CategoryCasualtiesValidator());
            RuleFor(c => c.ReportedBy).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Id).NotEqual(Guid.Empty);
            RuleFor(c => c.ClaimedBy).MaximumLength(Limits.Name);
        }
    }

    /// <summary>The facts this report states. Call only on a validated command.</summary>
    public AttackFacts ToFacts() => new(
        Perpetrator!.Trim(),
        Targets!,
        EventType!.Value,
        SubEventType,
        GeoJsonPoint.At(Location!.Longitude, Location.Latitude),
        LocationPrecision!.Value,
        new Occurrence(OccurredAt, OccurredFrom, OccurredUntil, DatePrecision!.Value),
        Description!,
        Sources!,
        Casualties!,
        string.IsNullOrWhiteSpace(ClaimedBy) ? null : ClaimedBy.Trim(),
        Provenance);
}

public static class ReportAttackEndpoint
{
    /// <summary>The decider: a valid report becomes one AttackReported event.</summary>
    public static AttackReported Decide(ReportAttack command, Guid attackId) =>
        new(attackId, command.ToFacts(), command.ReportedBy!.Trim());

    /// <summary>Report an attack</summary>
    /// <remarks>Starts the attack's stream with one AttackReported event. 201 with Location /api/attacks/{id} for a new report; 200 with the same Location and `alreadyRecorded: true` when the body's `id` names a report already recorded (nothing is appended). 409 when two first attempts with the same `id` race. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>
    [WolverinePost("/api/attacks", OperationId = "ReportAttack")]
    [ForReporters]
    [Tags("Attacks")]
    [ProducesResponseType<Receipt>(StatusCodes.Status201Created)]
    [ProducesResponseType<Receipt>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static async Task<IResult> Post(ReportAttack command, IDocumentSession session, CancellationToken cancellation)
    {
        var start = await Streams.StartOnceAsync(session, command.Id, typeof(AttackReport), id => Decision.Start(Decide(command, id)), cancellation);
        return Receipt.Answer("/api/attacks", start);
    }
}
