using System.Security.Claims;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using IdlibLedger.Territory;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace IdlibLedger.Attacks.Correcting;

/// <summary>
/// CorrectAttackReport: replaces the fields it carries, named as in the report, for a reason. Fields left out
/// stay as they were. <c>expectedVersion</c> is the version the corrector saw; a stale one is refused (409).
/// </summary>
/// <param name="ExpectedVersion">The version the corrector read (&gt; 0); 409 when it is not the current one.</param>
/// <param name="Reason">Why the report is corrected. Required; Free text, at most 4000 characters.</param>
/// <param name="CorrectedBy">Who corrects it; optional (default: the reporter), At most 200 characters.</param>
/// <param name="Perpetrator">New perpetrator; absent or null keeps the current value.</param>
/// <param name="Targets">New targets; absent or null keeps them.</param>
/// <param name="EventType">New event type; absent or null keeps it.</param>
/// <param name="SubEventType">New sub-event type; absent or null keeps it.</param>
/// <param name="Location">New location (GeoJSON Point, [lon, lat] WGS 84); absent or null keeps it.</param>
/// <param name="LocationPrecision">New location precision; absent or null keeps it.</param>
/// <param name="OccurredAt">New instant; any of the four time fields replaces the whole occurrence. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>
/// <param name="OccurredFrom">New range start, with occurredUntil. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>
/// <param name="OccurredUntil">New range end (exclusive), with occurredFrom.</param>
/// <param name="DatePrecision">New date precision; alone it keeps the instant or range.</param>
/// <param name="Description">New description; absent or null keeps it. Free text, at most 4000 characters.</param>
/// <param name="Sources">New sources (not empty); absent or null keeps them.</param>
/// <param name="Casualties">New casualties; absent or null keeps them.</param>
public sealed record CorrectAttackReport(
    long ExpectedVersion,
    string? Reason,
    string? CorrectedBy = null,
    string? Perpetrator = null,
    IReadOnlyList<string>? Targets = null,
    EventType? EventType = null,
    SubEventType? SubEventType = null,
    GeoJsonPoint? Location = null,
    LocationPrecision? LocationPrecision = null,
    DateTimeOffset? OccurredAt = null,
    DateTimeOffset? OccurredFrom = null,
    DateTimeOffset? OccurredUntil = null,
    DatePrecision? DatePrecision = null,
    string? Description = null,
    IReadOnlyList<Source>? Sources = null,
    IReadOnlyList<CategoryCasualties>? Casualties = null)
{
    public sealed class Validator : AbstractValidator<CorrectAttackReport>
    {
        public Validator(LedgerClock clock, GeometryLimits limits)
        {
            RuleFor(c => c.ExpectedVersion).GreaterThan(0);
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
            RuleFor(c => c.CorrectedBy).MaximumLength(Limits.Name);
            RuleFor(c => c.Perpetrator).NotEmpty().MaximumLength(Limits.Name).When(c => c.Perpetrator is not null);
            RuleForEach(c => c.Targets).NotEmpty().MaximumLength(Limits.Name);
            RuleForEach(c => c.Sources).NotNull().WithMessage("a source cannot be null");
            RuleForEach(c => c.Casualties).NotNull().WithMessage("a casualty entry cannot be null");
            RuleFor(c => c.Location).MustBeValidPoint(limits);
            OccurrenceRules.AddOccurrenceRules(this, c => c.OccurredAt, c => c.OccurredFrom, c => c.OccurredUntil, c => c.DatePrecision, clock);
            RuleFor(c => c.Description).NotEmpty().MaximumLength(Limits.Text).When(c => c.Description is not null);
            RuleFor(c => c.Sources).NotEmpty().When(c => c.Sources is not null).WithMessage("a report keeps at least one source");
            RuleForEach(c => c.Sources).SetValidator(new Source.Validator(clock));
            RuleForEach(c => c.Casualties).SetValidator(new FactRules.CategoryCasualtiesValidator());
            RuleFor(c => c)
                .Must(c => c.Changes(null).FieldNames().Count > 0)
                .OverridePropertyName("reason")
                .WithMessage("a correction changes at least one field of the report");
        }
    }

    /// <summary>
    /// The change this correction makes to <paramref name="current"/> (fields already holding the given value
    /// are left out; with no current facts, every given field). Any of occurredAt/occurredFrom/occurredUntil/datePrecision replaces
    /// the whole occurrence, keeping the current precision when none is given.
    /// </summary>
    public AttackFactsChange Changes(AttackFacts? current)
    {
        var occurrenceChanged = OccurredAt is not null || OccurredFrom is not null || OccurredUntil is not null || DatePrecision is not null;
        Occurrence? occurrence = null;
        if (occurrenceChanged)
        {
            var was = current?.Occurrence;
            occurrence = OccurredAt is null && OccurredFrom is null && was is not null
                ? was with { Precision = DatePrecision ?? was.Precision }
                : new Occurrence(OccurredAt, OccurredFrom, OccurredUntil, DatePrecision ?? was?.Precision ?? Common.DatePrecision.Day);
        }

        var change = new AttackFactsChange(
            Perpetrator?.Trim(), Targets, EventType, SubEventType,
            Location is null ? null : GeoJsonPoint.At(Location.Longitude, Location.Latitude),
            LocationPrecision, occurrence, Description, Sources, Casualties);
        return current is null ? change : change.Against(current);
    }
}

public static class CorrectAttackReportEndpoint
{
    /// <summary>
    /// State checks before the decider runs: the caller recorded the report (or is an admin), the version the
    /// client saw, a retracted report is closed, and a correction must change something.
    /// </summary>
    public static ProblemDetails Before(CorrectAttackReport command, AttackReport report, ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(report);
        if (report.MayBeRevisedBy(user, "correct") is { } notYours)
        {
            return notYours;
        }

        if (AttackVersions.Check(command.ExpectedVersion, report) is { } stale)
        {
            return stale;
        }

        if (report.Retracted)
        {
            return LedgerProblems.Conflict($"attack {report.Id} was retracted at version {report.Version}; it can no longer be corrected");
        }

        return command.Changes(report.Facts).FieldNames().Count == 0
            ? LedgerProblems.Invalid("reason", $"the correction changes nothing: every field it gives already has that value at version {report.Version}")
            : WolverineContinue.NoProblems;
    }

    /// <summary>The decider: the correction becomes one AttackReportCorrected event.</summary>
    public static AttackReportCorrected Decide(CorrectAttackReport command, AttackReport report) =>
        new(report.Id, command.Changes(report.Facts), command.Reason!.Trim(), command.CorrectedBy?.Trim());

    /// <summary>Correct an attack report</summary>

    /// <remarks>Appends the fields that change (a correction cannot clear a field). `expectedVersion` must be the current version (409 otherwise, or for a retracted report); only the client that recorded the report or an admin may correct it (403). 404 for an unknown id. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>

    [WolverinePost("/api/attacks/{id}/corrections", OperationId = "CorrectAttackReport")]
    [ForReporters]
    [Tags("Attacks")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(
        CorrectAttackReport command,
        [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] AttackReport report) =>
        (new Receipt(report.Id, report.Version + 1, AlreadyRecorded: false), [Decide(command, report)]);
}
