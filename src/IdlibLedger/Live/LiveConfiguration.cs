namespace IdlibLedger.Live;

public static class LiveConfiguration
{
    /// <summary>The one <see cref="LiveFeed"/> of the process, which the endpoint subscribes to and which runs as a hosted service.</summary>
    public static IServiceCollection AddLive(this IServiceCollection services)
    {
        services.AddSingleton<LiveFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveFeed>());
        return services;
    }
}
