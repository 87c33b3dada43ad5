using IdlibLedger.Access;
using IdlibLedger.Attacks.Claims;
using IdlibLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Attacks.GettingDetails;

/// <summary>The report as the ledger knew it at <c>asOf</c>, with its version and history.</summary>
public sealed record AttackDetails(AttackReport Report, string Grading, ClaimCheck? Claim, DateTimeOffset At, DateTimeOffset AsOf);

public static class GetAttackEndpoint
{
    /// <summary>
    /// Aggregates the stream live up to <c>asOf</c>: the same replay an auditor would do. 404 when the report
    /// was not recorded yet at <c>asOf</c>, or the attack had not yet occurred at <c>at</c>. With its grading and,
    /// for a party's claim, the nearest recorded activity of the same period.
    /// </summary>
    [WolverineGet("/api/attacks/{id}", OperationId = "GetAttack")]
    [ForViewers]
    [Tags("Attacks")]
    [ProducesResponseType<AttackDetails>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<IResult> Get(
        Guid id, string? at, string? asOf, IQuerySession session, ClaimPlausibility claims, LedgerClock clock, CancellationToken cancellation)
    {
        if (!Temporal.TryParse(at, asOf, clock, out var temporal, out var problem))
        {
            return problem!;
        }

        var report = await session.Events.AggregateStreamAsync<AttackReport>(id, timestamp: temporal.AsOf, token: cancellation);
        if (report is null)
        {
            return LedgerProblems.NotFound($"no attack {id} was recorded as of {temporal.AsOf:O}").ToResult();
        }

        if (report.Facts.Occurrence.Window().From > temporal.At)
        {
            return LedgerProblems.NotFound($"attack {id} had not occurred yet at {temporal.At:O}").ToResult();
        }

        return Results.Ok(new AttackDetails(report, report.Grading, await claims.CheckAsync(report, temporal.AsOf, cancellation), temporal.At, temporal.AsOf));
    }
}
