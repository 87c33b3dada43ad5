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
public sealed record ControlChanged(Guid ChangeId, string Actor, JsonElement Area, Occurrence Occurrence, IReadOnlyList<Source> Sources, string RecordedBy);

/// <summary>RecordControlChange: <c>actor</c> gains <c>area</c> (Polygon or MultiPolygon) at <c>occurredAt</c>.</summary>
public sealed record RecordControlChange(
    string? Actor, JsonElement? Area, IReadOnlyList<Source>? Sources, string? ReportedBy,
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

    /// <remarks>The change as recorded by `asOf` (transaction time; default now). 404 when unknown or not yet recorded then.</remarks>

    /// <param name="id">The control change's id (UUID), as returned in the receipt and the Location header.</param>

    /// <param name="asOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>

    [WolverineGet("/api/control-changes/{id}", OperationId = "GetControlChange")]
    [ForViewers]
    [Tags("Territory")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static Task<Results<Ok<RecordedFact<ControlChanged>>, ProblemHttpResult>> Get(
        Guid id, string? asOf, IQuerySession session, LedgerClock clock, CancellationToken cancellation) =>
        RecordedFacts.GetAsync<ControlChanged>(session, id, asOf, clock, "control change", cancellation);
}
