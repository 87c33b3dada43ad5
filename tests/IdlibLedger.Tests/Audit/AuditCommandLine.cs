using System.Diagnostics;
using IdlibLedger.Tests.Fixtures;

namespace IdlibLedger.Tests.Audit;

/// <summary>Runs the service's own command line (the built IdlibLedger.dll) against the test database, with the run's keys.</summary>
internal static class AuditCommandLine
{
    public static async Task<(int ExitCode, string Output)> RunAsync(LedgerFixture ledger, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IdlibLedger.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ConnectionStrings__Ledger"] = ledger.ConnectionString;
        start.Environment["Ledger__Schema"] = LedgerFixture.Schema;
        start.Environment["Audit__SigningKeyPath"] = ledger.SigningKeyPath;
        start.Environment["Audit__SealKeyPath"] = ledger.SealKeyPath;
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output + error);
    }
}
