using Marten;
using Npgsql;

namespace IdlibLedger.Attacks.Timeline;

/// <summary>
/// Folds the casualty cells' deltas into the cells (<see cref="CasualtyCells.FoldAsync"/>) every second on every
/// node; one node folds at a time. Reads are right whether or not it has run: it only keeps the deltas few, so that
/// reads sum few of them, and vacuums them after every 100,000 folded (or 30 s after the last vacuum), so that reads
/// do not scan the rows folds deleted. After a failure (the database away) it waits longer each time, up to a minute.
/// </summary>
public sealed partial class CasualtyCellFolding(NpgsqlDataSource database, IDocumentStore store, ILogger<CasualtyCellFolding> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan LongestPause = TimeSpan.FromMinutes(1);

    /// <summary>The deltas are vacuumed once this many have been folded, or this long after the last vacuum if any have.</summary>
    private const long VacuumAfterRows = 100_000;

    private static readonly TimeSpan VacuumInterval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cells = new CasualtyCells(store.Options.DatabaseSchemaName);
        var pause = Interval;
        var (movedSinceVacuum, lastVacuum) = (0L, TimeProvider.System.GetTimestamp());
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A full batch means more are waiting: fold again at once.
                int moved;
                do
                {
                    moved = await cells.FoldAsync(database, stoppingToken);
                    movedSinceVacuum += moved;
                }
                while (moved == CasualtyCells.FoldBatch);

                if (movedSinceVacuum >= VacuumAfterRows || (movedSinceVacuum > 0 && TimeProvider.System.GetElapsedTime(lastVacuum) >= VacuumInterval))
                {
                    await cells.VacuumDeltasAsync(database, stoppingToken);
                    (movedSinceVacuum, lastVacuum) = (0, TimeProvider.System.GetTimestamp());
                }

                pause = Interval;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                pause = TimeSpan.FromTicks(Math.Min(LongestPause.Ticks, pause.Ticks * 2));
                LogFailed(logger, e, pause.TotalSeconds);
            }

            await Task.Delay(pause, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Folding casualty cell deltas failed; trying again in {Seconds} s (reads stay right meanwhile)")]
    private static partial void LogFailed(ILogger logger, Exception exception, double seconds);
}
