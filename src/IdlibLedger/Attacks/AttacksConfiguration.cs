using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Infrastructure;
using Marten;

namespace IdlibLedger.Attacks;

/// <summary>How the Attacks capability plugs into the event store: its events and its read model.</summary>
public static class AttacksConfiguration
{
    public static void Configure(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.Events.AddEventType<AttackReported>();
        store.Events.AddEventType<AttackReportCorrected>();
        store.Events.AddEventType<AttackReportRetracted>();
        store.Events.AddEventType<AttackReportDisputed>();

        var timeline = new AttackTimeline(store.DatabaseSchemaName);
        store.AddTableProjection(timeline, nameof(AttackTimeline), AttackTimeline.Events, [.. timeline.SchemaObjects()]);
    }

    public static IServiceCollection AddAttacks(this IServiceCollection services) =>
        services.AddSingleton<TimelineQueries>().AddScoped<Claims.ClaimPlausibility>().AddHostedService<CasualtyCellFolding>();
}
