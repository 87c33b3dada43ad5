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
    /// The "create once" of every creating command: the stream is named by the client's id or Idempotency-Key
    /// (<see cref="StreamIds"/>); if it exists, the retry is answered as before and nothing is appended; else the
    /// decided events start it. <paramref name="aggregate"/> is the stream's aggregate type, if it has one.
    /// </summary>
    public static async Task<IResult> StartOnceAsync(
        IDocumentSession session, string kind, string route, Guid? id, string? idempotencyKey, Type? aggregate,
        Func<Guid, object[]> decide, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(decide);
        var streamId = StreamIds.Choose(kind, id, idempotencyKey);
        var location = $"{route}/{streamId}";
        if (await session.Events.FetchStreamStateAsync(streamId, cancellation) is not null)
        {
            return AlreadyRecordedAt(location, streamId);
        }

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

    private sealed class AlreadyRecordedResult(string location, Receipt receipt) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return Results.Ok(receipt).ExecuteAsync(httpContext);
        }
    }
}
