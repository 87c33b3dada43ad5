using JasperFx.Events.Projections;
using Marten;
using Npgsql;

namespace IdlibLedger.Audit;

/// <summary>How the audit capability plugs in: the seals, the hash chain (async projection), checkpoints, signer, verifier.</summary>
public static class AuditConfiguration
{
    public static void Configure(StoreOptions store, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(services);
        var seals = services.GetRequiredService<SealKey>();
        var chain = new AuditChainProjection(
            store.DatabaseSchemaName, services.GetRequiredService<NpgsqlDataSource>(), seals, services.GetRequiredService<ILogger<AuditChainProjection>>());
        var table = chain.SchemaObject();
        store.Storage.ExtendedSchemaObjects.Add(table);
        store.Storage.ExtendedSchemaObjects.Add(CheckpointStore.SchemaObject(store.DatabaseSchemaName));
        store.Projections.Add(chain, ProjectionLifecycle.Async, AuditChainProjection.ProjectionName,
            options =>
            {
                options.DeleteDataInTableOnTeardown(table.Identifier.QualifiedName);
                // After an import the chain catches up with thousands of events: fewer, larger batches (one insert each).
                options.BatchSize = 5000;
            });
        store.Events.MetadataConfig.UserNameEnabled = true;
        store.Listeners.Add(new RecordedBy(services.GetRequiredService<IHttpContextAccessor>()));
        // After RecordedBy: the seal covers the user name it stamps.
        store.Listeners.Add(new SealsEvents(seals));
    }

    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<CheckpointSigner>();
        services.AddSingleton(sp => SealKey.FromConfiguration(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IHostEnvironment>()));
        services.AddScoped<CheckpointStore>();
        services.AddScoped<ChainVerifier>();
        services.AddScoped<ReadModelVerifier>();
        // One instance, so that /health/node can ask it whether this node signs.
        services.AddSingleton<CheckpointScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<CheckpointScheduler>());
        return services;
    }
}

/// <summary>
/// Stamps each event with who recorded it: the client or user its credentials name (an API key's client, a token's
/// name claim), never anything the request body or a header chooses; "service" outside a request (demo data,
/// the checkpoint scheduler).
/// </summary>
public sealed class RecordedBy(IHttpContextAccessor http) : DocumentSessionListenerBase
{

    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(session);
        var who = Who(http.HttpContext);
        session.LastModifiedBy = who;
        // Events take their user name when appended; these were appended before this listener ran.
        foreach (var e in session.PendingChanges.Streams().SelectMany(stream => stream.Events))
        {
            e.UserName ??= who;
        }

        return Task.CompletedTask;
    }

    /// <summary>Who records events in this request (or outside one).</summary>
    public static string Who(HttpContext? context) =>
        context is null ? "service"
        : context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } user } ? user
        // Unreachable for writes (every write needs credentials); kept so that a mistake is visible, not silent.
        : "anonymous";
}
