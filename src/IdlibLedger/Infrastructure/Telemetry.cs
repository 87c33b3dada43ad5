using System.Diagnostics;
using Marten;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// Traces and metrics for ASP.NET Core, Wolverine, Marten, Npgsql and the ledger's own <see cref="LedgerMetrics"/>;
/// OTLP when an endpoint is configured; JSON console logs outside Development.
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "idlib-ledger";

    public const string Section = "Ledger:Telemetry";

    /// <summary>Activity sources the libraries emit on; Npgsql's comes with the driver itself.</summary>
    public static readonly string[] Sources = ["Wolverine", "Marten", "Npgsql"];

    public static IServiceCollection AddLedgerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<LedgerMetrics>();
        services.AddSingleton<EventsAppendedListener>();
        services.ConfigureMarten((sp, store) => store.Listeners.Add(sp.GetRequiredService<EventsAppendedListener>()));

        var builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing => tracing
                .SetSampler(sp => RequestSampler.From(sp.GetRequiredService<IConfiguration>()))
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddSource(Sources))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(LedgerMetrics.MeterName)
                .AddMeter("Wolverine*", "Marten*", "Npgsql"));

        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.UseOtlpExporter();
        }

        return services;
    }

    /// <summary>Console logs as one JSON object a line (UTC timestamps, scopes) outside Development; plain text in it.</summary>
    public static WebApplicationBuilder AddLedgerLogging(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Environment.IsDevelopment())
        {
            builder.Logging.AddSimpleConsole(console => console.IncludeScopes = true);
        }
        else
        {
            builder.Logging.AddJsonConsole(console =>
            {
                console.UseUtcTimestamp = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                console.IncludeScopes = true;
            });
        }

        return builder;
    }
}

/// <summary>
/// Keeps the traces of incoming HTTP requests (a root server span, at <c>Ledger:Telemetry:SampleRatio</c>) and
/// everything under them; drops traces that background work starts (Wolverine's durability agents, Marten's daemon
/// and their Npgsql spans) unless <c>Ledger:Telemetry:TraceBackground</c> is true. A caller's sampled flag wins.
/// </summary>
public sealed class RequestSampler(bool traceBackground, double ratio) : Sampler
{
    private readonly TraceIdRatioBasedSampler _ratio = new(ratio);

    public static Sampler From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Telemetry.Section);
        var ratio = section.GetValue("SampleRatio", 1.0);
        if (ratio is < 0 or > 1 || double.IsNaN(ratio))
        {
            throw new InvalidOperationException($"{Telemetry.Section}:SampleRatio is between 0 and 1 (it is {ratio}).");
        }

        return new ParentBasedSampler(new RequestSampler(section.GetValue("TraceBackground", false), ratio));
    }

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind == ActivityKind.Server || traceBackground
            ? _ratio.ShouldSample(samplingParameters)
            : new SamplingResult(SamplingDecision.Drop);
}
