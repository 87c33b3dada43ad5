using System.Text.Json.Serialization;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;
using PartyNames = IdlibLedger.Common.Parties;

namespace IdlibLedger.Territory.Negotiations;

/// <summary>One party's delegation at a round, and who was in it (military, intelligence, diplomatic).</summary>
/// <param name="Party">The party it represents.</param>
/// <param name="Composition">Who it is made of.</param>
/// <param name="Lead">Who leads it.</param>
public sealed record Delegation(string? Party, IReadOnlyList<DelegationRole>? Composition, string? Lead = null)
{
    /// <summary>The rules of one delegation, when a round is opened and in a correction.</summary>
    public sealed class Validator : AbstractValidator<Delegation>
    {
        public Validator()
        {
            RuleFor(d => d.Party).NotEmpty().MaximumLength(Limits.Name);
            // An unknown role never gets here: the JSON reader refuses it, listing the known ones.
            RuleFor(d => d.Composition).NotEmpty();
            RuleFor(d => d.Lead).MaximumLength(Limits.Name);
        }
    }
}

/// <summary>Which service a delegation's members came from.</summary>
[JsonConverter(typeof(WireEnumConverter<DelegationRole>))]
public enum DelegationRole
{
    [JsonStringEnumMemberName("military")] Military,
    [JsonStringEnumMemberName("intelligence")] Intelligence,
    [JsonStringEnumMemberName("diplomatic")] Diplomatic,
}

/// <param name="RoundId">The round's id.</param>

/// <param name="Name">Its name.</param>

/// <param name="Parties">The parties.</param>

/// <param name="Delegations">The delegations.</param>

/// <param name="Agenda">The agenda.</param>

/// <param name="HeldOn">The day it was held.</param>

/// <param name="Place">Where.</param>

public sealed record NegotiationRoundOpened(Guid RoundId, string? Name, IReadOnlyList<string> Parties, IReadOnlyList<Delegation> Delegations, IReadOnlyList<string> Agenda, DateOnly HeldOn, string? Place);

public sealed record NegotiationOutcomeRecorded(Guid RoundId, string Outcome, DateOnly? ConcludedOn);

/// <summary>A correction of a round: the round and its outcome as they now read, the fields that changed, and why.</summary>
/// <param name="RoundId">The round's id.</param>
/// <param name="Round">The round as opened, after the correction.</param>
/// <param name="Outcome">Its outcome after the correction, or null when none is recorded.</param>
/// <param name="ConcludedOn">The day it concluded after the correction, or null.</param>
/// <param name="Fields">The fields the correction changed, named as in the command.</param>
/// <param name="Reason">Why it was corrected.</param>
public sealed record NegotiationRoundCorrected(
    Guid RoundId, NegotiationRoundOpened Round, string? Outcome, DateOnly? ConcludedOn, IReadOnlyList<string> Fields, string Reason);

/// <summary>A retraction of a round: it stays readable by id, and counts as not recorded for new commands.</summary>
/// <param name="RoundId">The round's id.</param>
/// <param name="Reason">Why it was retracted.</param>
public sealed record NegotiationRoundRetracted(Guid RoundId, string Reason);

/// <summary>A round of talks: who came with whom, what was on the agenda, what came out of it.</summary>
/// <param name="Id">The round's id.</param>
/// <param name="Version">Its stream's version: send it as expectedVersion to correct or retract the round.</param>
/// <param name="Round">The round as opened (and corrected).</param>
/// <param name="Outcome">Its outcome, or null.</param>
/// <param name="ConcludedOn">The day it concluded, or null.</param>
/// <param name="Retracted">Whether it was retracted by `asOf`.</param>
/// <param name="RetractionReason">Why it was retracted, or null.</param>
/// <param name="History">Every revision: recorded, outcome-recorded, corrected, retracted, oldest first.</param>
/// <param name="RecordedBy">The client whose credentials opened it; only it or an admin may correct or retract it.</param>
public sealed record NegotiationRound(
    Guid Id, int Version, NegotiationRoundOpened Round, string? Outcome, DateOnly? ConcludedOn,
    bool Retracted, string? RetractionReason, IReadOnlyList<Revision> History, string? RecordedBy) : IRevisable
{
    (string What, object Id) IRevisable.Named => ("negotiation round", Id);

    public static NegotiationRound Create(IEvent<NegotiationRoundOpened> e) =>
        new(e.Data.RoundId, 1, e.Data, null, null, false, null, [new Revision(1, "recorded", e.Timestamp, e.UserName ?? "unknown", null, [])], e.UserName);

    public NegotiationRound Apply(IEvent<NegotiationOutcomeRecorded> e) => this with
    {
        Version = Version + 1,
        Outcome = e.Data.Outcome,
        ConcludedOn = e.Data.ConcludedOn,
        History = [.. History, new Revision(Version + 1, "outcome-recorded", e.Timestamp, e.UserName ?? "unknown", null, [])],
    };

    public NegotiationRound Apply(IEvent<NegotiationRoundCorrected> e) => this with
    {
        Version = Version + 1,
        Round = e.Data.Round,
        Outcome = e.Data.Outcome,
        ConcludedOn = e.Data.ConcludedOn,
        History = [.. History, new Revision(Version + 1, "corrected", e.Timestamp, e.UserName ?? "unknown", e.Data.Reason, e.Data.Fields)],
    };

    public NegotiationRound Apply(IEvent<NegotiationRoundRetracted> e) => this with
    {
        Version = Version + 1,
        Retracted = true,
        RetractionReason = e.Data.Reason,
        History = [.. History, new Revision(Version + 1, "retracted", e.Timestamp, e.UserName ?? "unknown", e.Data.Reason, [])],
    };

    /// <summary>The round as known at <paramref name="asOf"/> (default: now); null when unknown then or retracted.</summary>
    public static async Task<NegotiationRound?> StandingAsync(IQuerySession session, Guid id, DateTimeOffset? asOf, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        var round = asOf is { } moment
            ? await session.Events.AggregateStreamAsync<NegotiationRound>(id, timestamp: moment, token: cancellation)
            : await session.Events.AggregateStreamAsync<NegotiationRound>(id, token: cancellation);
        return round is { Retracted: false } ? round : null;
    }
}

/// <summary>The rules a round must keep as a whole, when opened and after a correction.</summary>
public static class NegotiationRules
{
    public const string TwoParties = "talks have at least two parties";

    public const string PartyTwice = "each party is named once (names are compared without regard to case)";

    public const string DelegationOfAParty = "every delegation belongs to one of the parties";

    /// <summary>Every delegation's party is one of <paramref name="parties"/> (compared as party names are).</summary>
    public static bool DelegationsOfParties(IReadOnlyList<string>? parties, IReadOnlyList<Delegation?>? delegations) =>
        delegations is null || parties is null || delegations.All(d => d?.Party is null || parties.Any(p => Parties.Same(p, d.Party)));
}

/// <param name="Parties">The parties; at least two.</param>

/// <param name="Delegations">The delegations.</param>

/// <param name="Agenda">The agenda.</param>

/// <param name="HeldOn">The day it is held (YYYY-MM-DD). Required.</param>

/// <param name="Name">Its name; optional.</param>

/// <param name="Place">Where; optional.</param>

/// <param name="Id">Optional UUID (not all zeros) naming the new stream, so that a retry is recognised however late; without it the ledger picks a new UUIDv7.</param>

public sealed record OpenNegotiationRound(
    IReadOnlyList<string>? Parties, IReadOnlyList<Delegation>? Delegations, IReadOnlyList<string>? Agenda, DateOnly? HeldOn,
    string? Name = null, string? Place = null, Guid? Id = null)
{
    public sealed class Validator : AbstractValidator<OpenNegotiationRound>
    {
        public Validator()
        {
            RuleFor(c => c.Parties).NotEmpty().Must(p => p is null || p.Count >= 2).WithMessage(NegotiationRules.TwoParties)
                .Must(PartyNames.NoneTwice).WithMessage(NegotiationRules.PartyTwice);
            RuleForEach(c => c.Parties).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Delegations).NotNull();
            RuleForEach(c => c.Delegations).NotNull().SetValidator(new Delegation.Validator());
            RuleFor(c => c).Must(c => NegotiationRules.DelegationsOfParties(c.Parties, c.Delegations))
                .OverridePropertyName("delegations").WithMessage(NegotiationRules.DelegationOfAParty);
            RuleFor(c => c.Agenda).NotNull();
            RuleForEach(c => c.Agenda).NotEmpty().MaximumLength(Limits.AgendaItem);
            RuleFor(c => c.HeldOn).NotNull();
            RuleFor(c => c.Name).MaximumLength(Limits.Name);
            RuleFor(c => c.Place).MaximumLength(Limits.Name);
            RuleFor(c => c.Id).NotEqual(Guid.Empty);
        }
    }
}

/// <param name="Outcome">How the round ended. Required; Free text, at most 4000 characters.</param>

/// <param name="ConcludedOn">The day it concluded (YYYY-MM-DD); default the day it was held.</param>

public sealed record RecordNegotiationOutcome(string? Outcome, DateOnly? ConcludedOn = null)
{
    public sealed class Validator : AbstractValidator<RecordNegotiationOutcome>
    {
        public Validator() => RuleFor(c => c.Outcome).NotEmpty().MaximumLength(Limits.Text);
    }
}

public static class NegotiationEndpoints
{
    /// <summary>Open a negotiation round</summary>
    /// <remarks>Records a round of talks: parties, delegations, agenda, date and place. 201 with Location /api/negotiations/{id}; 200 with `alreadyRecorded: true` for a retry with the same `id`. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>
    [WolverinePost("/api/negotiations", OperationId = "OpenNegotiationRound")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<Receipt>(StatusCodes.Status201Created)]
    [ProducesResponseType<Receipt>(StatusCodes.Status200OK)]
    public static async Task<IResult> Post(
        OpenNegotiationRound command, IDocumentSession session, CancellationToken cancellation)
    {
        var start = await Streams.StartOnceAsync(session, command.Id, typeof(NegotiationRound), id => Decision.Start(Decide(command, id)), cancellation);
        return Receipt.Answer("/api/negotiations", start);
    }

    public static NegotiationRoundOpened Decide(OpenNegotiationRound command, Guid id) =>
        new(id, command.Name, command.Parties!, command.Delegations!, command.Agenda!, command.HeldOn!.Value, command.Place);

    /// <summary>Read one negotiation round</summary>

    /// <remarks>The round and its outcome as recorded and corrected by `asOf`, with its version and history. A retracted round stays readable, with `retracted: true`. 404 when unknown then.</remarks>

    /// <param name="id">The negotiation round's id (UUID), as returned in the receipt and the Location header.</param>

    /// <param name="asOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>

    [WolverineGet("/api/negotiations/{id}", OperationId = "GetNegotiationRound")]
    [ForViewers]
    [Tags("Territory")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<Results<Ok<NegotiationRound>, ProblemHttpResult>> Get(
        Guid id, string? asOf, IQuerySession session, LedgerClock clock, CancellationToken cancellation)
    {
        if (!new TimeQuery(AsOf: asOf).TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        var round = await session.Events.AggregateStreamAsync<NegotiationRound>(id, timestamp: temporal.AsOf, token: cancellation);
        return round is null
            ? TypedResults.Problem(LedgerProblems.NotFound($"no negotiation round {id} as of {temporal.AsOf:O}"))
            : TypedResults.Ok(round);
    }
}

/// <summary>RecordNegotiationOutcome: a class of its own, since its state check must not run before the other endpoints.</summary>
public static class RecordNegotiationOutcomeEndpoint
{
    public static ProblemDetails Before(RecordNegotiationOutcome command, NegotiationRound round) =>
        round.Retracted ? LedgerProblems.Conflict($"round {round.Id} was retracted; it takes no outcome")
        : round.Outcome is null ? WolverineContinue.NoProblems
        : LedgerProblems.Conflict($"the outcome of round {round.Id} is already recorded; correct it with POST /api/negotiations/{round.Id}/corrections");

    /// <summary>Record a round's outcome</summary>

    /// <remarks>Records how a round ended. 404 for an unknown round; 409 when its outcome is already recorded (correct it instead) or the round is retracted. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>

    [WolverinePost("/api/negotiations/{id}/outcome", OperationId = "RecordNegotiationOutcome")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Outcome(
        RecordNegotiationOutcome command, [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] NegotiationRound round) =>
        (new Receipt(round.Id, round.Version + 1, false), [new NegotiationOutcomeRecorded(round.Id, command.Outcome!.Trim(), command.ConcludedOn)]);
}
