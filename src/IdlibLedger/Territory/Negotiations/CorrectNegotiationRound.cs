using System.Security.Claims;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;
using PartyNames = IdlibLedger.Common.Parties;

namespace IdlibLedger.Territory.Negotiations;

/// <summary>
/// CorrectNegotiationRound: replaces the fields it carries, named as when the round was opened or its outcome
/// recorded, for a reason. Fields left out stay as they were.
/// </summary>
/// <param name="ExpectedVersion">The version the corrector read (&gt; 0); 409 when it is not the current one.</param>
/// <param name="Reason">Why the round is corrected. Required; free text, at most 4000 characters.</param>
/// <param name="Parties">New parties (at least two, each named once); absent or null keeps them.</param>
/// <param name="Delegations">New delegations (the whole list; each of one of the parties); absent or null keeps them.</param>
/// <param name="Agenda">New agenda (the whole list); absent or null keeps it.</param>
/// <param name="HeldOn">New day it was held (YYYY-MM-DD); absent or null keeps it.</param>
/// <param name="Name">New name, at most 200 characters; absent or null keeps it.</param>
/// <param name="Place">New place, at most 200 characters; absent or null keeps it.</param>
/// <param name="Outcome">New outcome, at most 4000 characters; only once an outcome is recorded. Absent or null keeps it.</param>
/// <param name="ConcludedOn">New day it concluded (YYYY-MM-DD); only once an outcome is recorded. Absent or null keeps it.</param>
public sealed record CorrectNegotiationRound(
    long ExpectedVersion,
    string? Reason,
    IReadOnlyList<string>? Parties = null,
    IReadOnlyList<Delegation>? Delegations = null,
    IReadOnlyList<string>? Agenda = null,
    DateOnly? HeldOn = null,
    string? Name = null,
    string? Place = null,
    string? Outcome = null,
    DateOnly? ConcludedOn = null)
{
    public sealed class Validator : AbstractValidator<CorrectNegotiationRound>
    {
        public Validator()
        {
            RuleFor(c => c.ExpectedVersion).GreaterThan(0);
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
            RuleFor(c => c.Parties).Must(p => p!.Count >= 2).WithMessage(NegotiationRules.TwoParties)
                .Must(PartyNames.NoneTwice).WithMessage(NegotiationRules.PartyTwice).When(c => c.Parties is not null);
            RuleForEach(c => c.Parties).NotEmpty().MaximumLength(Limits.Name);
            RuleForEach(c => c.Delegations).NotNull().SetValidator(new Delegation.Validator());
            RuleForEach(c => c.Agenda).NotEmpty().MaximumLength(Limits.AgendaItem);
            RuleFor(c => c.Name).MaximumLength(Limits.Name);
            RuleFor(c => c.Place).MaximumLength(Limits.Name);
            RuleFor(c => c.Outcome).NotEmpty().MaximumLength(Limits.Text).When(c => c.Outcome is not null);
            RuleFor(c => c)
                .Must(c => c.Parties is not null || c.Delegations is not null || c.Agenda is not null || c.HeldOn is not null
                        || c.Name is not null || c.Place is not null || c.Outcome is not null || c.ConcludedOn is not null)
                .OverridePropertyName("reason")
                .WithMessage("a correction changes at least one field of the round");
        }
    }

    /// <summary>The round as this correction makes it read, and the wire names of the fields that change.</summary>
    public (NegotiationRoundOpened Round, string? Outcome, DateOnly? ConcludedOn, IReadOnlyList<string> Fields) Apply(NegotiationRound current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var changes = new FieldChanges();
        var was = current.Round;
        var round = was with
        {
            Parties = changes.Take("parties", Parties, was.Parties),
            Delegations = changes.Take("delegations", Delegations, was.Delegations),
            Agenda = changes.Take("agenda", Agenda, was.Agenda),
            HeldOn = changes.TakeValue("heldOn", HeldOn, was.HeldOn),
            Name = changes.TakeOptional("name", Name, was.Name),
            Place = changes.TakeOptional("place", Place, was.Place),
        };
        var outcome = changes.TakeOptional("outcome", Outcome?.Trim(), current.Outcome);
        var concludedOn = changes.TakeOptionalValue("concludedOn", ConcludedOn, current.ConcludedOn);
        return (round, outcome, concludedOn, changes.Names);
    }
}

public static class CorrectNegotiationRoundEndpoint
{
    /// <summary>Who may, which version, still open; then the correction must change something and leave a round that holds together.</summary>
    public static ProblemDetails Before(CorrectNegotiationRound command, NegotiationRound round, ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(round);
        if (Revisions.Allow(user, round, command.ExpectedVersion, "correct") is { } refused)
        {
            return refused;
        }

        var errors = new Dictionary<string, string[]>();
        if (round.Outcome is null)
        {
            foreach (var (field, given) in new (string, object?)[] { ("outcome", command.Outcome), ("concludedOn", command.ConcludedOn) })
            {
                if (given is not null)
                {
                    errors[field] = [$"round {round.Id} has no outcome to correct; record it with POST /api/negotiations/{round.Id}/outcome"];
                }
            }
        }

        if (errors.Count > 0)
        {
            return LedgerProblems.Invalid(errors);
        }

        var (corrected, _, _, fields) = command.Apply(round);
        if (fields.Count == 0)
        {
            return LedgerProblems.Invalid("reason", $"the correction changes nothing: every field it gives already has that value at version {round.Version}");
        }

        return NegotiationRules.DelegationsOfParties(corrected.Parties, corrected.Delegations)
            ? WolverineContinue.NoProblems
            : LedgerProblems.Invalid("delegations", $"{NegotiationRules.DelegationOfAParty}: after this correction the parties would be {string.Join(", ", corrected.Parties)}");
    }

    public static NegotiationRoundCorrected Decide(CorrectNegotiationRound command, NegotiationRound round)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(round);
        var (corrected, outcome, concludedOn, fields) = command.Apply(round);
        return new NegotiationRoundCorrected(round.Id, corrected, outcome, concludedOn, fields, command.Reason!.Trim());
    }

    /// <summary>Correct a negotiation round</summary>
    /// <remarks>Appends the round as corrected: the fields given (those of opening the round, and once an outcome is recorded, `outcome` and `concludedOn`) replace the current ones, the others stay. Reads at an `asOf` before the correction show the original. `expectedVersion` must be the current version (409 otherwise, or for a retracted round); only the client that opened the round or an admin may correct it (403). 404 for an unknown id. Refused with 400 naming each wrong field (a delegation of no party, an outcome before one is recorded), or `reason` when nothing would change; nothing is recorded then.</remarks>
    [WolverinePost("/api/negotiations/{id}/corrections", OperationId = "CorrectNegotiationRound")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(
        CorrectNegotiationRound command,
        [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] NegotiationRound round) =>
        (new Receipt(round.Id, round.Version + 1, AlreadyRecorded: false), [Decide(command, round)]);
}

public static class RetractNegotiationRoundEndpoint
{
    public static ProblemDetails Before(Retraction command, NegotiationRound round, ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(round);
        return Revisions.Allow(user, round, command.ExpectedVersion, "retract")
            ?? WolverineContinue.NoProblems;
    }

    /// <summary>Retract a negotiation round</summary>
    /// <remarks>Retracts the round: it stays readable by id (with `retracted: true` and its history) but counts as not recorded from then on: a new proposal naming it is refused as for an unknown round, and it takes no outcome, correction or further retraction. 403 unless the caller opened it or is an admin; 404 for an unknown id; 409 for a stale `expectedVersion` or a round already retracted.</remarks>
    [WolverinePost("/api/negotiations/{id}/retraction", OperationId = "RetractNegotiationRound")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(
        Retraction command,
        [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] NegotiationRound round) =>
        (new Receipt(round.Id, round.Version + 1, AlreadyRecorded: false), [new NegotiationRoundRetracted(round.Id, command.Reason!.Trim())]);
}
