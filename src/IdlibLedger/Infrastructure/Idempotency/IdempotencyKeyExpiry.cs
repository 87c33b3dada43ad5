using Marten;
using Microsoft.Extensions.Options;

namespace IdlibLedger.Infrastructure.Idempotency;

/// <summary>Deletes Idempotency-Key records past their retention, once an hour (a lookup also ignores them).</summary>
public sealed partial class IdempotencyKeyExpiry(IDocumentStore store, IOptions<LedgerOptions> options, ILogger<IdempotencyKeyExpiry> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            try
            {
                var cutoff = TimeProvider.System.GetUtcNow() - IdempotencyKeys.RetentionOf(options.Value);
                await using var session = store.LightweightSession();
                session.DeleteWhere<IdempotencyRecord>(r => r.CreatedAt < cutoff);
                await session.SaveChangesAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired Idempotency-Key records failed; the next hour tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
