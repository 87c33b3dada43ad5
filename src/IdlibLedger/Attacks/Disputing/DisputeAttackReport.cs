using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace IdlibLedger.Attacks.Disputing;

/// <summary>DisputeAttackReport: a party disputes a report (typically another party's claim), with counter-evidence.</summary>
/// <param name="Party">The disputing party. Required; At most 200 characters. Compared without regard to case.</param>
/// <param name="Reason">Why it disputes the report. Required; Free text, at most 4000 characters.</param>
/// <param name="CounterEvidence">Sources against the report; optional.</param>
public sealed record DisputeAttackReport(string? Party, string? Reason, IReadOnlyList<Source>? CounterEvidence = null)
{
    public sealed class Validator : AbstractValidator<DisputeAttackReport>
    {
        public Validator(LedgerClock clock)
        {
            RuleFor(c => c.Party).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
            RuleForEach(c => c.CounterEvidence).NotNull().SetValidator(new Source.Validator(clock));
        }
    }
}

public static class DisputeAttackReportEndpoint
{
    /// <summary>A retracted report is closed; a party does not dispute its own claim, nor the same report twice.</summary>
    public static ProblemDetails Before(DisputeAttackReport command, AttackReport report)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(report);
        var party = command.Party!.Trim();
        if (report.Retracted)
        {
            return LedgerProblems.Conflict($"attack {report.Id} is retracted; there is nothing left to dispute");
        }

        if (Parties.Same(report.Facts.ClaimedBy, party))
        {
            return LedgerProblems.Conflict($"{party} made this claim; it cannot dispute it (retract or correct it instead)");
        }

        return report.Disputes?.Any(d => Parties.Same(d.Party, party)) == true
            ? LedgerProblems.Conflict($"{party} already disputes attack {report.Id}")
            : WolverineContinue.NoProblems;
    }

    /// <summary>Dispute an attack report</summary>

    /// <remarks>A party disputes a report with a reason and optional counter-evidence; the dispute takes a version on the report's stream and makes its grading `contested`. 404 for an unknown id; 409 when the report is retracted, the party made the claim itself, or it already disputes it.</remarks>

    [WolverinePost("/api/attacks/{id}/disputes", OperationId = "DisputeAttackReport")]
    [ForReporters]
    [Tags("Attacks")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(
        DisputeAttackReport command, [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] AttackReport report) =>
        (new Receipt(report.Id, report.Version + 1, AlreadyRecorded: false),
            [new AttackReportDisputed(report.Id, command.Party!.Trim(), command.Reason!.Trim(), command.CounterEvidence ?? [])]);
}
