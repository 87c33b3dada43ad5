using Marten;

namespace IdlibLedger.Importing;

/// <summary>How imports plug into the service: the importer, the import log's tables and their hourly expiry.</summary>
public static class ImportsConfiguration
{
    public static IServiceCollection AddImports(this IServiceCollection services)
    {
        services.ConfigureMarten(store => store.Storage.ExtendedSchemaObjects.AddRange(ImportLog.SchemaObjects(store.DatabaseSchemaName)));
        services.AddSingleton<ImportLog>();
        services.AddHostedService<ImportLogExpiry>();
        services.AddHostedService<ImportRecovery>();
        services.AddScoped<ImportAppender>();
        return services.AddScoped<UcdpGedImporter>();
    }
}
