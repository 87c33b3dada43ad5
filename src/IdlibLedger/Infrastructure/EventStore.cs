using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;
using Weasel.Core;
using Wolverine.Marten;

namespace IdlibLedger.Infrastructure;

/// <summary>Marten: the event store, its read-model tables and the Wolverine integration (outbox, transactions).</summary>
public static class EventStore
{
    /// <summary>The name under ConnectionStrings (environment: <c>ConnectionStrings__Ledger</c>).</summary>
    public const string ConnectionStringName = "Ledger";

    public const int DefaultMaxPoolSize = 40;

    /// <summary>How often a node that does not run the async daemon tries to take it over.</summary>
    public const int DaemonLeadershipPollingMilliseconds = 1000;

    private static readonly string[] PoolSizeKeywords = ["Maximum Pool Size", "Max Pool Size", "MaxPoolSize"];

    /// <summary>The PostgreSQL settings of the service's connections, unless the connection string gives Options.</summary>
    public const string DefaultOptions = "-c jit=off -c plan_cache_mode=force_custom_plan";

    /// <summary>Statements Npgsql keeps prepared per connection, unless the connection string says otherwise.</summary>
    public const int DefaultMaxAutoPrepare = 64;

    private static readonly string[] AutoPrepareKeywords = ["Max Auto Prepare", "MaxAutoPrepare"];

    public static IServiceCollection AddLedgerEventStore(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        // Read when the services are registered: Marten's start-up migration is chosen here, not when the store is built.
        var applySchemaOnStartup = ApplySchemaOnStartup(configuration, environment);
        // Configuration is read when the services are built, so hosts (and tests) can still override it.
        services.AddSingleton(sp =>
        {
            var connectionString = sp.GetRequiredService<IConfiguration>().GetConnectionString(ConnectionStringName)
                ?? throw new InvalidOperationException("ConnectionStrings:Ledger is not set (deploy/local/run.sh sets it for a local cluster).");
            var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "ledger" };
            // PostgreSQL's JIT compiles a query whose estimated cost is high, which takes 100-200 ms and pays off only
            // for long analytical scans; the ledger's reads are short index reads. Prepared statements (below) keep
            // their parse, but are planned with each execution's values: the time-travel reads depend on them (a
            // generic plan made casualty totals 10 → 67 ms at p95 on a million events). A connection string's Options win.
            builder.ConnectionStringBuilder.Options ??= DefaultOptions;
            // Npgsql's default pool (100) is PostgreSQL's default max_connections: a burst of requests would take every
            // slot and then fail. A smaller pool makes a burst wait for a connection instead. The connection string wins.
            var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
            if (!PoolSizeKeywords.Any(given.ContainsKey))
            {
                builder.ConnectionStringBuilder.MaxPoolSize = DefaultMaxPoolSize;
            }

            // Every statement the ledger sends is text fixed at start-up: prepared once per connection, PostgreSQL stops
            // parsing each append's statements again, and still plans them with their values (Options above).
            if (!AutoPrepareKeywords.Any(given.ContainsKey))
            {
                builder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
            }

            builder.UseNetTopologySuite();
            return builder.Build();
        });
        services.AddSingleton<LedgerClock>();

        var marten = services.AddMarten(sp =>
            {
                var options = LedgerOptions.From(sp.GetRequiredService<IConfiguration>());
                var store = new StoreOptions();
                store.Connection(sp.GetRequiredService<NpgsqlDataSource>());
                store.DatabaseSchemaName = options.Schema;
                store.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, LedgerJson.Configure);
                // In production `db-apply` changes the schema, once, before the service starts: the service never does.
                store.AutoCreateSchemaObjects = applySchemaOnStartup ? AutoCreate.CreateOrUpdate : AutoCreate.None;

                // recordedAt is the server's clock (Marten's event timestamp), never the client's.
                store.Events.TimeProvider = new EventTimestamps(sp.GetRequiredService<LedgerClock>());
                store.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
                store.Events.MetadataConfig.CorrelationIdEnabled = true;
                store.Events.MetadataConfig.CausationIdEnabled = true;
                store.Events.MetadataConfig.HeadersEnabled = true;
                // Reads of one event type (casualty figures, rebuilds) use the (type, seq_id) index, not a scan.
                store.Events.EnableEventTypeIndex = true;
                // Several nodes share one database: the daemon (HotCold below) runs on the node holding its advisory
                // lock, and the others try to take it this often, so a dead leader's projections move within about
                // this long of PostgreSQL ending its session (Marten's default is 5 s).
                store.Projections.LeadershipPollingTime = DaemonLeadershipPollingMilliseconds;
                store.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.Normal;
                store.OpenTelemetry.TrackEventCounters();

                // PostGIS is part of the schema from the start; the territory read models use it.
                store.Storage.ExtendedSchemaObjects.Add(new Weasel.Postgresql.Extension("postgis"));
                Attacks.AttacksConfiguration.Configure(store);
                Territory.TerritoryConfiguration.Configure(store);
                Ceasefires.CeasefiresConfiguration.Configure(store);
                Audit.AuditConfiguration.Configure(store, sp);
                Access.AccessConfiguration.Configure(store, sp);
                return store;
            })
            .UseLightweightSessions();
        if (applySchemaOnStartup)
        {
            // One schema migration at start-up, before the daemon and the loaders that append (they would race).
            marten.ApplyAllDatabaseChangesOnStartup();
        }
        else
        {
            // Without a migration the schema must already match: fail at start-up, naming what differs.
            marten.AssertDatabaseMatchesConfigurationOnStartup();
        }

        // The hash chain is an asynchronous projection: the daemon feeds it events in strict global order. HotCold:
        // of several nodes on one database, only the one holding Marten's advisory lock runs it (docs/reliability.md).
        marten.AddAsyncDaemon(JasperFx.Events.Daemon.DaemonMode.HotCold)
            .IntegrateWithWolverine();

        return services;
    }

    /// <summary>Ledger:ApplySchemaOnStartup, or by default everywhere but Production (there: <c>db-apply</c>).</summary>
    public static bool ApplySchemaOnStartup(IConfiguration configuration, IHostEnvironment environment) =>
        LedgerOptions.From(configuration).ApplySchemaOnStartup ?? !environment.IsProduction();
}
