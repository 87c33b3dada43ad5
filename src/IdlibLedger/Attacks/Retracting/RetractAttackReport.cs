using System.Security.Claims;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace IdlibLedger.Attacks.Retracting;

/// <summary>RetractAttackReport: withdraws a report for a reason. The report and its history stay readable.</summary>
public sealed record RetractAttackReport(long ExpectedVersion, string? Reason, string? RetractedBy = null)
{
    public sealed class Validator : AbstractValidator<RetractAttackReport>
    {
        public Validator()
        {
            RuleFor(c => c.ExpectedVersion).GreaterThan(0);
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
            RuleFor(c => c.RetractedBy).MaximumLength(Limits.Name);
        }
    }
}

public static class RetractAttackReportEndpoint
{
    public static ProblemDetails Before(RetractAttackReport command, AttackReport report, ClaimsPrincipal user) =>
        report.MayBeRevisedBy(user, "retract") ?? AttackVersions.Check(command.ExpectedVersion, report) ?? (report.Retracted
            ? LedgerProblems.Conflict($"attack {report.Id} is already retracted")
            : WolverineContinue.NoProblems);

    public static AttackReportRetracted Decide(RetractAttackReport command, AttackReport report) =>
        new(report.Id, command.Reason!.Trim(), command.RetractedBy?.Trim());

    [WolverinePost("/api/attacks/{id}/retraction", OperationId = "RetractAttackReport")]
    [ForReporters]
    [Tags("Attacks")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(
        RetractAttackReport command,
        [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] AttackReport report) =>
        (new Receipt(report.Id, report.Version + 1, AlreadyRecorded: false), [Decide(command, report)]);
}
