using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace IdlibLedger.Territory.Proposals;

/// <summary>A party's answer to a proposal (RejectProposal, AcceptProposal) or the proposer's WithdrawProposal.</summary>
/// <param name="Party">The answering party (an addressee, or the proposer to withdraw). Required; At most 200 characters.</param>
/// <param name="Reason">Why; Free text, at most 4000 characters.</param>
public sealed record AnswerProposal(string? Party, string? Reason)
{
    public sealed class Validator : AbstractValidator<AnswerProposal>
    {
        public Validator()
        {
            RuleFor(c => c.Party).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
        }
    }
}

/// <summary>The rules of answering, as a pure decider: who may answer, and when.</summary>
public static class ProposalDecisions
{
    public static ProblemDetails? CheckAnswer(Proposal proposal, string party)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        if (proposal.Status != ProposalStatus.Tabled)
        {
            return LedgerProblems.Conflict($"proposal {proposal.Id} is {Wire.Name(proposal.Status)}; it takes no more answers");
        }

        if (Addressee(proposal, party) is not { } addressee)
        {
            return LedgerProblems.Conflict($"proposal {proposal.Id} was addressed to {string.Join(", ", proposal.Terms.AddressedTo)}, not to {party}");
        }

        return proposal.Answers.Any(a => Parties.Same(a.Party, addressee))
            ? LedgerProblems.Conflict($"{addressee} has already answered proposal {proposal.Id}")
            : null;
    }

    /// <summary>The addressee <paramref name="party"/> names, spelled as the proposal spells it; null if it names none.</summary>
    public static string? Addressee(Proposal proposal, string party)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        return proposal.Terms.AddressedTo.FirstOrDefault(addressee => Parties.Same(addressee, party));
    }

    public static ProblemDetails? CheckWithdrawal(Proposal proposal, string party)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        if (proposal.Status != ProposalStatus.Tabled)
        {
            return LedgerProblems.Conflict($"proposal {proposal.Id} is {Wire.Name(proposal.Status)}; it can no longer be withdrawn");
        }

        return Parties.Same(proposal.Terms.Proposer, party)
            ? null
            : LedgerProblems.Conflict($"only the proposer, {proposal.Terms.Proposer}, can withdraw proposal {proposal.Id}");
    }
}

public static class RejectProposalEndpoint
{
    public static ProblemDetails Before(AnswerProposal command, Proposal proposal) =>
        ProposalDecisions.CheckAnswer(proposal, command.Party!.Trim()) ?? WolverineContinue.NoProblems;

    /// <summary>Reject a proposal</summary>

    /// <remarks>A party it was addressed to rejects the proposal, with a reason. 404 for an unknown proposal; 409 when it is no longer open or the party was not addressed or already answered.</remarks>

    [WolverinePost("/api/proposals/{id}/rejections", OperationId = "RejectProposal")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(AnswerProposal command, [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] Proposal proposal) =>
        (new Receipt(proposal.Id, proposal.Version + 1, false), [new ProposalRejected(proposal.Id, ProposalDecisions.Addressee(proposal, command.Party!) ?? command.Party!.Trim(), command.Reason!.Trim())]);
}

public static class AcceptProposalEndpoint
{
    public static ProblemDetails Before(AnswerProposal command, Proposal proposal) =>
        ProposalDecisions.CheckAnswer(proposal, command.Party!.Trim()) ?? WolverineContinue.NoProblems;

    /// <summary>Accept a proposal</summary>

    /// <remarks>A party it was addressed to accepts the proposal; once every addressee has accepted, it is accepted. 404 for an unknown proposal; 409 when it is no longer open or the party was not addressed or already answered.</remarks>

    [WolverinePost("/api/proposals/{id}/acceptances", OperationId = "AcceptProposal")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(AnswerProposal command, [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] Proposal proposal) =>
        (new Receipt(proposal.Id, proposal.Version + 1, false), [new ProposalAccepted(proposal.Id, ProposalDecisions.Addressee(proposal, command.Party!) ?? command.Party!.Trim(), command.Reason!.Trim())]);
}

public static class WithdrawProposalEndpoint
{
    public static ProblemDetails Before(AnswerProposal command, Proposal proposal) =>
        ProposalDecisions.CheckWithdrawal(proposal, command.Party!.Trim()) ?? WolverineContinue.NoProblems;

    /// <summary>Withdraw a proposal</summary>

    /// <remarks>The proposer withdraws its proposal, with a reason. 404 for an unknown proposal; 409 when it is no longer open or the party is not the proposer.</remarks>

    [WolverinePost("/api/proposals/{id}/withdrawal", OperationId = "WithdrawProposal")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(AnswerProposal command, [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] Proposal proposal) =>
        (new Receipt(proposal.Id, proposal.Version + 1, false), [new ProposalWithdrawn(proposal.Id, proposal.Terms.Proposer, command.Reason!.Trim())]);
}
