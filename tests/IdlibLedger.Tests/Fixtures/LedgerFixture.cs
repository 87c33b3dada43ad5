using System.Diagnostics;
using Alba;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Audit;
using IdlibLedger.Ceasefires;
using IdlibLedger.Infrastructure;
using IdlibLedger.Territory.ControlChanges;
using IdlibLedger.Territory.ObservationPosts;
using IdlibLedger.Territory.Regions;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Trace;
using Testcontainers.PostgreSql;

namespace IdlibLedger.Tests.Fixtures;

/// <summary>
/// One running ledger for the HTTP tests: the real service (Wolverine, Marten) on a real PostgreSQL with
/// PostGIS. The database is LEDGER_TEST_CONNECTION when set (deploy/local/test.sh starts a local cluster),
/// else a Testcontainers PostGIS container (needs Docker).
/// </summary>
public sealed class LedgerFixture : IAsyncLifetime
{
    public const string Schema = "ledger";

    private PostgreSqlContainer? _container;

    public IAlbaHost Host { get; private set; } = null!;

    public TestClock Clock { get; } = new();

    /// <summary>Every span the service finished, from ASP.NET Core, Wolverine, Marten and Npgsql.</summary>
    public List<Activity> Spans { get; } = [];

    public string ConnectionString { get; private set; } = null!;

    /// <summary>The checkpoint signing key of this test run (generated on first use).</summary>
    public string SigningKeyPath { get; } = Path.Combine(Path.GetTempPath(), $"idlib-ledger-test-key-{Guid.NewGuid():N}.pem");

    /// <summary>The key events are sealed with in this test run (generated on first use).</summary>
    public string SealKeyPath { get; } = Path.Combine(Path.GetTempPath(), $"idlib-ledger-test-seal-key-{Guid.NewGuid():N}");

    /// <summary>The shared reference data (OCHA boundaries, UCDP events): LEDGER_SHARED_DATA, or shared/data in a folder above the tests.</summary>
    public static string? SharedData { get; } = FindSharedData();

    private static string? FindSharedData()
    {
        var given = Environment.GetEnvironmentVariable("LEDGER_SHARED_DATA");
        if (!string.IsNullOrWhiteSpace(given))
        {
            return given;
        }

        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "shared", "data");
            if (File.Exists(Path.Combine(candidate, "syria_adm1_governorates_ocha.geojson")))
            {
                return candidate;
            }
        }

        return null;
    }

    public async Task InitializeAsync()
    {
        ConnectionString = Environment.GetEnvironmentVariable("LEDGER_TEST_CONNECTION") ?? await StartContainerAsync();
        // A run starts from an empty ledger: events kept from an earlier run are sealed with that run's key, and the
        // chain would go on from their links. The host registers the reference regions again, sealed with this run's.
        await ExecuteAsync(
            $"do $$ begin if to_regclass('{Schema}.mt_events') is not null then delete from {Schema}.mt_events; delete from {Schema}.mt_streams; end if; " +
            $"if to_regclass('{Schema}.{AuditChainProjection.Name}') is not null then delete from {Schema}.{AuditChainProjection.Name}; end if; " +
            $"if to_regclass('{Schema}.{RegionTable.Name}') is not null then delete from {Schema}.{RegionTable.Name}; end if; " +
            $"if to_regclass('{Schema}.{RegionTable.VersionsName}') is not null then delete from {Schema}.{RegionTable.VersionsName}; end if; end $$");
        Host = await StartHostAsync(Schema, settings: null);
    }

    /// <summary>
    /// A running service on this fixture's database in <paramref name="schema"/>, configured as the tests' host is,
    /// with <paramref name="settings"/> on top (tests of public reads or low rate limits start one of their own).
    /// </summary>
    public async Task<IAlbaHost> StartHostAsync(string schema, IReadOnlyDictionary<string, string>? settings)
    {
        var host = await AlbaHost.For<Program>(web =>
        {
            web.UseEnvironment("Testing");
            web.UseSetting("ConnectionStrings:Ledger", ConnectionString);
            web.UseSetting("Ledger:Schema", schema);
            web.UseSetting("Ledger:LoadDemoData", "false");
            web.UseSetting("Ledger:MaxRequestBodyBytes", "65536");
            // Small enough that a polygon over the cap still fits in a 64 KiB body.
            web.UseSetting("Ledger:MaxGeometryVertices", "200");
            web.UseSetting("Audit:SigningKeyPath", SigningKeyPath);
            web.UseSetting("Audit:SealKeyPath", SealKeyPath);
            web.UseSetting("Ledger:SharedDataPath", SharedData);
            // Authentication as in production: bearer tokens from an issuer the host trusts (Credentials mints them).
            web.UseSetting("Ledger:Jwt:Issuer", Credentials.Issuer);
            web.UseSetting("Ledger:Jwt:Audience", Credentials.Audience);
            web.UseSetting("Ledger:Jwt:SigningKeys:0", Credentials.SigningKey);
            // The tests send thousands of requests as one client; the rate-limit tests set limits of their own.
            foreach (var kind in new[] { "Writes", "Reads", "Imports", "Exports" })
            {
                web.UseSetting($"Ledger:RateLimits:{kind}:TokenLimit", "1000000");
                web.UseSetting($"Ledger:RateLimits:{kind}:TokensPerPeriod", "1000000");
            }

            // The tests reset the tables under the running service and move its clock, which no writer in production
            // does; the read cache's own tests turn it on (Platform/reading_from_the_cache.cs).
            web.UseSetting("Ledger:ReadCache:Enabled", "false");

            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                web.UseSetting(key, value);
            }

            web.ConfigureServices(services =>
            {
                services.AddSingleton<LedgerClock>(Clock);
                services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans));
            });
        });
        await host.Services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return host;
    }

    private async Task<string> StartContainerAsync()
    {
        _container = new PostgreSqlBuilder("postgis/postgis:15-3.4").Build();
        await _container.StartAsync();
        return _container.GetConnectionString();
    }

    /// <summary>
    /// Empties the ledger (events and read models) so a test starts from nothing, but for the regions: reference
    /// data registered at start-up from ../shared/data, which any test may measure against. Regions a test posted
    /// (<c>test-…</c>) go with their corrections and retractions, so that the region tables still equal a rebuild.
    /// </summary>
    public async Task ResetAsync()
    {
        Clock.UseSystemTime();
        await ExecuteAsync(
            HoldingTheCellFold +
            $"delete from {Schema}.mt_events where type <> 'region_registered' or data ->> 'regionId' like 'test-%'; " +
            $"delete from {Schema}.mt_streams s where not exists (select 1 from {Schema}.mt_events e where e.stream_id = s.id); " +
            $"truncate {Schema}.{AttackTimeline.TableName}, {Schema}.{AttackTimeline.CasualtiesTableName}, {Schema}.{CasualtyCells.TableName}, {Schema}.{CasualtyCells.DeltasTableName}, {Schema}.{ControlChangeTable.Name}, {Schema}.{ObservationPostTable.Name}; " +
            $"delete from {Schema}.{RegionTable.Name} r where not exists (select 1 from {Schema}.mt_events e where e.type = 'region_registered' and e.data ->> 'regionId' = r.id); " +
            $"delete from {Schema}.{RegionTable.VersionsName} r where not exists (select 1 from {Schema}.mt_events e where e.type = 'region_registered' and e.data ->> 'regionId' = r.id); " +
            $"truncate {Schema}.{CheckpointStore.Name}, {Schema}.{CeasefireTable.Name}, {Schema}.mt_doc_idempotencyrecord");
    }

    /// <summary>
    /// For the audit tests: waits until the hash chain has caught up with every event, then drops the links of
    /// events that earlier tests' resets deleted, so that the chain describes exactly the events there are.
    /// (Only audit tests pay for the wait; the daemon's catch-up takes a second or so.)
    /// </summary>
    public async Task ChainCaughtUpAsync()
    {
        await Host.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        await ExecuteAsync($"delete from {Schema}.{AuditChainProjection.Name} c where not exists (select 1 from {Schema}.mt_events e where e.seq_id = c.seq)");
    }

    /// <summary>
    /// Prefixed to SQL that empties the casualty cells: the statements of one call run in one transaction, and this
    /// keeps the host's fold out of it (a fold between the truncation of the cells and of their deltas deadlocks).
    /// </summary>
    public static string HoldingTheCellFold => $"select pg_advisory_xact_lock({CasualtyCells.FoldLock(Schema)}); ";

    /// <summary>
    /// For tests that read or change the casualty cells themselves: folds every committed delta into the cells now, as
    /// the host's <see cref="CasualtyCellFolding"/> would within a second (waiting while that holds the fold's lock).
    /// </summary>
    public async Task CellsFoldedAsync()
    {
        var cells = new CasualtyCells(Schema);
        var database = Host.Services.GetRequiredService<NpgsqlDataSource>();
        while ((long)(await ScalarAsync($"select count(*) from {Schema}.{CasualtyCells.DeltasTableName}"))! > 0)
        {
            if (await cells.FoldAsync(database, CancellationToken.None) == 0)
            {
                await Task.Delay(20);
            }
        }
    }

    /// <summary>Events other than the reference regions: what the test's commands appended.</summary>
    public async Task<long> EventCountAsync() =>
        (long)(await ScalarAsync($"select count(*) from {Schema}.mt_events where type <> 'region_registered'"))!;

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        File.Delete(SigningKeyPath);
        File.Delete(SealKeyPath);
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LedgerTestGroup : ICollectionFixture<LedgerFixture>
{
    public const string Name = "ledger";
}

/// <summary>Base of the HTTP scenario tests: each starts on an empty ledger.</summary>
[Collection(LedgerTestGroup.Name)]
public abstract class LedgerTest(LedgerFixture ledger) : IAsyncLifetime
{
    protected LedgerFixture Ledger { get; } = ledger;

    protected IAlbaHost Host => Ledger.Host;

    public virtual Task InitializeAsync() => Ledger.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
