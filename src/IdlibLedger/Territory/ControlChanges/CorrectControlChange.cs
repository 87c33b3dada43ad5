using System.Security.Claims;
using System.Text.Json;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using IdlibLedger.Spatial;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace IdlibLedger.Territory.ControlChanges;

/// <summary>
/// CorrectControlChange: replaces the fields it carries, named as in RecordControlChange, for a reason. Fields left
/// out (or null) stay as they were.
/// </summary>
/// <param name="ExpectedVersion">The version the corrector read (&gt; 0); 409 when it is not the current one.</param>
/// <param name="Reason">Why the change is corrected. Required; free text, at most 4000 characters.</param>
/// <param name="Actor">New actor; at most 200 characters. Absent or null keeps it.</param>
/// <param name="Area">New area, a GeoJSON Polygon or MultiPolygon; GeoJSON geometry in WGS 84, positions as [longitude, latitude]. Absent or null keeps it.</param>
/// <param name="Sources">New sources (at least one); absent or null keeps them.</param>
/// <param name="ReportedBy">New reporter (a desk or person); at most 200 characters, trimmed. Absent or null keeps it.</param>
/// <param name="OccurredAt">New instant (ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC; not in the future); any of the four time fields replaces the whole occurrence.</param>
/// <param name="OccurredFrom">New range start, with occurredUntil (ISO 8601; not in the future).</param>
/// <param name="OccurredUntil">New range end (exclusive), with occurredFrom; not before it.</param>
/// <param name="DatePrecision">New date precision; alone it keeps the instant or range. `days` needs the range form.</param>
public sealed record CorrectControlChange(
    long ExpectedVersion,
    string? Reason,
    string? Actor = null,
    [property: GeoJson(GeometryKinds.Areas)] JsonElement? Area = null,
    IReadOnlyList<Source>? Sources = null,
    string? ReportedBy = null,
    DateTimeOffset? OccurredAt = null,
    DateTimeOffset? OccurredFrom = null,
    DateTimeOffset? OccurredUntil = null,
    DatePrecision? DatePrecision = null)
{
    public sealed class Validator : AbstractValidator<CorrectControlChange>
    {
        public Validator(GeometryLimits limits, LedgerClock clock)
        {
            RuleFor(c => c.ExpectedVersion).GreaterThan(0);
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
            RuleFor(c => c.Actor).NotEmpty().MaximumLength(Limits.Name).When(c => c.Actor is not null);
            RuleFor(c => c.Area).MustBeGeometry(GeometryKinds.Areas, limits);
            OccurrenceRules.AddOccurrenceRules(this, c => c.OccurredAt, c => c.OccurredFrom, c => c.OccurredUntil, c => c.DatePrecision, clock);
            RuleFor(c => c.Sources).NotEmpty().When(c => c.Sources is not null).WithMessage("a control change keeps at least one source");
            RuleForEach(c => c.Sources).NotNull().SetValidator(new Source.Validator(clock));
            RuleFor(c => c.ReportedBy).NotEmpty().MaximumLength(Limits.Name).When(c => c.ReportedBy is not null);
        }
    }

    /// <summary>
    /// The fact as this correction makes it, and the wire names of the fields it changes (a field given with the
    /// value it already has is not a change). Any of occurredAt/occurredFrom/occurredUntil/datePrecision replaces the
    /// whole occurrence, keeping the current precision when none is given, or the current instant or range when only
    /// the precision is.
    /// </summary>
    public (ControlChangeFacts Fact, IReadOnlyList<string> Fields) ApplyTo(ControlChangeFacts current, GeometryLimits limits)
    {
        ArgumentNullException.ThrowIfNull(current);
        var fields = new List<string>();
        T Field<T>(string name, T? given, T was) where T : class
        {
            if (given is null || SameJson(given, was))
            {
                return was;
            }

            fields.Add(name);
            return given;
        }

        var actor = Field("actor", Actor?.Trim(), current.Actor);
        var area = current.Area;
        if (Area is { ValueKind: not JsonValueKind.Null } given
            && GeoJson.ToJson(GeometryFields.AsMultiPolygon(GeometryFields.Checked(given, GeometryKinds.Areas, limits))) is var corrected
            && !SameJson(corrected, current.Area))
        {
            fields.Add("area");
            area = corrected;
        }

        var occurrence = Field("occurrence", NewOccurrence(current.Occurrence), current.Occurrence);
        var sources = Field("sources", Sources, current.Sources);
        var reportedBy = Field("reportedBy", ReportedBy?.Trim(), current.ReportedBy);
        return (new ControlChangeFacts(actor, area, occurrence, sources, reportedBy), fields);
    }

    private Occurrence? NewOccurrence(Occurrence was) =>
        OccurredAt is null && OccurredFrom is null && OccurredUntil is null && DatePrecision is null ? null
        : OccurredAt is null && OccurredFrom is null ? was with { Precision = DatePrecision ?? was.Precision }
        : new Occurrence(OccurredAt, OccurredFrom, OccurredUntil, DatePrecision ?? was.Precision);

    // Records hold lists and JSON by reference; their JSON says whether the ledger would record anything new.
    private static bool SameJson<T>(T a, T b) =>
        JsonSerializer.Serialize(a, LedgerJson.Options) == JsonSerializer.Serialize(b, LedgerJson.Options);
}

public static class CorrectControlChangeEndpoint
{
    /// <summary>
    /// Before the decider: the caller recorded the change (or is an admin), the version it saw is current, the change
    /// is not retracted, the corrected fact passes the rules of a recorded one, and the correction changes something.
    /// </summary>
    public static ProblemDetails Before(CorrectControlChange command, ControlChange change, ClaimsPrincipal user, GeometryLimits limits)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(change);
        if (Revisions.Allow(user, change, command.ExpectedVersion, "correct") is { } refused)
        {
            return refused;
        }

        var (fact, fields) = command.ApplyTo(change.Fact, limits);
        if (fact.Occurrence is { Precision: DatePrecision.Days } days && (days.OccurredFrom is null || days.OccurredUntil is null))
        {
            return LedgerProblems.Invalid("datePrecision", "datePrecision 'days' needs occurredFrom and occurredUntil: give the range with it");
        }

        return fields.Count == 0
            ? LedgerProblems.Invalid("reason", $"the correction changes nothing: every field it gives already has that value at version {change.Version}")
            : WolverineContinue.NoProblems;
    }

    /// <summary>The decider: the correction becomes one ControlChangeCorrected carrying the whole corrected fact.</summary>
    public static ControlChangeCorrected Decide(CorrectControlChange command, ControlChange change, GeometryLimits limits)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(change);
        var (fact, fields) = command.ApplyTo(change.Fact, limits);
        return new ControlChangeCorrected(change.Id, fact, fields, command.Reason!.Trim());
    }

    /// <summary>Correct a control change</summary>
    /// <remarks>Replaces the fields given (actor, area, the occurrence, sources, reportedBy; absent or null keeps a field) for a reason. The control map, its shares, front lines and the holder of a point use the corrected change from the correction's recording on; a read with an earlier `asOf` still shows the change as it was. `expectedVersion` must be the current version (409 otherwise, or for a retracted change); only the client that recorded the change or an admin may correct it (403). 404 for an unknown id. A correction that changes nothing, or a bad field, is 400 naming it; nothing is recorded then.</remarks>
    [WolverinePost("/api/control-changes/{id}/corrections", OperationId = "CorrectControlChange")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(
        CorrectControlChange command,
        [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] ControlChange change,
        GeometryLimits limits) =>
        (new Receipt(change.Id, change.Version + 1, AlreadyRecorded: false), [Decide(command, change, limits)]);
}
