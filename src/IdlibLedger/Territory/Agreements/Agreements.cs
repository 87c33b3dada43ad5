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
using PartyNames = IdlibLedger.Common.Parties;

namespace IdlibLedger.Territory.Agreements;

/// <summary>A named area of an agreement; <c>heldBy</c> names the party the agreement leaves it to, if any.</summary>
/// <param name="Name">The zone's name.</param>
/// <param name="Kind">What the zone is (e.g. demilitarised, de-escalation).</param>
/// <param name="HeldBy">The actor the agreement gives it to, or null.</param>
/// <param name="Area">A GeoJSON Polygon or MultiPolygon; GeoJSON geometry in WGS 84, positions as [longitude, latitude].</param>
public sealed record AgreementZone(string? Name, string? Kind, string? HeldBy, [property: GeoJson(GeometryKinds.Areas)] JsonElement? Area)
{
    /// <summary>The rules of one zone, at registration and in a correction.</summary>
    public sealed class Validator : AbstractValidator<AgreementZone>
    {
        public Validator(GeometryLimits limits)
        {
            RuleFor(z => z.Name).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(z => z.Area).NotNull().MustBeGeometry(GeometryKinds.Areas, limits);
        }
    }
}

/// <summary>A line an agreement draws.</summary>
/// <param name="Name">The line's name.</param>
/// <param name="Line">A GeoJSON LineString or MultiLineString; GeoJSON geometry in WGS 84, positions as [longitude, latitude].</param>
public sealed record AgreementLine(string? Name, [property: GeoJson(GeometryKinds.Lines)] JsonElement? Line)
{
    /// <summary>The rules of one line, at registration and in a correction.</summary>
    public sealed class Validator : AbstractValidator<AgreementLine>
    {
        public Validator(GeometryLimits limits)
        {
            RuleFor(l => l.Name).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(l => l.Line).NotNull().MustBeGeometry(GeometryKinds.Lines, limits);
        }
    }
}

/// <summary>The agreement's fields as registered, or as a correction made them read.</summary>
/// <param name="AgreementId">The agreement's id.</param>
/// <param name="Name">Its name.</param>
/// <param name="SignedOn">The day it was signed.</param>
/// <param name="Parties">The signing parties.</param>
/// <param name="Zones">Its zones.</param>
/// <param name="Lines">Its lines.</param>
/// <param name="Sources">The sources it rests on.</param>
public sealed record AgreementRegistered(
    Guid AgreementId, string Name, DateOnly SignedOn, IReadOnlyList<string> Parties,
    IReadOnlyList<AgreementZone> Zones, IReadOnlyList<AgreementLine> Lines, IReadOnlyList<Source> Sources);

/// <summary>A correction of an agreement: the agreement as it now reads, the wire names of the fields that changed, and why.</summary>
/// <param name="AgreementId">The agreement's id.</param>
/// <param name="Agreement">The whole agreement after the correction.</param>
/// <param name="Fields">The fields the correction changed, named as in the command.</param>
/// <param name="Reason">Why it was corrected.</param>
public sealed record AgreementCorrected(Guid AgreementId, AgreementRegistered Agreement, IReadOnlyList<string> Fields, string Reason);

/// <summary>A retraction of an agreement: it stays readable by id, and counts as not registered for new commands.</summary>
/// <param name="AgreementId">The agreement's id.</param>
/// <param name="Reason">Why it was retracted.</param>
public sealed record AgreementRetracted(Guid AgreementId, string Reason);

/// <summary>RegisterAgreement: a baseline such as the Sochi memorandum, with its zones and lines.</summary>
/// <param name="Name">Its name. Required; At most 200 characters.</param>
/// <param name="SignedOn">The day it was signed (YYYY-MM-DD). Required.</param>
/// <param name="Parties">The signing parties; at least one, each named once (compared without regard to case).</param>
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
            RuleFor(c => c.SignedOn).NotNull().Must(d => AgreementRules.NotInFuture(d, clock)).WithMessage(AgreementRules.FutureSignature);
            RuleFor(c => c.Parties).NotEmpty().WithMessage("an agreement has at least one party")
                .Must(PartyNames.NoneTwice).WithMessage(AgreementRules.PartyTwice);
            RuleForEach(c => c.Parties).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Zones).NotNull();
            RuleForEach(c => c.Zones).NotNull().SetValidator(new AgreementZone.Validator(limits));
            RuleForEach(c => c.Lines).NotNull().SetValidator(new AgreementLine.Validator(limits));
            RuleForEach(c => c.Sources).NotNull().SetValidator(new Source.Validator(clock));
            RuleFor(c => c.Id).NotEqual(Guid.Empty);
        }
    }
}

/// <summary>The field rules RegisterAgreement and CorrectAgreement share.</summary>
public static class AgreementRules
{
    public const string FutureSignature = "signedOn cannot be in the future";

    public const string PartyTwice = "each party is named once (names are compared without regard to case)";

    public static bool NotInFuture(DateOnly? signedOn, LedgerClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return signedOn is null || signedOn <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
    }
}

/// <summary>An agreement as registered and corrected, read back as of <c>asOf</c>.</summary>
/// <param name="Id">The agreement's id.</param>
/// <param name="Name">Its name.</param>
/// <param name="SignedOn">The day it was signed.</param>
/// <param name="Parties">The signing parties.</param>
/// <param name="Zones">Its zones.</param>
/// <param name="Lines">Its lines.</param>
/// <param name="Sources">The sources it rests on.</param>
/// <param name="RecordedAt">When the ledger first recorded it (transaction time, UTC).</param>
/// <param name="Version">The stream's version: send it as expectedVersion to correct or retract the agreement.</param>
/// <param name="Retracted">Whether it was retracted by `asOf`.</param>
/// <param name="RetractionReason">Why it was retracted, or null.</param>
/// <param name="History">Every revision: recorded, corrected, retracted, oldest first.</param>
/// <param name="RecordedBy">The client whose credentials recorded it; only it or an admin may revise it.</param>
public sealed record Agreement(
    Guid Id, string Name, DateOnly SignedOn, IReadOnlyList<string> Parties,
    IReadOnlyList<AgreementZone> Zones, IReadOnlyList<AgreementLine> Lines, IReadOnlyList<Source> Sources, DateTimeOffset RecordedAt,
    int Version, bool Retracted, string? RetractionReason, IReadOnlyList<Revision> History, string? RecordedBy) : IRevisable
{
    (string What, object Id) IRevisable.Named => ("agreement", Id);

    /// <summary>The agreement's fields as they now read, in the shape of the registration.</summary>
    public AgreementRegistered Terms() => new(Id, Name, SignedOn, Parties, Zones, Lines, Sources);

    public static Agreement Create(IEvent<AgreementRegistered> e) => new(
        e.Data.AgreementId, e.Data.Name, e.Data.SignedOn, e.Data.Parties, e.Data.Zones, e.Data.Lines, e.Data.Sources, e.Timestamp,
        1, false, null, [new Revision(1, "recorded", e.Timestamp, e.UserName ?? "unknown", null, [])], e.UserName);

    public Agreement Apply(IEvent<AgreementCorrected> e) => this with
    {
        Name = e.Data.Agreement.Name,
        SignedOn = e.Data.Agreement.SignedOn,
        Parties = e.Data.Agreement.Parties,
        Zones = e.Data.Agreement.Zones,
        Lines = e.Data.Agreement.Lines,
        Sources = e.Data.Agreement.Sources,
        Version = Version + 1,
        History = [.. History, new Revision(Version + 1, "corrected", e.Timestamp, e.UserName ?? "unknown", e.Data.Reason, e.Data.Fields)],
    };

    public Agreement Apply(IEvent<AgreementRetracted> e) => this with
    {
        Version = Version + 1,
        Retracted = true,
        RetractionReason = e.Data.Reason,
        History = [.. History, new Revision(Version + 1, "retracted", e.Timestamp, e.UserName ?? "unknown", e.Data.Reason, [])],
    };

    /// <summary>
    /// The agreement as known at <paramref name="asOf"/> (default: now), for a command or a read that uses it; null when
    /// it was unknown then or retracted, since a retracted agreement counts as not registered.
    /// </summary>
    public static async Task<Agreement?> StandingAsync(IQuerySession session, Guid id, DateTimeOffset? asOf, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        var agreement = asOf is { } moment
            ? await session.Events.AggregateStreamAsync<Agreement>(id, timestamp: moment, token: cancellation)
            : await session.Events.AggregateStreamAsync<Agreement>(id, token: cancellation);
        return agreement is { Retracted: false } ? agreement : null;
    }
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
        new(id, command.Name!.Trim(), command.SignedOn!.Value, [.. command.Parties!.Select(p => p.Trim())], command.Zones!, command.Lines ?? [], command.Sources ?? []);

    /// <summary>Read one agreement</summary>

    /// <remarks>The agreement as recorded and corrected by `asOf`, with its version, history and the area of each zone in km². A retracted agreement stays readable, with `retracted: true`. 404 when unknown then.</remarks>

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
