using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdlibLedger.Infrastructure;

/// <summary>A one-event stream (a control change, an aggregate figure) as known at <c>asOf</c>.</summary>
/// <param name="Id">The stream's id.</param>
/// <param name="Fact">The recorded fact.</param>
/// <param name="RecordedAt">When the ledger recorded it (transaction time, UTC).</param>
/// <param name="AsOf">Transaction time the answer describes: what the ledger had recorded by then (UTC).</param>
public sealed record RecordedFact<T>(Guid Id, T Fact, DateTimeOffset RecordedAt, DateTimeOffset AsOf);

public static class RecordedFacts
{
    /// <summary>The first event of the stream, if it is a <typeparamref name="T"/> recorded by <paramref name="asOf"/>.</summary>
    public static async Task<Results<Ok<RecordedFact<T>>, ProblemHttpResult>> GetAsync<T>(
        IQuerySession session, Guid id, string? asOf, LedgerClock clock, string what, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (!new TimeQuery(AsOf: asOf).TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        var events = await session.Events.FetchStreamAsync(id, timestamp: temporal.AsOf, token: cancellation);
        return events.Count > 0 && events[0] is { Data: T fact } e
            ? TypedResults.Ok(new RecordedFact<T>(id, fact, e.Timestamp, temporal.AsOf))
            : TypedResults.Problem(LedgerProblems.NotFound($"no {what} {id} was recorded as of {temporal.AsOf:O}"));
    }
}
