using JasperFx.Events.Projections;
using Marten;
using Npgsql;

namespace IdlibLedger.Audit;

/// <summary>How the audit capability plugs in: the hash chain (async projection), checkpoints, signer, verifier.</summary>
public static class AuditConfiguration
{
    public static void Configure(StoreOptions store, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(services);
        var chain = new AuditChainProjection(store.DatabaseSchemaName, services.GetRequiredService<NpgsqlDataSource>());
        var table = chain.SchemaObject();
        store.Storage.ExtendedSchemaObjects.Add(table);
        store.Storage.ExtendedSchemaObjects.Add(CheckpointStore.SchemaObject(store.DatabaseSchemaName));
        store.Projections.Add(chain, ProjectionLifecycle.Async, AuditChainProjection.ProjectionName,
            options => options.DeleteDataInTableOnTeardown(table.Identifier.QualifiedName));
        store.Events.MetadataConfig.UserNameEnabled = true;
        store.Listeners.Add(new RecordedBy(services.GetRequiredService<IHttpContextAccessor>()));
    }

    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<CheckpointSigner>();
        services.AddScoped<CheckpointStore>();
        services.AddScoped<ChainVerifier>();
        services.AddHostedService<CheckpointScheduler>();
        return services;
    }
}

/// <summary>
/// Stamps each event with who recorded it: the authenticated user, else the API client named in the
/// <c>X-Client-Id</c> header, else "anonymous" (and "service" outside a request).
/// </summary>
public sealed class RecordedBy(IHttpContextAccessor http) : DocumentSessionListenerBase
{
    public const string ClientHeader = "X-Client-Id";

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
    public static string Who(HttpContext? context)
    {
        var client = context?.Request.Headers[ClientHeader].ToString();
        return context is null ? "service"
            : context.User.Identity is { IsAuthenticated: true, Name: { } user } ? user
            : string.IsNullOrWhiteSpace(client) ? "anonymous"
            : client.Trim()[..Math.Min(client.Trim().Length, 200)];
    }
}
