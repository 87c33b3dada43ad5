namespace IdlibLedger.Importing;

/// <summary>Before the service answers: the read models of an import killed between a chunk's two commits (see <see cref="UcdpGedImporter.RecoverAsync"/>).</summary>
public sealed class ImportRecovery(IServiceScopeFactory scopes) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<UcdpGedImporter>().RecoverAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
