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
/// <param name="ExpectedVersion">The version the caller read (&gt; 0); 409 when it is not the current one.</param>
/// <param name="Reason">Why the report is retracted. Required; Free text, at most 4000 characters.</param>
/// <param name="RetractedBy">Who retracts it; optional (default: the reporter), At most 200 characters.</param>
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

    /// <summary>Retract an attack report</summary>

    /// <remarks>Retracts the report: it stays readable by id but leaves the lists and totals, and takes no further correction, retraction or dispute. 403 unless the caller recorded it or is an admin; 404 for an unknown id; 409 for a stale `expectedVersion` or a report already retracted.</remarks>

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
