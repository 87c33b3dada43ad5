using Marten;

namespace IdlibLedger.Infrastructure;

/// <summary>A one-event stream (a control change, an aggregate figure) as known at <c>asOf</c>.</summary>
public sealed record RecordedFact<T>(Guid Id, T Fact, DateTimeOffset RecordedAt, DateTimeOffset AsOf);

public static class RecordedFacts
{
    /// <summary>The first event of the stream, if it is a <typeparamref name="T"/> recorded by <paramref name="asOf"/>.</summary>
    public static async Task<IResult> GetAsync<T>(IQuerySession session, Guid id, string? asOf, LedgerClock clock, string what, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (!Temporal.TryParse(null, asOf, clock, out var temporal, out var problem))
        {
            return problem!;
        }

        var events = await session.Events.FetchStreamAsync(id, timestamp: temporal.AsOf, token: cancellation);
        return events.Count > 0 && events[0] is { Data: T fact } e
            ? Results.Ok(new RecordedFact<T>(id, fact, e.Timestamp, temporal.AsOf))
            : LedgerProblems.NotFound($"no {what} {id} was recorded as of {temporal.AsOf:O}").ToResult();
    }
}
