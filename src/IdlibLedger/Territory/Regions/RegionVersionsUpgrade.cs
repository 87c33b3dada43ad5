using Marten;
using Npgsql;

namespace IdlibLedger.Territory.Regions;

/// <summary>
/// A ledger recorded before <c>region_versions</c> existed (issue #17) has regions but no versions of them, so every
/// read that measures by a region at an asOf would find none. At start-up, before the OCHA units are looked at, such a
/// ledger gets its <c>RegionTable</c> projection rebuilt from the events once; afterwards the check finds versions and
/// does nothing. An advisory lock keeps two instances starting together from rebuilding at once.
/// </summary>
public sealed partial class RegionVersionsUpgrade(IDocumentStore store, NpgsqlDataSource database, ILogger<RegionVersionsUpgrade> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var schema = store.Options.DatabaseSchemaName;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using (var locking = new NpgsqlCommand("select pg_advisory_lock(hashtext(@key))", connection))
        {
            locking.Parameters.AddWithValue("key", $"{schema}.{RegionTable.VersionsName}");
            await locking.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await using var check = new NpgsqlCommand(
                $"select exists (select 1 from {schema}.{RegionTable.Name}) and not exists (select 1 from {schema}.{RegionTable.VersionsName})", connection);
            if (await check.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return;
            }

            LogRebuilding(logger);
            using var daemon = await store.BuildProjectionDaemonAsync();
            await daemon.RebuildProjectionAsync(nameof(RegionTable), TimeSpan.FromMinutes(5), cancellationToken);
        }
        finally
        {
            await using var unlocking = new NpgsqlCommand("select pg_advisory_unlock(hashtext(@key))", connection);
            unlocking.Parameters.AddWithValue("key", $"{schema}.{RegionTable.VersionsName}");
            await unlocking.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Regions without versions (a ledger recorded before region_versions): rebuilding the RegionTable projection once")]
    private static partial void LogRebuilding(ILogger logger);
}
