using System.Text.Json;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using IdlibLedger.Spatial;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Territory.ControlChanges;

/// <summary>An actor took an area (valid time in <c>occurrence</c>). Whoever held any of it before lost that part.</summary>
/// <param name="ChangeId">The change's id.</param>
/// <param name="Actor">The actor who took the area.</param>
/// <param name="Area">The area taken; GeoJSON geometry in WGS 84, positions as [longitude, latitude].</param>
/// <param name="Occurrence">When it changed hands (valid time).</param>
/// <param name="Sources">The sources.</param>
/// <param name="RecordedBy">The client that recorded it.</param>
public sealed record ControlChanged(Guid ChangeId, string Actor, [property: GeoJson(GeometryKinds.Areas)] JsonElement Area, Occurrence Occurrence, IReadOnlyList<Source> Sources, string RecordedBy);

/// <summary>RecordControlChange: <c>actor</c> gains <c>area</c> (Polygon or MultiPolygon) at <c>occurredAt</c>.</summary>
/// <param name="Actor">The actor who took the area. Required; At most 200 characters.</param>
/// <param name="Area">A GeoJSON Polygon or MultiPolygon; GeoJSON geometry in WGS 84, positions as [longitude, latitude]. Required.</param>
/// <param name="Sources">The sources; at least one.</param>
/// <param name="ReportedBy">Who reports it (a desk or person); at most 200 characters, trimmed. Required.</param>
/// <param name="OccurredAt">When the change happened, as an instant (ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC. not in the future). Give it, or occurredFrom with occurredUntil.</param>
/// <param name="OccurredFrom">Start of the range the change happened in (ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC. not in the future); with occurredUntil, instead of occurredAt.</param>
/// <param name="OccurredUntil">End (exclusive) of the range the change happened in, not before occurredFrom.</param>
/// <param name="DatePrecision">How precisely the time is known; `days` needs the range form.</param>
/// <param name="Id">Optional UUID (not all zeros) naming the new stream, so that a retry is recognised however late; without it the ledger picks a new UUIDv7.</param>
public sealed record RecordControlChange(
    string? Actor, [property: GeoJson(GeometryKinds.Areas)] JsonElement? Area, IReadOnlyList<Source>? Sources, string? ReportedBy,
    DateTimeOffset? OccurredAt = null, DateTimeOffset? OccurredFrom = null, DateTimeOffset? OccurredUntil = null,
    DatePrecision? DatePrecision = null, Guid? Id = null)
{
    public sealed class Validator : AbstractValidator<RecordControlChange>
    {
        public Validator(GeometryLimits limits, LedgerClock clock)
        {
            RuleFor(c => c.Actor).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Area).NotNull().MustBeGeometry(GeometryKinds.Areas, limits);
            RuleFor(c => c)
                .Must(c => c.OccurredAt is not null || c.OccurredFrom is not null)
                .OverridePropertyName("occurredAt")
                .WithMessage("occurredAt (or occurredFrom and occurredUntil) is required");
            OccurrenceRules.AddOccurrenceRules(this, c => c.OccurredAt, c => c.OccurredFrom, c => c.OccurredUntil, c => c.DatePrecision, clock);
            RuleFor(c => c.Sources).NotEmpty().WithMessage("at least one source is required");
            RuleForEach(c => c.Sources).NotNull().SetValidator(new Source.Validator(clock));
            RuleFor(c => c.ReportedBy).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Id).NotEqual(Guid.Empty);
        }
    }
}

public static class RecordControlChangeEndpoint
{
    public static ControlChanged Decide(RecordControlChange command, Guid id, GeometryLimits limits) => new(
        id,
        command.Actor!.Trim(),
        GeoJson.ToJson(GeometryFields.AsMultiPolygon(GeometryFields.Checked(command.Area, GeometryKinds.Areas, limits))),
        new Occurrence(command.OccurredAt, command.OccurredFrom, command.OccurredUntil, command.DatePrecision ?? DatePrecision.Day),
        command.Sources!,
        command.ReportedBy!.Trim());

    /// <summary>Record a control change</summary>

    /// <remarks>An actor took an area (a GeoJSON Polygon or MultiPolygon) at a time; from then on the control map gives it to that actor. 201 with Location /api/control-changes/{id}; 200 with `alreadyRecorded: true` for a retry with the same `id`. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>

    [WolverinePost("/api/control-changes", OperationId = "RecordControlChange")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<Receipt>(StatusCodes.Status201Created)]
    [ProducesResponseType<Receipt>(StatusCodes.Status200OK)]
    public static async Task<IResult> Post(
        RecordControlChange command, IDocumentSession session, GeometryLimits limits, CancellationToken cancellation)
    {
        var start = await Streams.StartOnceAsync(session, command.Id, null, id => Decision.Start(Decide(command, id, limits)), cancellation);
        return Receipt.Answer("/api/control-changes", start);
    }

    /// <summary>Read one control change</summary>

    /// <remarks>The change as known at `asOf` (transaction time; default now): its fact as last corrected by then, its version (send it as `expectedVersion` to correct or retract), whether it was retracted, and its history. A retracted change stays readable here. 404 when unknown or not yet recorded then.</remarks>

    /// <param name="id">The control change's id (UUID), as returned in the receipt and the Location header.</param>

    /// <param name="asOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>

    [WolverineGet("/api/control-changes/{id}", OperationId = "GetControlChange")]
    [ForViewers]
    [Tags("Territory")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<Results<Ok<ControlChange>, ProblemHttpResult>> Get(
        Guid id, string? asOf, IQuerySession session, LedgerClock clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (!new TimeQuery(AsOf: asOf).TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        var change = await session.Events.AggregateStreamAsync<ControlChange>(id, timestamp: temporal.AsOf, token: cancellation);
        return change is null
            ? TypedResults.Problem(LedgerProblems.NotFound($"no control change {id} was recorded as of {temporal.AsOf:O}"))
            : TypedResults.Ok(change with { AsOf = temporal.AsOf });
    }
}
