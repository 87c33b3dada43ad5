using IdlibLedger.Access;
using IdlibLedger.Attacks.Claims;
using IdlibLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Attacks.GettingDetails;

/// <summary>The report as the ledger knew it at <c>asOf</c>, with its version and history.</summary>
/// <param name="Report">The report.</param>
/// <param name="Grading">How well sourced it is: see docs/api.md, Grading.</param>
/// <param name="Claim">For a party's claim: the nearest recorded activity of the same period; null otherwise.</param>
/// <param name="At">Valid time the answer describes (UTC).</param>
/// <param name="AsOf">Transaction time the answer describes: what the ledger had recorded by then (UTC).</param>
public sealed record AttackDetails(AttackReport Report, AttackGrading Grading, ClaimCheck? Claim, DateTimeOffset At, DateTimeOffset AsOf);

public static class GetAttackEndpoint
{
    /// <summary>Read one attack report</summary>
    /// <remarks>The report as recorded by `asOf`, replayed from its events, with its history, disputes, grading and, for a party's claim, the nearest recorded activity of the same period. 404 when it was not recorded yet at `asOf`, or had not yet occurred at `at`. Valid time is `at`, transaction time `asOf` (ISO 8601; default now).</remarks>
    /// <param name="id">The attack's id (UUID), as returned in the receipt and the Location header.</param>
    [WolverineGet("/api/attacks/{id}", OperationId = "GetAttack")]
    [ForViewers]
    [Tags("Attacks")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<Results<Ok<AttackDetails>, ProblemHttpResult>> Get(
        Guid id, [AsParameters] TimeQuery time, IQuerySession session, ClaimPlausibility claims, LedgerClock clock, CancellationToken cancellation)
    {
        if (!time.TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        var report = await session.Events.AggregateStreamAsync<AttackReport>(id, timestamp: temporal.AsOf, token: cancellation);
        if (report is null)
        {
            return TypedResults.Problem(LedgerProblems.NotFound($"no attack {id} was recorded as of {temporal.AsOf:O}"));
        }

        if (report.Facts.Occurrence.Window().From > temporal.At)
        {
            return TypedResults.Problem(LedgerProblems.NotFound($"attack {id} had not occurred yet at {temporal.At:O}"));
        }

        return TypedResults.Ok(new AttackDetails(report, report.Grading, await claims.CheckAsync(report, temporal.AsOf, cancellation), temporal.At, temporal.AsOf));
    }
}
