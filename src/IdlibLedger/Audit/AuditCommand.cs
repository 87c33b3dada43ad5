using JasperFx.CommandLine;

namespace IdlibLedger.Audit;

public sealed class AuditInput : NetCoreInput
{
    [Description("verify: the database's hash chain; verify-bundle: a bundle from GET /api/audit/export, offline")]
    public string Action { get; set; } = "verify";

    [Description("The bundle file (verify-bundle)")]
    public string File { get; set; } = string.Empty;

    [Description("A public key (PEM file) to trust instead of the one inside the bundle")]
    public string? KeyFlag { get; set; }

    [Description("The seal key (Audit:SealKeyPath's file), to check every event's seal in the bundle")]
    public string? SealKeyFlag { get; set; }

    [Description("First sequence to verify (verify)")]
    public long? FromFlag { get; set; }

    [Description("Last sequence to verify (verify)")]
    public long? ToFlag { get; set; }
}

/// <summary>
/// <c>audit verify</c> recomputes the hash chain in the database; <c>audit verify-bundle FILE</c> verifies an
/// exported bundle without any database, so an auditor need not trust the server. Exit code 0 only when OK.
/// </summary>
[Description("Verify the ledger's hash chain, or an exported audit bundle offline", Name = "audit")]
public sealed class AuditCommand : JasperFxAsyncCommand<AuditInput>
{
    public AuditCommand()
    {
        Usage("Verify the hash chain in the database").Arguments(x => x.Action);
        Usage("Verify an exported bundle offline").Arguments(x => x.Action, x => x.File);
    }

    public override async Task<bool> Execute(AuditInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        VerificationReport report;
        switch (input.Action)
        {
            case "verify-bundle":
                return await OfflineAudit.VerifyBundleAsync(input.File, input.KeyFlag, input.SealKeyFlag) == 0;
            case "verify":
                using (var host = input.BuildHost())
                {
                    await using var scope = host.Services.CreateAsyncScope();
                    report = await scope.ServiceProvider.GetRequiredService<ChainVerifier>().VerifyAsync(input.FromFlag, input.ToFlag, CancellationToken.None);
                }

                break;
            default:
                await Console.Error.WriteLineAsync($"unknown action '{input.Action}': use verify or verify-bundle FILE");
                return false;
        }

        await OfflineAudit.PrintAsync(report);
        return report.Ok;
    }
}

/// <summary>
/// <c>audit verify-bundle FILE [--key PEM] [--seal-key FILE]</c> runs before the service is built (Program.cs), so
/// it needs no database, no configuration and no server: an auditor verifies what the server exported without
/// trusting it. The seals are checked only by an auditor given the seal key, which can also make seals.
/// </summary>
public static class OfflineAudit
{
    public static bool Handles(string[] args) => args is ["audit", "verify-bundle", ..];

    public static Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var file = args.Length > 2 ? args[2] : null;
        string? Flag(string name)
        {
            var at = Array.IndexOf(args, name);
            return at > 0 && at + 1 < args.Length ? args[at + 1] : null;
        }

        if (file is null or "--key" or "--seal-key")
        {
            Console.Error.WriteLine("usage: audit verify-bundle FILE [--key PUBLIC_KEY.pem] [--seal-key SEAL_KEY]");
            return Task.FromResult(2);
        }

        return VerifyBundleAsync(file, Flag("--key"), Flag("--seal-key"));
    }

    public static async Task<int> VerifyBundleAsync(string file, string? keyFile, string? sealKeyFile = null)
    {
        foreach (var path in new[] { file, keyFile, sealKeyFile }.OfType<string>().Where(p => !File.Exists(p)))
        {
            await Console.Error.WriteLineAsync($"no such file: {path}");
            return 2;
        }

        var trusted = keyFile is null ? null : await File.ReadAllTextAsync(keyFile);
        var report = Bundles.Verify(await File.ReadAllBytesAsync(file), trusted, sealKeyFile is null ? null : SealKey.FromFile(sealKeyFile));
        await PrintAsync(report);
        return report.Ok ? 0 : 1;
    }

    /// <summary>One line for the verdict and the first bad event, then one per further bad event (every one the report names).</summary>
    public static async Task PrintAsync(VerificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        await Console.Out.WriteLineAsync(report.Ok
            ? string.Create(culture, $"OK: {report.Checked} events verified, head {report.HeadSequence} {report.HeadHash}") +
                (report.Pending > 0 ? string.Create(culture, $"; {report.Pending} more sealed, not chained yet") : string.Empty) +
                (report.SealsChecked ? string.Empty : "; seals not checked (no seal key)")
            : $"FAILED at sequence {report.FirstBadSequence?.ToString(culture) ?? "-"}: {report.Reason}");
        // The verdict's line names the first; the others follow, one a line.
        foreach (var bad in report.BadEvents.Where(bad => bad.Sequence != report.FirstBadSequence || bad.Reason != report.Reason))
        {
            await Console.Out.WriteLineAsync(string.Create(culture, $"  sequence {bad.Sequence}: {bad.Reason}"));
        }

        if (report.BadEventCount > report.BadEvents.Count)
        {
            await Console.Out.WriteLineAsync(string.Create(culture, $"  … {report.BadEventCount - report.BadEvents.Count} more: verify --from and --to in smaller ranges"));
        }
    }
}
