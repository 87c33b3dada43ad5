using JasperFx.CommandLine;

namespace IdlibLedger.Audit;

public sealed class AuditInput : NetCoreInput
{
    [Description("verify: the database's hash chain; verify-bundle: a bundle from GET /api/audit/export, offline; verify-read-models: the read models against a rebuild from the events")]
    public string Action { get; set; } = "verify";

    [Description("The bundle file (verify-bundle)")]
    public string File { get; set; } = string.Empty;

    [Description("A public key (PEM file) to trust instead of the one inside the bundle")]
    public string? KeyFlag { get; set; }

    [Description("The seal key (Audit:SealKeyPath's file), to check every event's seal in the bundle")]
    public string? SealKeyFlag { get; set; }

    [Description("First sequence to verify (verify)")]
    public long? FromFlag { get; set; }

    [Description("Last sequence to verify (verify); the head the read models must be at (verify-read-models)")]
    public long? ToFlag { get; set; }

    [Description("Differing rows to list at most (verify-read-models)")]
    public int? LimitFlag { get; set; }
}

/// <summary>
/// <c>audit verify</c> recomputes the hash chain in the database; <c>audit verify-bundle FILE</c> verifies an
/// exported bundle without any database, so an auditor need not trust the server; <c>audit verify-read-models
/// [--to SEQ] [--limit N]</c> compares the read models with a rebuild from the events. Exit code 0 only when OK.
/// </summary>
[Description("Verify the ledger's hash chain, an exported audit bundle offline, or the read models against a rebuild", Name = "audit")]
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
            case "verify-read-models":
                return await VerifyReadModelsAsync(input);
            case "verify":
                using (var host = input.BuildHost())
                {
                    await using var scope = host.Services.CreateAsyncScope();
                    report = await scope.ServiceProvider.GetRequiredService<ChainVerifier>().VerifyAsync(input.FromFlag, input.ToFlag, CancellationToken.None);
                }

                break;
            default:
                await Console.Error.WriteLineAsync($"unknown action '{input.Action}': use verify, verify-bundle FILE or verify-read-models");
                return false;
        }

        await OfflineAudit.PrintAsync(report);
        return report.Ok;
    }

    private static async Task<bool> VerifyReadModelsAsync(AuditInput input)
    {
        using var host = input.BuildHost();
        await using var scope = host.Services.CreateAsyncScope();
        var verifier = scope.ServiceProvider.GetRequiredService<ReadModelVerifier>();
        var (report, head) = await verifier.VerifyAsync(input.ToFlag, Math.Clamp(input.LimitFlag ?? ReadModelVerifier.DefaultLimit, 0, ReadModelVerifier.MaxLimit), CancellationToken.None);
        if (report is null)
        {
            await Console.Error.WriteLineAsync($"the read models show the ledger at its head, sequence {head}: verify with --to {head} or without --to");
            return false;
        }

        foreach (var line in ReadModelLines(report))
        {
            await Console.Out.WriteLineAsync(line);
        }

        return report.Ok;
    }

    /// <summary>The report as the command prints it: a verdict, a line per table, a line per differing row.</summary>
    public static IEnumerable<string> ReadModelLines(ReadModelReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var differing = report.Tables.Sum(t => t.Differing);
        yield return report.Ok
            ? $"OK: {report.Tables.Count} read-model tables equal a rebuild of {report.Events} events up to sequence {report.Sequence} ({report.ElapsedMilliseconds} ms)"
            : $"FAILED: {differing} rows differ from a rebuild of {report.Events} events up to sequence {report.Sequence} ({report.ElapsedMilliseconds} ms)";
        foreach (var table in report.Tables)
        {
            yield return $"  {table.Table}: {table.LiveRows} rows live, {table.RebuiltRows} rebuilt; {table.Changed} changed, {table.Missing} missing, {table.Extra} extra";
        }

        foreach (var row in report.Differences)
        {
            var key = string.Join(", ", row.Key.Select(k => $"{k.Key}={k.Value}"));
            var columns = string.Join("; ", row.Columns.Select(c => $"{c.Column}: live {c.Live ?? "null"}, rebuilt {c.Rebuilt ?? "null"}"));
            yield return $"  {row.Table} ({key}) {row.Kind.ToString().ToLowerInvariant()}: {columns}";
        }

        if (report.Truncated)
        {
            yield return $"  … {differing - report.Differences.Count} more (--limit lists up to {ReadModelVerifier.MaxLimit})";
        }
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
