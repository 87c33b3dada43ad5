using Marten;
using Microsoft.AspNetCore.Mvc;

namespace IdlibLedger.Infrastructure;

/// <summary>What a creating command's decider says: the events that start the stream, or why it will not start.</summary>
public sealed record Decision(IReadOnlyList<object> Events, ProblemDetails? Refusal)
{
    public static Decision Start(params object[] events) => new(events, null);

    public static Decision Refuse(ProblemDetails refusal) => new([], refusal);
}

/// <summary>How <see cref="Streams.StartOnceAsync(IDocumentSession, Guid?, Type?, Func{Guid, Decision}, CancellationToken)"/> went: the receipt of the new stream or of the one already there, or the decider's refusal.</summary>
public sealed record StreamStart(Receipt? Receipt, ProblemDetails? Refusal)
{
    /// <summary>True when this call started the stream (not a retry, not refused).</summary>
    public bool Started => Receipt is { AlreadyRecorded: false };
}

/// <summary>The one way the service starts a stream: every creating command, the batch and the start-up loaders come here.</summary>
public static class Streams
{
    /// <summary>
    /// Starts stream <paramref name="id"/> (a new one when null) once. If it exists, stored or started earlier in this
    /// session, nothing is decided or appended and the receipt says so, with the stream's version: a retry by id.
    /// Otherwise <paramref name="decide"/> gives the events that start it, as <paramref name="aggregate"/>'s stream if it
    /// has one, or a refusal, and then nothing is appended. (Retries by Idempotency-Key are answered before the command
    /// runs: <see cref="Idempotency.IdempotencyKeys"/>.)
    /// </summary>
    public static async Task<StreamStart> StartOnceAsync(
        IDocumentSession session, Guid? id, Type? aggregate, Func<Guid, ValueTask<Decision>> decide, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(decide);
        var streamId = id ?? StreamIds.New();
        if (session.PendingChanges.Streams().FirstOrDefault(s => s.Id == streamId) is { } pending)
        {
            return new StreamStart(new Receipt(streamId, pending.Events.Count, AlreadyRecorded: true), null);
        }

        // A stream id the ledger has just made (a UUIDv7) names no stored stream: only a given id is looked up,
        // which saves a round trip on every report that does not name its id.
        if (id is not null && await session.Events.FetchStreamStateAsync(streamId, cancellation) is { } stored)
        {
            return new StreamStart(new Receipt(streamId, stored.Version, AlreadyRecorded: true), null);
        }

        var decision = await decide(streamId);
        if (decision.Refusal is not null)
        {
            return new StreamStart(null, decision.Refusal);
        }

        if (aggregate is null)
        {
            session.Events.StartStream(streamId, [.. decision.Events]);
        }
        else
        {
            session.Events.StartStream(aggregate, streamId, [.. decision.Events]);
        }

        return new StreamStart(new Receipt(streamId, decision.Events.Count, AlreadyRecorded: false), null);
    }

    /// <summary><see cref="StartOnceAsync(IDocumentSession, Guid?, Type?, Func{Guid, ValueTask{Decision}}, CancellationToken)"/> for a decider that needs no I/O.</summary>
    public static Task<StreamStart> StartOnceAsync(
        IDocumentSession session, Guid? id, Type? aggregate, Func<Guid, Decision> decide, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(decide);
        return StartOnceAsync(session, id, aggregate, streamId => ValueTask.FromResult(decide(streamId)), cancellation);
    }
}
