using System.Text.Json;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using IdlibLedger.Spatial;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Territory.Agreements;

/// <summary>A named area of an agreement; <c>heldBy</c> names the party the agreement leaves it to, if any.</summary>
/// <param name="Name">The zone's name.</param>
/// <param name="Kind">What the zone is (e.g. demilitarised, de-escalation).</param>
/// <param name="HeldBy">The actor the agreement gives it to, or null.</param>
/// <param name="Area">A GeoJSON Polygon or MultiPolygon; GeoJSON geometry in WGS 84, positions as [longitude, latitude].</param>
public sealed record AgreementZone(string? Name, string? Kind, string? HeldBy, [property: GeoJson(GeometryKinds.Areas)] JsonElement? Area);

/// <summary>A line an agreement draws.</summary>
/// <param name="Name">The line's name.</param>
/// <param name="Line">A GeoJSON LineString or MultiLineString; GeoJSON geometry in WGS 84, positions as [longitude, latitude].</param>
public sealed record AgreementLine(string? Name, [property: GeoJson(GeometryKinds.Lines)] JsonElement? Line);

public sealed record AgreementRegistered(
    Guid AgreementId, string Name, DateOnly SignedOn, IReadOnlyList<string> Parties,
    IReadOnlyList<AgreementZone> Zones, IReadOnlyList<AgreementLine> Lines, IReadOnlyList<Source> Sources);

/// <summary>RegisterAgreement: a baseline such as the Sochi memorandum, with its zones and lines.</summary>
/// <param name="Name">Its name. Required; At most 200 characters.</param>
/// <param name="SignedOn">The day it was signed (YYYY-MM-DD). Required.</param>
/// <param name="Parties">The signing parties; at least one.</param>
/// <param name="Zones">Its zones.</param>
/// <param name="Lines">Its lines.</param>
/// <param name="Sources">The sources it rests on; at least one.</param>
/// <param name="Id">Optional UUID (not all zeros) naming the new stream, so that a retry is recognised however late; without it the ledger picks a new UUIDv7.</param>
public sealed record RegisterAgreement(
    string? Name, DateOnly? SignedOn, IReadOnlyList<string>? Parties, IReadOnlyList<AgreementZone>? Zones,
    IReadOnlyList<AgreementLine>? Lines = null, IReadOnlyList<Source>? Sources = null, Guid? Id = null)
{
    public sealed class Validator : AbstractValidator<RegisterAgreement>
    {
        public Validator(GeometryLimits limits, LedgerClock clock)
        {
            RuleFor(c => c.Name).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.SignedOn).NotNull()
                .Must(d => d is null || d <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)).WithMessage("signedOn cannot be in the future");
            RuleFor(c => c.Parties).NotEmpty().WithMessage("an agreement has at least one party");
            RuleForEach(c => c.Parties).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Zones).NotNull();
            RuleForEach(c => c.Zones).NotNull().ChildRules(zone =>
            {
                zone.RuleFor(z => z.Name).NotEmpty().MaximumLength(Limits.Name);
                zone.RuleFor(z => z.Area).NotNull().MustBeGeometry(GeometryKinds.Areas, limits);
            });
            RuleForEach(c => c.Lines).NotNull().ChildRules(line =>
            {
                line.RuleFor(l => l.Name).NotEmpty().MaximumLength(Limits.Name);
                line.RuleFor(l => l.Line).NotNull().MustBeGeometry(GeometryKinds.Lines, limits);
            });
            RuleForEach(c => c.Sources).NotNull().SetValidator(new Source.Validator(clock));
            RuleFor(c => c.Id).NotEqual(Guid.Empty);
        }
    }
}

/// <summary>An agreement as registered, read back as of <c>asOf</c>.</summary>
/// <param name="Id">The agreement's id.</param>
/// <param name="Name">Its name.</param>
/// <param name="SignedOn">The day it was signed.</param>
/// <param name="Parties">The signing parties.</param>
/// <param name="Zones">Its zones.</param>
/// <param name="Lines">Its lines.</param>
/// <param name="Sources">The sources it rests on.</param>
/// <param name="RecordedAt">When the ledger recorded it (transaction time, UTC).</param>
public sealed record Agreement(
    Guid Id, string Name, DateOnly SignedOn, IReadOnlyList<string> Parties,
    IReadOnlyList<AgreementZone> Zones, IReadOnlyList<AgreementLine> Lines, IReadOnlyList<Source> Sources, DateTimeOffset RecordedAt)
{
    public static Agreement Create(IEvent<AgreementRegistered> e) =>
        new(e.Data.AgreementId, e.Data.Name, e.Data.SignedOn, e.Data.Parties, e.Data.Zones, e.Data.Lines, e.Data.Sources, e.Timestamp);
}

/// <summary>An agreement with the area of each zone, as recorded by `asOf`.</summary>

/// <param name="Agreement">The agreement.</param>

/// <param name="ZoneAreas">The area of each zone.</param>

/// <param name="AsOf">Transaction time the answer describes: what the ledger had recorded by then (UTC).</param>

public sealed record AgreementDetails(Agreement Agreement, IReadOnlyList<ZoneArea> ZoneAreas, DateTimeOffset AsOf);

/// <summary>The area of one zone.</summary>

/// <param name="Name">The zone's name.</param>

/// <param name="HeldBy">Its holder, or null.</param>

/// <param name="AreaKm2">Its area, km².</param>

public sealed record ZoneArea(string Name, string? HeldBy, double AreaKm2);

public static class AgreementEndpoints
{
    /// <summary>Register an agreement</summary>
    /// <remarks>Records a signed agreement (such as the Sochi memorandum) with its zones and lines, each a GeoJSON geometry. 201 with Location /api/agreements/{id}; 200 with `alreadyRecorded: true` for a retry with the same `id`. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>
    [WolverinePost("/api/agreements", OperationId = "RegisterAgreement")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<Receipt>(StatusCodes.Status201Created)]
    [ProducesResponseType<Receipt>(StatusCodes.Status200OK)]
    public static async Task<IResult> Post(
        RegisterAgreement command, IDocumentSession session, CancellationToken cancellation)
    {
        var start = await Streams.StartOnceAsync(session, command.Id, typeof(Agreement), id => Decision.Start(Decide(command, id)), cancellation);
        return Receipt.Answer("/api/agreements", start);
    }

    public static AgreementRegistered Decide(RegisterAgreement command, Guid id) =>
        new(id, command.Name!.Trim(), command.SignedOn!.Value, command.Parties!, command.Zones!, command.Lines ?? [], command.Sources ?? []);

    /// <summary>Read one agreement</summary>

    /// <remarks>The agreement as recorded by `asOf`, with the area of each zone in km². 404 when unknown then.</remarks>

    /// <param name="id">The agreement's id (UUID), as returned in the receipt and the Location header.</param>

    /// <param name="asOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>

    [WolverineGet("/api/agreements/{id}", OperationId = "GetAgreement")]
    [ForViewers]
    [Tags("Territory")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<Results<Ok<AgreementDetails>, ProblemHttpResult>> Get(
        Guid id, string? asOf, IQuerySession session, LedgerClock clock, CancellationToken cancellation)
    {
        if (!new TimeQuery(AsOf: asOf).TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        var agreement = await session.Events.AggregateStreamAsync<Agreement>(id, timestamp: temporal.AsOf, token: cancellation);
        if (agreement is null)
        {
            return TypedResults.Problem(LedgerProblems.NotFound($"no agreement {id} was registered as of {temporal.AsOf:O}"));
        }

        var areas = agreement.Zones.Select(z => new ZoneArea(z.Name!, z.HeldBy, Metric.AreaKm2(GeoJson.FromJson(z.Area!.Value)))).ToList();
        return TypedResults.Ok(new AgreementDetails(agreement, areas, temporal.AsOf));
    }
}
