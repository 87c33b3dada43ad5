using Marten;

namespace IdlibLedger.Infrastructure;

/// <summary>The answer to a command that created or changed a stream: its id and version, and whether it was a retry.</summary>
public sealed record Receipt(Guid Id, long Version, bool AlreadyRecorded)
{
    public static IResult Created(string location, Guid id) => Results.Created(location, new Receipt(id, 1, false));

    /// <summary>A retry of a command already recorded: 200 with the same Location, nothing appended.</summary>
    public static IResult AlreadyRecordedAt(string location, Guid id) =>
        new AlreadyRecordedResult(location, new Receipt(id, 1, true));

    /// <summary>
    /// The "create once" of every creating command: the stream is named by the client's id (or a new one); if it
    /// exists, the retry is answered as before and nothing is appended; else the decided events start it.
    /// <paramref name="aggregate"/> is the stream's aggregate type, if it has one. (Retries by Idempotency-Key are
    /// answered before the command runs: <see cref="Idempotency.IdempotencyKeys"/>.)
    /// </summary>
    public static async Task<IResult> StartOnceAsync(
        IDocumentSession session, string route, Guid? id, Type? aggregate,
        Func<Guid, object[]> decide, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(decide);
        var (streamId, retry) = await NameStreamAsync(session, route, id, cancellation);
        if (retry is not null)
        {
            return retry;
        }

        var location = $"{route}/{streamId}";

        if (aggregate is null)
        {
            session.Events.StartStream(streamId, decide(streamId));
        }
        else
        {
            session.Events.StartStream(aggregate, streamId, decide(streamId));
        }

        return Created(location, streamId);
    }

    /// <summary>
    /// The stream a creating command names (the client's id, or new), and the answer to give when it
    /// exists already (a retry), for commands that check more state between naming and starting the stream.
    /// </summary>
    public static async Task<(Guid Id, IResult? Retry)> NameStreamAsync(
        IDocumentSession session, string route, Guid? id, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        var streamId = id ?? StreamIds.New();
        return await session.Events.FetchStreamStateAsync(streamId, cancellation) is not null
            ? (streamId, AlreadyRecordedAt($"{route}/{streamId}", streamId))
            : (streamId, null);
    }

    private sealed class AlreadyRecordedResult(string location, Receipt receipt) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return Results.Ok(receipt).ExecuteAsync(httpContext);
        }
    }
}
