using IdlibLedger.Territory.Agreements;
using IdlibLedger.Territory.ControlChanges;
using IdlibLedger.Territory.ControlMap;
using IdlibLedger.Territory.Negotiations;
using IdlibLedger.Territory.ObservationPosts;
using IdlibLedger.Territory.Proposals;
using IdlibLedger.Territory.Regions;
using IdlibLedger.Infrastructure;
using Marten;

namespace IdlibLedger.Territory;

/// <summary>How the Territory capability plugs in: its events, its spatial read models, its services.</summary>
public static class TerritoryConfiguration
{
    public static void Configure(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.Events.AddEventTypes([
            typeof(RegionRegistered), typeof(AgreementRegistered), typeof(ControlChanged),
            typeof(MapProposed), typeof(ProposalRejected), typeof(ProposalAccepted), typeof(ProposalWithdrawn),
            typeof(ObservationPostEstablished), typeof(ObservationPostRelocated), typeof(ObservationPostStatusChanged),
            typeof(ObservationPostCorrected), typeof(ObservationPostRetracted),
            typeof(NegotiationRoundOpened), typeof(NegotiationOutcomeRecorded),
            typeof(ControlChangeCorrected), typeof(ControlChangeRetracted), typeof(RegionCorrected), typeof(RegionRetracted),
            typeof(AgreementCorrected), typeof(AgreementRetracted),
            typeof(NegotiationRoundCorrected), typeof(NegotiationRoundRetracted),
        ]);

        var schema = store.DatabaseSchemaName;
        var regions = new RegionTable(schema);
        var changes = new ControlChangeTable(schema);
        var posts = new ObservationPostTable(schema);
        store.AddTableProjection(regions, nameof(RegionTable), RegionTable.Events, regions.SchemaObject(), regions.VersionsSchemaObject());
        store.AddTableProjection(changes, nameof(ControlChangeTable), ControlChangeTable.Events, changes.SchemaObject());
        store.AddTableProjection(posts, nameof(ObservationPostTable), ObservationPostTable.Events, posts.SchemaObject());
    }

    public static IServiceCollection AddTerritory(this IServiceCollection services)
    {
        services.AddSingleton<GeometryLimits>();
        services.AddScoped<RegionLookup>();
        services.AddSingleton<ControlMapSnapshots>();
        services.AddScoped<ControlMapReader>();
        services.AddScoped<ProposalFigures>();
        services.AddHostedService<RegionVersionsUpgrade>();
        services.AddHostedService<OchaRegions>();
        return services;
    }
}
