using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Audit;

public static class ReadModelEndpoints
{
    /// <summary>
    /// Rebuilds every read model from the events into a scratch schema and compares it row by row with the live
    /// tables: ok, or the first <c>limit</c> differing rows (table, key, columns, live and rebuilt values) and counts
    /// per table. The live tables show the ledger at its head, so <c>to</c>, when given, must be the head (409 names it).
    /// </summary>
    [WolverineGet("/api/audit/read-models", OperationId = "VerifyReadModels")]
    [ForAuditors]
    [Tags("Audit")]
    [ProducesResponseType<ReadModelReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static async Task<IResult> Verify(long? to, int? limit, ReadModelVerifier verifier, CancellationToken cancellation)
    {
        var take = limit ?? ReadModelVerifier.DefaultLimit;
        if (take is < 0 or > ReadModelVerifier.MaxLimit)
        {
            return LedgerProblems.Invalid("limit", $"limit is between 0 and {ReadModelVerifier.MaxLimit}").ToResult();
        }

        var (report, head) = await verifier.VerifyAsync(to, take, cancellation);
        return report is not null
            ? Results.Ok(report)
            : LedgerProblems.Conflict($"the read models show the ledger at its head, sequence {head}; verify with to={head} or without to").ToResult();
    }
}
