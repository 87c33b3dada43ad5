using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Audit;

/// <summary>The query of the read-model check: at sequence <c>to</c> (the head), naming at most <c>limit</c> differing rows.</summary>
/// <param name="To">The event sequence to check at; must be the current head (409 otherwise). Default the head.</param>
/// <param name="Limit">Most differing rows to list; default 100.</param>
public sealed record ReadModelQuery([FromQuery(Name = "to")] long? To = null, [FromQuery(Name = "limit")] int? Limit = null);

public static class ReadModelEndpoints
{
    /// <summary>Check the read models against the events</summary>
    /// <remarks>Rebuilds every read model from the events into a scratch schema and compares it row by row with the live tables: ok, or the first `limit` differing rows and counts per table. The live tables show the ledger at its head, so `to`, when given, must be the head (409 names it).</remarks>
    [WolverineGet("/api/audit/read-models", OperationId = "VerifyReadModels")]
    [ForAuditors]
    [Tags("Audit")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static async Task<Results<Ok<ReadModelReport>, ProblemHttpResult>> Verify(
        [AsParameters] ReadModelQuery query, ReadModelVerifier verifier, CancellationToken cancellation)
    {
        var take = query.Limit ?? ReadModelVerifier.DefaultLimit;
        if (take is < 0 or > ReadModelVerifier.MaxLimit)
        {
            return TypedResults.Problem(LedgerProblems.Invalid("limit", $"limit is between 0 and {ReadModelVerifier.MaxLimit}"));
        }

        var (report, head) = await verifier.VerifyAsync(query.To, take, cancellation);
        return report is not null
            ? TypedResults.Ok(report)
            : TypedResults.Problem(LedgerProblems.Conflict($"the read models show the ledger at its head, sequence {head}; verify with to={head} or without to"));
    }
}
