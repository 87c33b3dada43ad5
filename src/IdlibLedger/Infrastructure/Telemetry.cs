using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace IdlibLedger.Infrastructure;

/// <summary>Traces and metrics for ASP.NET Core, Wolverine, Marten and Npgsql; OTLP when an endpoint is configured.</summary>
public static class Telemetry
{
    public const string ServiceName = "idlib-ledger";

    /// <summary>Activity sources the libraries emit on; Npgsql's comes with the driver itself.</summary>
    public static readonly string[] Sources = ["Wolverine", "Marten", "Npgsql"];

    public static IServiceCollection AddLedgerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddSource(Sources))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Wolverine*", "Marten*", "Npgsql"));

        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.UseOtlpExporter();
        }

        return services;
    }
}
