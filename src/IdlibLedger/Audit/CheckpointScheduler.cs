namespace IdlibLedger.Audit;

/// <summary>Signs a checkpoint of the chain's head every <c>Audit:CheckpointInterval</c> (default one hour).</summary>
public sealed partial class CheckpointScheduler(IServiceProvider services, IConfiguration configuration, ILogger<CheckpointScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.TryParse(configuration["Audit:CheckpointInterval"], System.Globalization.CultureInfo.InvariantCulture, out var configured) ? configured : TimeSpan.FromHours(1);
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var checkpoints = scope.ServiceProvider.GetRequiredService<CheckpointStore>();
                if ((await checkpoints.CheckpointHeadAsync(null, reuse: false, stoppingToken)).Checkpoint is { } checkpoint)
                {
                    LogSigned(logger, checkpoint.Sequence, checkpoint.Hash);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Signed checkpoint at sequence {Sequence}: {Hash}")]
    private static partial void LogSigned(ILogger logger, long sequence, string hash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sign the hourly checkpoint")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
