using IdlibLedger.Attacks;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Attacks.Reporting;
using IdlibLedger.Audit;
using IdlibLedger.Infrastructure;
using JasperFx.Events;
using Marten;
using Npgsql;

namespace IdlibLedger.Importing;

/// <summary>
/// Where an import meets Marten: a batch of new attacks becomes sealed event streams and their timeline rows, and is
/// appended with Marten's bulk append (PostgreSQL COPY) under an advisory lock, skipping the streams already stored.
/// An import killed between a batch's two commits leaves events without timeline rows; a retry of the batch and
/// <see cref="RecoverAsync"/> at start-up write those rows from the stored events.
/// </summary>
public sealed partial class ImportAppender(IDocumentStore store, NpgsqlDataSource database, LedgerClock clock, SealKey seals, ILogger<ImportAppender> logger, TimelineQueries timelineQueries, LedgerMetrics metrics)
{
    private readonly IEventRegistry _registry = store.Options.Events as IEventRegistry ?? throw new InvalidOperationException("Marten's event graph is not an event registry");

    /// <summary>Who records the import's events and the trace they belong to.</summary>
    public sealed record Recording(string Who, string? Correlation);

    /// <summary>A batch ready to write: its rows' count, their new streams (an id once), and their timeline rows.</summary>
    public sealed record Batch(int Rows, IReadOnlyList<StreamAction> Streams, AttackTimeline.NewAttacks Timeline);

    /// <summary>
    /// The command line does not start the service, which applies the schema at start-up; the import reads the
    /// event tables itself before Marten would create them, so it applies any missing schema first.
    /// </summary>
    public Task ApplySchemaAsync() => store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();

    /// <summary>The rows' events (one new stream per id; a repeated id is already present) and timeline rows.</summary>
    public Batch Prepare((Guid Id, ReportAttack Report)[] rows, Recording recording)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(recording);

        // PostgreSQL keeps microseconds: the timeline's copy of the instant must be the one the events keep.
        var now = clock.GetUtcNow();
        var recordedAt = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
        // A repeated id is already present: the first row of an id makes its stream. Each stream is built and sealed
        // on its own (the seal serializes and hashes the event, the costliest step), so they are built in parallel.
        var unique = rows.DistinctBy(r => r.Id).ToArray();
        var streams = new StreamAction[unique.Length];
        var serializer = store.Options.Serializer();
        Parallel.For(0, unique.Length, i =>
        {
            var (id, report) = unique[i];
            var stream = StreamAction.Start(_registry, id, [ReportAttackEndpoint.Decide(report, id)]);
            stream.AggregateType = typeof(AttackReport);
            foreach (var e in stream.Events)
            {
                (e.StreamId, e.Timestamp, e.UserName, e.CorrelationId) = (id, recordedAt, recording.Who, recording.Correlation);
            }

            // The bulk append runs no session listener: its events are sealed here, once nothing else changes them.
            seals.SealStream(stream, serializer);
            streams[i] = stream;
        });

        return new Batch(rows.Length, streams, AttackTimeline.NewAttacks.From(streams.SelectMany(s => s.Events), serializer));
    }

    /// <summary>
    /// Appends the batch with Marten's bulk append (PostgreSQL COPY), skipping the ids already in the ledger. The
    /// timeline rows are written first, with COPY, in a transaction of their own that commits only after the events
    /// have; if the bulk append fails, neither is stored. Imports take a lock, one at a time, so two imports of the
    /// same file cannot both find an id absent.
    /// </summary>
    public async Task<(int Imported, int Present)> WriteAsync(Batch batch, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Streams.Count == 0)
        {
            return (0, batch.Rows);
        }

        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await LockAsync(connection, transaction, cancellation);

        // Streams already in the ledger, and among them any whose events committed without their timeline rows: an
        // import killed between the two commits of a chunk. This retry writes those rows from the stored events.
        var (existing, orphans) = await timelineQueries.StoredStreamsAsync(connection, transaction, [.. batch.Streams.Select(s => s.Id)], cancellation);

        var (streams, timeline) = (batch.Streams, batch.Timeline);
        if (existing.Count > 0)
        {
            // Some were imported before (or by an import in between): the rest's rows are prepared again.
            streams = [.. streams.Where(s => !existing.Contains(s.Id))];
            var stored = orphans.Count == 0 ? [] : await StoredEventsAsync(orphans, cancellation);
            timeline = AttackTimeline.NewAttacks.From(streams.SelectMany(s => s.Events).Concat(stored), store.Options.Serializer());
        }

        if (streams.Count > 0 || orphans.Count > 0)
        {
            await new AttackTimeline(store.Options.DatabaseSchemaName).CopyAsync(connection, timeline, cancellation);
        }

        if (streams.Count > 0)
        {
            await store.BulkInsertEventsAsync(streams, UcdpGedImporter.BatchSize, cancellation);
        }

        await transaction.CommitAsync(cancellation);
        // A bulk append passes no session listener: its events are counted here.
        metrics.EventsAppended(streams.SelectMany(s => s.Events));
        return (streams.Count, batch.Rows - streams.Count);
    }

    /// <summary>
    /// Writes the read-model rows of imported attacks whose events committed without them (an import killed between
    /// a chunk's two commits), so that the read models equal a rebuild. Called at start-up only when an import never
    /// finished (<see cref="UcdpGedImporter.RecoverAsync"/>): only one such import can have left these streams.
    /// </summary>
    public async Task<int> RecoverAsync(CancellationToken cancellation)
    {
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await LockAsync(connection, transaction, cancellation);

        var orphans = await timelineQueries.ReportedWithoutTimelineAsync(connection, transaction, cancellation);
        if (orphans.Count > 0)
        {
            var timeline = AttackTimeline.NewAttacks.From(await StoredEventsAsync(orphans, cancellation), store.Options.Serializer());
            await new AttackTimeline(store.Options.DatabaseSchemaName).CopyAsync(connection, timeline, cancellation);
            LogRecovered(logger, orphans.Count);
        }

        await transaction.CommitAsync(cancellation);
        return orphans.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Wrote the read-model rows of {Count} imported attacks whose events had committed without them (an import was killed)")]
    private static partial void LogRecovered(ILogger logger, int count);

    /// <summary>The advisory lock imports hold while they append (any fixed number unique to this purpose).</summary>
    private const long ImportLock = 0x1D11B_0001;

    /// <summary>Takes <see cref="ImportLock"/> until the transaction ends: imports append one at a time.</summary>
    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand("select pg_advisory_xact_lock(@key)", connection, transaction);
        command.Parameters.AddWithValue("key", ImportLock);
        await command.ExecuteNonQueryAsync(cancellation);
    }

    /// <summary>Marten's name for <see cref="AttackReported"/> in <c>mt_events.type</c>.</summary>
    private string ReportedType => _registry.EventMappingFor(typeof(AttackReported)).EventTypeName;

    /// <summary>The stored reports (AttackReported) of <paramref name="streams"/>, as the timeline rows are made from them.</summary>
    private async Task<IReadOnlyList<IEvent>> StoredEventsAsync(IReadOnlyList<Guid> streams, CancellationToken cancellation)
    {
        var reportedType = ReportedType;
        await using var session = store.QuerySession();
        return await session.Events.QueryAllRawEvents()
            .Where(e => streams.Contains(e.StreamId) && e.EventTypeName == reportedType)
            .OrderBy(e => e.Sequence).ToListAsync(cancellation);
    }
}
