using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Npgsql;

namespace IdlibLedger.Infrastructure;

/// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: and the database does too. Both open to anyone (probes).</summary>
public static class Health
{
    private const string Ready = "ready";

    public static IServiceCollection AddLedgerHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddNpgSql(sp => sp.GetRequiredService<NpgsqlDataSource>(), name: "postgresql", tags: [Ready]);
        return services;
    }

    public static WebApplication MapLedgerHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready) }).AllowAnonymous();
        app.MapNodeDuties();
        return app;
    }
}
