using Marten;
using Npgsql;

namespace IdlibLedger.Audit;

/// <summary>
/// Signs a checkpoint of the chain's head every <c>Audit:CheckpointInterval</c> (default one hour) when the head
/// moved since the last one. Of several instances on one database only one signs: the one holding the
/// <see cref="LeaderLock"/> advisory lock on a session of its own; when that session ends, another takes it.
/// </summary>
public sealed partial class CheckpointScheduler(
    IServiceProvider services, NpgsqlDataSource database, IDocumentStore store, IConfiguration configuration, ILogger<CheckpointScheduler> logger) : BackgroundService
{
    /// <summary>The advisory-lock space (two-int form) of the signing node; the schema's hash is the second key.</summary>
    public const int LeaderLock = 0x4C44_4732;

    private volatile bool _leads;

    /// <summary>Whether this instance holds <see cref="LeaderLock"/>, as of its last tick: it signs and no other does.</summary>
    public bool Leads => _leads;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.TryParse(configuration["Audit:CheckpointInterval"], System.Globalization.CultureInfo.InvariantCulture, out var configured) ? configured : TimeSpan.FromHours(1);
        using var timer = new PeriodicTimer(interval);
        NpgsqlConnection? lead = null;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (lead is not null && !await StillLeadsAsync(lead, stoppingToken))
                    {
                        _leads = false;
                        await lead.DisposeAsync();
                        lead = null;
                    }

                    lead ??= await TryLeadAsync(stoppingToken);
                    _leads = lead is not null;
                    if (lead is null)
                    {
                        continue;
                    }

                    await using var scope = services.CreateAsyncScope();
                    var checkpoints = scope.ServiceProvider.GetRequiredService<CheckpointStore>();
                    if (await checkpoints.CheckpointHeadAsync(null, reuse: true, stoppingToken) is { Checkpoint: { } checkpoint, Signed: true })
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
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            _leads = false;
            await StepDownAsync(lead);
        }
    }

    private async Task<bool> StillLeadsAsync(NpgsqlConnection lead, CancellationToken cancellation)
    {
        try
        {
            await using var alive = new NpgsqlCommand("select 1", lead);
            await alive.ExecuteScalarAsync(cancellation);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The session is gone, and the lock with it: another instance may hold it now.
            LogLostLead(logger, e);
            return false;
        }
    }

    /// <summary>A session holding the lock, or null when another instance holds it.</summary>
    private async Task<NpgsqlConnection?> TryLeadAsync(CancellationToken cancellation)
    {
        var connection = await database.OpenConnectionAsync(cancellation);
        try
        {
            await using var take = new NpgsqlCommand("select pg_try_advisory_lock(@space, hashtext(@schema))", connection);
            take.Parameters.AddWithValue("space", LeaderLock);
            take.Parameters.AddWithValue("schema", store.Options.DatabaseSchemaName);
            if (await take.ExecuteScalarAsync(cancellation) is true)
            {
                LogLeading(logger, store.Options.DatabaseSchemaName);
                return connection;
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    private async Task StepDownAsync(NpgsqlConnection? lead)
    {
        if (lead is null)
        {
            return;
        }

        try
        {
            // Released now, not when the pool next hands out the connection (it resets sessions lazily).
            await using var release = new NpgsqlCommand("select pg_advisory_unlock(@space, hashtext(@schema))", lead);
            release.Parameters.AddWithValue("space", LeaderLock);
            release.Parameters.AddWithValue("schema", store.Options.DatabaseSchemaName);
            await release.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // A broken session has released the lock already.
        }

        await lead.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Signed checkpoint at sequence {Sequence}: {Hash}")]
    private static partial void LogSigned(ILogger logger, long sequence, string hash);

    [LoggerMessage(Level = LogLevel.Information, Message = "This instance signs the hourly checkpoints of schema {Schema}")]
    private static partial void LogLeading(ILogger logger, string schema);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This instance lost its session to the database and no longer signs the hourly checkpoints until it holds the lock again")]
    private static partial void LogLostLead(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sign the hourly checkpoint")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
