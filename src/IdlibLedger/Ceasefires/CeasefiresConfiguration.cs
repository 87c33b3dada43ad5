using IdlibLedger.Casualties.Figures;
using IdlibLedger.Infrastructure;
using Marten;

namespace IdlibLedger.Ceasefires;

/// <summary>How the Ceasefires capability (ceasefires, violations, corridors) and casualty figures plug in.</summary>
public static class CeasefiresConfiguration
{
    public static void Configure(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.Events.AddEventTypes([
            typeof(CeasefireDeclared), typeof(CeasefireExtended), typeof(CeasefireCollapsed), typeof(CeasefireViolationReported),
            typeof(CeasefireCorrected), typeof(CeasefireRetracted),
            typeof(CorridorOpened), typeof(CorridorClosed), typeof(CorridorCorrected), typeof(CorridorRetracted), typeof(CasualtyFigureReported),
        ]);
        store.Events.AddEventTypes([typeof(CasualtyFigureCorrected), typeof(CasualtyFigureRetracted)]);
        var ceasefires = new CeasefireTable(store.DatabaseSchemaName);
        store.AddTableProjection(ceasefires, nameof(CeasefireTable), CeasefireTable.Events, ceasefires.SchemaObject());
    }

    public static IServiceCollection AddCeasefires(this IServiceCollection services) => services.AddScoped<CeasefireReader>();
}
