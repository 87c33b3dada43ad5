using System.Text.Json;
using FluentValidation;
using IdlibLedger.Attacks;
using IdlibLedger.Attacks.Reporting;
using IdlibLedger.Infrastructure;
using Marten;
using Microsoft.Extensions.Options;

namespace IdlibLedger.Demo;

/// <summary>The seed scenario shipped with the service (Demo/seed-scenario.json, embedded).</summary>
public sealed record SeedScenario(string About, IReadOnlyList<ReportAttack> Attacks)
{
    public static SeedScenario Load()
    {
        using var stream = typeof(SeedScenario).Assembly.GetManifestResourceStream("IdlibLedger.Demo.seed-scenario.json")
            ?? throw new InvalidOperationException("the seed scenario is not embedded in the service");
        var json = new JsonSerializerOptions();
        LedgerJson.Configure(json);
        return JsonSerializer.Deserialize<SeedScenario>(stream, json) ?? throw new InvalidOperationException("the seed scenario is empty");
    }
}

/// <summary>
/// Loads the seed scenario into an empty ledger at start-up, so a newcomer sees something real. On by default
/// in Development (<c>Ledger:LoadDemoData</c> overrides); never touches a ledger that holds events.
/// </summary>
public sealed partial class DemoDataLoader(
    IDocumentStore store,
    IValidator<ReportAttack> validator,
    IOptions<LedgerOptions> options,
    IHostEnvironment environment,
    ILogger<DemoDataLoader> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!(options.Value.LoadDemoData ?? environment.IsDevelopment()))
        {
            return;
        }

        var loaded = await LoadIntoEmptyLedgerAsync(cancellationToken);
        LogDemoData(logger, loaded);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data: seed scenario loaded into an empty ledger = {Loaded}")]
    private static partial void LogDemoData(ILogger logger, bool loaded);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Appends the seed scenario if the ledger has no event yet; true when it did.</summary>
    public async Task<bool> LoadIntoEmptyLedgerAsync(CancellationToken cancellation)
    {
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var session = store.LightweightSession();
        // Regions are reference data registered at start-up; anything else means the ledger is in use.
        if (await session.Events.QueryAllRawEvents().Where(e => e.EventTypeName != "region_registered").AnyAsync(cancellation))
        {
            return false;
        }

        foreach (var report in SeedScenario.Load().Attacks)
        {
            await validator.ValidateAndThrowAsync(report, cancellation);
            var id = report.Id ?? throw new InvalidOperationException("seed reports carry their id");
            session.Events.StartStream<AttackReport>(id, ReportAttackEndpoint.Decide(report, id));
        }

        await session.SaveChangesAsync(cancellation);
        return true;
    }
}

public static class DemoDataRegistration
{
    public static IServiceCollection AddDemoData(this IServiceCollection services)
    {
        services.AddSingleton<DemoDataLoader>();
        services.AddHostedService(sp => sp.GetRequiredService<DemoDataLoader>());
        return services;
    }
}
