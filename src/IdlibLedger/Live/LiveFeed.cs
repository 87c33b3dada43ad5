using System.Threading.Channels;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;
using IdlibLedger.Infrastructure;

namespace IdlibLedger.Live;

/// <summary>Settings of <c>GET /api/live</c>, section <c>Ledger:Live</c>.</summary>
public sealed class LiveOptions
{
    /// <summary>How often the event table is read while someone listens.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most open streams per service process; the next one gets 503 with Retry-After.</summary>
    public int MaxSubscribers { get; set; } = 200;
}

/// <summary>An event as the live stream announces it: where it sits in the ledger, not what it says.</summary>
/// <param name="Sequence">Its global sequence in the event store.</param>
/// <param name="Type">Its type as Marten names it (attack_reported, …).</param>
/// <param name="StreamId">The stream (the fact) it belongs to.</param>
/// <param name="RecordedAt">When the ledger recorded it (UTC).</param>
public sealed record AppendedEvent(long Sequence, string Type, Guid StreamId, DateTimeOffset RecordedAt);

/// <summary>
/// The one reader of new events in a service process: while at least one client listens, it reads the events after
/// the last it saw from the shared event table every <see cref="LiveOptions.PollInterval"/> and hands them to every
/// subscriber. Reading the table, not hooking the write path, is what makes it see the writes of every process.
/// </summary>
public sealed partial class LiveFeed(NpgsqlDataSource database, IDocumentStore store, IOptions<LedgerOptions> options, ILogger<LiveFeed> logger) : BackgroundService
{
    /// <summary>Most events read per poll, most events a reconnecting client is sent, and each subscriber's queue.</summary>
    public const int Batch = 1000;

    /// <summary>
    /// A sequence number below one already read may still commit (sequences are taken before the transaction ends):
    /// a hole is waited for this long, then passed (a rolled-back transaction leaves one for good). Marten's daemon
    /// waits as long (its StaleSequenceThreshold).
    /// </summary>
    public static readonly TimeSpan HoleWait = TimeSpan.FromSeconds(3);

    private readonly Lock _gate = new();
    private readonly List<LiveSubscription> _subscribers = [];
    private readonly LiveOptions _options = options.Value.Live;
    private readonly string _events = $"{store.Options.DatabaseSchemaName}.mt_events";
    private TaskCompletionSource _someoneListens = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long? _position;
    private DateTimeOffset? _holeSince;

    public int SubscriberCount
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>A new subscriber that has seen everything up to <paramref name="after"/>; null when the cap is reached.</summary>
    public LiveSubscription? TrySubscribe(long after)
    {
        lock (_gate)
        {
            if (_subscribers.Count >= Math.Max(1, _options.MaxSubscribers))
            {
                return null;
            }

            var subscription = new LiveSubscription(this, after);
            _subscribers.Add(subscription);
            // Idle until now: start from this subscriber; running: it catches up on what it missed by itself.
            _position = _position is { } position ? position : after;
            _someoneListens.TrySetResult();
            return subscription;
        }
    }

    internal void Remove(LiveSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscription);
            if (_subscribers.Count == 0)
            {
                _position = null;
                _holeSince = null;
                _someoneListens = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>The last sequence in the event store (0 when empty).</summary>
    public async Task<long> HeadAsync(CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"select coalesce(max(seq_id), 0) from {_events}");
        return (long)(await command.ExecuteScalarAsync(cancellation))!;
    }

    /// <summary>Up to <paramref name="limit"/> events after <paramref name="after"/>, in order.</summary>
    public async Task<IReadOnlyList<AppendedEvent>> ReadAfterAsync(long after, int limit, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"select seq_id, type, stream_id, timestamp from {_events} where seq_id > @after order by seq_id limit @limit");
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("limit", limit);
        var events = new List<AppendedEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            events.Add(new AppendedEvent(reader.GetInt64(0), reader.GetString(1), reader.GetGuid(2), reader.GetFieldValue<DateTimeOffset>(3).ToUniversalTime()));
        }

        return events;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = _options.PollInterval > TimeSpan.Zero ? _options.PollInterval : TimeSpan.FromSeconds(1);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Task listening;
                lock (_gate)
                {
                    listening = _someoneListens.Task;
                }

                await listening.WaitAsync(stoppingToken);
                try
                {
                    await PollAsync(stoppingToken);
                }
                catch (Exception failure) when (failure is NpgsqlException or TimeoutException)
                {
                    // The database is away for a moment: listeners wait, the next poll tries again.
                    CouldNotRead(logger, failure, interval);
                }

                await Task.Delay(interval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            lock (_gate)
            {
                foreach (var subscriber in _subscribers)
                {
                    subscriber.Complete();
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The live feed could not read new events; it tries again in {Interval}")]
    private static partial void CouldNotRead(ILogger logger, Exception failure, TimeSpan interval);

    private async Task PollAsync(CancellationToken cancellation)
    {
        long from;
        lock (_gate)
        {
            if (_position is not { } position)
            {
                return;
            }

            from = position;
        }

        var read = await ReadAfterAsync(from, Batch, cancellation);
        var now = DateTimeOffset.UtcNow;
        lock (_gate)
        {
            if (_position != from)
            {
                // Everyone left (and perhaps someone came back) while reading: the next poll starts afresh.
                return;
            }

            foreach (var appended in read)
            {
                if (appended.Sequence > _position + 1)
                {
                    _holeSince ??= now;
                    if (now - _holeSince < HoleWait)
                    {
                        break;
                    }
                }

                _holeSince = null;
                _position = appended.Sequence;
                foreach (var subscriber in _subscribers)
                {
                    subscriber.Offer(appended);
                }
            }
        }
    }
}

/// <summary>One listener's queue: bounded, dropping the oldest when the client falls behind (and saying so).</summary>
public sealed class LiveSubscription : IDisposable
{
    private readonly LiveFeed _feed;
    private readonly Channel<AppendedEvent> _queue;
    private int _overflowed;

    internal LiveSubscription(LiveFeed feed, long after)
    {
        _feed = feed;
        After = after;
        _queue = Channel.CreateBounded<AppendedEvent>(
            new BoundedChannelOptions(LiveFeed.Batch) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            _ => Interlocked.Exchange(ref _overflowed, 1));
    }

    /// <summary>The sequence this subscriber had seen when it subscribed.</summary>
    public long After { get; }

    public ChannelReader<AppendedEvent> Events => _queue.Reader;

    /// <summary>Whether events were dropped since the last call (the client should reload).</summary>
    public bool TakeOverflow() => Interlocked.Exchange(ref _overflowed, 0) == 1;

    internal void Offer(AppendedEvent appended)
    {
        if (appended.Sequence > After)
        {
            _queue.Writer.TryWrite(appended);
        }
    }

    internal void Complete() => _queue.Writer.TryComplete();

    public void Dispose()
    {
        Complete();
        _feed.Remove(this);
    }
}
