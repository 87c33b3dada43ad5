using JasperFx.Events.Projections;
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
        store.Storage.ExtendedSchemaObjects.AddRange(timeline.SchemaObjects());
        store.Projections.Add(timeline, ProjectionLifecycle.Inline);
    }

    public static IServiceCollection AddAttacks(this IServiceCollection services) =>
        services.AddScoped<Claims.ClaimPlausibility>();
}
