using System.Diagnostics.Metrics;
using IdlibLedger.Audit;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Services;
using Npgsql;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// The service's own instruments, on the meter <see cref="MeterName"/>; names and units follow OpenTelemetry's
/// semantic conventions (docs/operations.md has the table, deploy/grafana/idlib-ledger.json the dashboard).
/// </summary>
public sealed partial class LedgerMetrics
{
    public const string MeterName = "IdlibLedger";

    /// <summary>Tag names: the command's operationId, its outcome, an event's type, a projection, an import row's outcome, a verification.</summary>
    public const string CommandTag = "ledger.command";
    public const string OutcomeTag = "ledger.outcome";
    public const string EventTypeTag = "ledger.event.type";
    public const string ProjectionTag = "ledger.projection";
    public const string VerificationTag = "ledger.verification";

    /// <summary>The store is read for the gauges at most this often, however often they are collected.</summary>
    public static readonly TimeSpan StoreReadInterval = TimeSpan.FromSeconds(5);

    private readonly Counter<long> _commands;
    private readonly Counter<long> _events;
    private readonly Counter<long> _importRows;
    private readonly Counter<long> _verificationFailures;
    private readonly IServiceProvider _services;
    private readonly ILogger<LedgerMetrics> _logger;
    private StoreReading _reading = StoreReading.None;
    private int _readingInFlight;

    public LedgerMetrics(IMeterFactory meters, IServiceProvider services, ILogger<LedgerMetrics> logger)
    {
        ArgumentNullException.ThrowIfNull(meters);
        // The store is resolved when the gauges are first read: its session listener needs these metrics first.
        _services = services;
        _logger = logger;
        var meter = meters.Create(MeterName);
        _commands = meter.CreateCounter<long>("ledger.commands", "{command}", "Commands answered, by operationId and outcome.");
        _events = meter.CreateCounter<long>("ledger.events.appended", "{event}", "Events appended, by event type.");
        _importRows = meter.CreateCounter<long>("ledger.import.rows", "{row}", "Rows of imported files, by outcome: imported, present (already in the ledger) or refused.");
        _verificationFailures = meter.CreateCounter<long>("ledger.verification.failures", "{verification}", "Verifications that failed: chain or read_models.");
        meter.CreateObservableGauge("ledger.projection.lag", ObserveLag, "{event}", "Events the asynchronous projection is behind the high-water mark.");
        meter.CreateObservableGauge("ledger.checkpoint.age", ObserveCheckpointAge, "s", "Seconds since the last signed checkpoint.");
    }

    /// <summary>A command's outcome: what its answer says of it.</summary>
    public static class Outcomes
    {
        public const string Accepted = "accepted";
        public const string Replayed = "replayed";
        public const string Refused = "refused";
        public const string Conflict = "conflict";
        public const string Failed = "failed";

        public static string Of(int status, bool replayed) => status switch
        {
            _ when replayed => Replayed,
            >= 200 and < 400 => Accepted,
            StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed => Conflict,
            >= 400 and < 500 => Refused,
            _ => Failed,
        };
    }

    public void CommandAnswered(string operationId, string outcome) =>
        _commands.Add(1, new KeyValuePair<string, object?>(CommandTag, operationId), new KeyValuePair<string, object?>(OutcomeTag, outcome));

    public void EventsAppended(IEnumerable<IEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var byType in events.GroupBy(e => e.EventTypeName))
        {
            _events.Add(byType.Count(), new KeyValuePair<string, object?>(EventTypeTag, byType.Key));
        }
    }

    /// <summary>What became of an imported row.</summary>
    public static class ImportOutcomes
    {
        public const string Imported = "imported";
        public const string Present = "present";
        public const string Refused = "refused";
    }

    /// <summary>Rows of an import, by <see cref="ImportOutcomes"/>.</summary>
    public void ImportRows(long rows, string outcome)
    {
        if (rows > 0)
        {
            _importRows.Add(rows, new KeyValuePair<string, object?>(OutcomeTag, outcome));
        }
    }

    /// <summary>A verification that found the ledger wrong: <c>chain</c> or <c>read_models</c>.</summary>
    public void VerificationFailed(string verification) =>
        _verificationFailures.Add(1, new KeyValuePair<string, object?>(VerificationTag, verification));

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        var reading = Current();
        return reading.Lag.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>(ProjectionTag, p.Key)));
    }

    private IEnumerable<Measurement<double>> ObserveCheckpointAge()
    {
        var reading = Current();
        return reading.LastCheckpoint is { } signed
            ? [new Measurement<double>(Math.Max(0, (DateTimeOffset.UtcNow - signed).TotalSeconds))]
            : [];
    }

    /// <summary>The last reading; a stale one starts a new read in the background (a collection never waits for the database).</summary>
    private StoreReading Current()
    {
        var reading = _reading;
        if (DateTimeOffset.UtcNow - reading.ReadAt >= StoreReadInterval && Interlocked.CompareExchange(ref _readingInFlight, 1, 0) == 0)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await ReadStoreAsync(CancellationToken.None);
                }
                finally
                {
                    Volatile.Write(ref _readingInFlight, 0);
                }
            });
        }

        return reading;
    }

    /// <summary>Reads projection progress and the last checkpoint now (the gauges report it until the next read).</summary>
    public async Task ReadStoreAsync(CancellationToken cancellation)
    {
        try
        {
            var store = _services.GetRequiredService<IDocumentStore>();
            var progress = await store.Advanced.AllProjectionProgress(token: cancellation);
            var highWater = progress.FirstOrDefault(s => s.ShardName == ShardState.HighWaterMark)?.Sequence ?? 0;
            var lag = progress.Where(s => s.ShardName != ShardState.HighWaterMark && !s.ShardName.StartsWith(ShardState.HighWaterMark + ":", StringComparison.Ordinal))
                .ToDictionary(s => s.ShardName, s => Math.Max(0, highWater - s.Sequence));

            await using var command = _services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                $"select max(signed_at) from {store.Options.DatabaseSchemaName}.{CheckpointStore.Name}");
            var signed = await command.ExecuteScalarAsync(cancellation) is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : (DateTimeOffset?)null;
            _reading = new StoreReading(DateTimeOffset.UtcNow, lag, signed);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // Unknown rather than stale: the gauges report nothing until a read succeeds.
            LogReadFailed(_logger, e);
            _reading = StoreReading.None with { ReadAt = DateTimeOffset.UtcNow };
        }
    }

    private sealed record StoreReading(DateTimeOffset ReadAt, IReadOnlyDictionary<string, long> Lag, DateTimeOffset? LastCheckpoint)
    {
        public static readonly StoreReading None = new(DateTimeOffset.MinValue, new Dictionary<string, long>(), null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics: projection progress or the last checkpoint could not be read")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);
}

/// <summary>Counts the events of every committed session (imports append in bulk and count theirs themselves).</summary>
public sealed class EventsAppendedListener(LedgerMetrics metrics) : DocumentSessionListenerBase
{
    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(commit);
        metrics.EventsAppended(commit.GetEvents());
        return Task.CompletedTask;
    }
}

/// <summary>Counts every answer of a POST endpoint by its operationId and outcome (<see cref="LedgerMetrics.Outcomes"/>).</summary>
public sealed class CommandMetrics(RequestDelegate next, LedgerMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await next(context);
            return;
        }

        try
        {
            await next(context);
        }
        catch (Exception exception)
        {
            // The exception handler outside answers some exceptions with 4xx (a concurrency race is a 409): count what it will answer.
            Count(context, LedgerMetrics.Outcomes.Of(LedgerExceptionHandler.ToProblem(exception)?.Status ?? StatusCodes.Status500InternalServerError, replayed: false));
            throw;
        }

        Count(context, LedgerMetrics.Outcomes.Of(context.Response.StatusCode,
            context.Response.Headers.ContainsKey(Idempotency.IdempotencyKeys.ReplayedHeader)));
    }

    /// <summary>Counts the answer when the request was routed to an endpoint with an operationId (every Wolverine endpoint has one).</summary>
    private void Count(HttpContext context, string outcome)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IEndpointNameMetadata>() is { } name)
        {
            metrics.CommandAnswered(name.EndpointName, outcome);
        }
    }
}
