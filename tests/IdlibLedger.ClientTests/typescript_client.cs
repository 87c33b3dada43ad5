using System.Diagnostics;
using IdlibLedger.ClientTests.Fixtures;
using Shouldly;

namespace IdlibLedger.ClientTests;

/// <summary>
/// The TypeScript client of tests/client-ts: types generated from docs/openapi.json by openapi-typescript, compiled
/// by tsc --strict with the scenario that uses them (openapi-fetch), and the scenario run by node against the service.
/// Each step is the package's own script, as a developer runs it; the test asserts that every one exits 0.
/// </summary>
[Collection(RunningLedgerGroup.Name)]
public sealed class typescript_client(RunningLedger ledger)
{
    private static readonly string Folder = Path.Combine(RunningLedger.Root, "tests", "client-ts");

    [Fact]
    public async Task generates_compiles_and_runs_the_scenario()
    {
        // npm ci only when the installed packages are not those of package-lock.json (npm writes its own copy last).
        var installed = new FileInfo(Path.Combine(Folder, "node_modules", ".package-lock.json"));
        if (!installed.Exists || installed.LastWriteTimeUtc < File.GetLastWriteTimeUtc(Path.Combine(Folder, "package-lock.json")))
        {
            await NpmAsync("ci", "--no-audit", "--no-fund");
        }

        await NpmAsync("run", "generate");
        await NpmAsync("run", "build");
        var output = await NpmAsync("run", "scenario");
        output.ShouldContain("TypeScript client: attack");
    }

    private async Task<string> NpmAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("npm", arguments)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["LEDGER_BASE_URL"] = ledger.BaseAddress.ToString();
        start.Environment["LEDGER_API_KEY"] = ledger.ApiKey;
        using var npm = Process.Start(start)!;
        var output = npm.StandardOutput.ReadToEndAsync();
        var errors = npm.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await npm.WaitForExitAsync(timeout.Token);
        var text = $"{await output}\n{await errors}";
        npm.ExitCode.ShouldBe(0, $"npm {string.Join(' ', arguments)} failed:\n{text}");
        return text;
    }
}
