using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace IdlibLedger.Benchmarks;

/// <summary>
/// Export memory benchmark (issue 17, "exports that keep provenance"): seeds the ledger with GED-shaped rows (the
/// import benchmark's generator, imported by the service's own command line, <c>import ucdp-ged FILE</c>), then runs
/// the service as a process of its own (Kestrel on loopback, the built IdlibLedger.dll, Production settings) and
/// downloads <c>GET /api/exports/attacks.csv</c> whole, counting its rows and bytes without keeping them. The service's
/// resident memory is read from /proc: VmRSS before the export (after a warm-up export) is the baseline, and the peak
/// is the larger of VmRSS sampled every 20 ms and the kernel's VmHWM, reset just before the export. For each count of
/// attacks it prints rows, seconds, rows/s, baseline, peak, and whether the peak stays under the stated bound:
/// baseline + <see cref="BoundMiB"/>, whatever the number of rows (the export streams them).
/// </summary>
internal static class ExportMemoryBenchmark
{
    /// <summary>The most an export adds to the service's RSS, whatever its size (docs/benchmarks.md states it).</summary>
    public const int BoundMiB = 100;

    private const string Schema = "bench_export";

    public static async Task RunAsync(string connection, string serviceDll, IReadOnlyList<int> counts)
    {
        if (!File.Exists(serviceDll))
        {
            throw new InvalidOperationException($"no service at {serviceDll}: build src/IdlibLedger (deploy/local/benchmark-export.sh does)");
        }

        await Benchmarks.DropSchemaAsync(connection, Schema);
        // Outside Development and Testing the service only reads a seal key: the benchmarks' own, made once.
        var sealKey = Path.Combine(Path.GetTempPath(), "idlib-ledger-bench-seal-key");
        if (!File.Exists(sealKey))
        {
            IdlibLedger.Audit.SealKey.CreateFile(sealKey);
        }

        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Ledger__ApplySchemaOnStartup"] = "true",
            ["ConnectionStrings__Ledger"] = connection,
            ["Ledger__Schema"] = Schema,
            ["Ledger__LoadDemoData"] = "false",
            ["Ledger__SharedDataPath"] = "/nonexistent",
            ["Audit__SigningKeyPath"] = Path.Combine(Path.GetTempPath(), "idlib-ledger-bench-key.pem"),
            ["Audit__SealKeyPath"] = sealKey,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var key = (await ServiceProcess.RunToEndAsync(serviceDll, "keys create --client bench-export --roles viewer", environment))
            .Split('\n', StringSplitOptions.TrimEntries).Last(l => l.StartsWith("ilk_", StringComparison.Ordinal));
        Console.WriteLine($"service: {serviceDll}");
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"GED rows",10} {"seed s",8} {"attacks",10} {"rows",10} {"MB",8} {"export s",9} {"rows/s",9} {"base MiB",9} {"peak MiB",9} {"peak-base",10} {"bound MiB",10}  under"));

        var seeded = 0;
        var failed = false;
        foreach (var count in counts.Order())
        {
            var seeding = Stopwatch.StartNew();
            await SeedAsync(serviceDll, environment, seeded, count);
            seeding.Stop();
            seeded = count;
            var attacks = await AttacksAsync(connection);
            failed |= !await ExportAsync(serviceDll, environment, key, count, attacks, seeding.Elapsed);
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bound: RSS before the export + {BoundMiB} MiB, whatever the number of rows (peak: the larger of VmRSS sampled every 20 ms and the kernel's VmHWM)"));
        if (failed)
        {
            throw new InvalidOperationException("an export went over the bound or did not hold every attack of the ledger");
        }
    }

    /// <summary>Imports generated rows <paramref name="from"/> to <paramref name="to"/> (each a new attack) with the service's command line.</summary>
    private static async Task SeedAsync(string serviceDll, IReadOnlyDictionary<string, string> environment, int from, int to)
    {
        var file = Path.Combine(Path.GetTempPath(), $"idlib-ledger-bench-export-{from}-{to}.csv");
        var random = new Random(20200226 + from);
        await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false)))
        {
            await writer.WriteAsync(string.Join(',', ImportBenchmark.Header.Select(ImportBenchmark.Quote)) + "\n");
            for (var i = from; i < to; i++)
            {
                await writer.WriteAsync(string.Join(',', ImportBenchmark.Fields(random, i).Select(ImportBenchmark.Quote)) + "\n");
            }
        }

        try
        {
            await ServiceProcess.RunToEndAsync(serviceDll, $"import ucdp-ged \"{file}\"", environment);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The attacks the ledger holds (the import refuses the generator's few rows that break a rule): what the export must hold.</summary>
    private static async Task<long> AttacksAsync(string connection)
    {
        await using var database = new Npgsql.NpgsqlConnection(connection);
        await database.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"select count(*) from {Schema}.{IdlibLedger.Attacks.Timeline.AttackTimeline.TableName} where recorded_until is null and not retracted", database);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<bool> ExportAsync(string serviceDll, IReadOnlyDictionary<string, string> environment, string key, int count, long attacks, TimeSpan seeding)
    {
        var port = ServiceProcess.FreePort();
        using var service = ServiceProcess.Start(serviceDll, $"--urls http://127.0.0.1:{port}", environment);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Timeout.InfiniteTimeSpan };
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            await ServiceProcess.ReadyAsync(client, service);

            // Warm up the export path (JIT, connections, the timeline's pages) on a few days, then let the service settle.
            for (var i = 0; i < 3; i++)
            {
                await DownloadAsync(client, "/api/exports/attacks.csv?to=2012-01-15");
            }

            await Task.Delay(TimeSpan.FromSeconds(5));
            var baseline = ServiceProcess.Memory(service.Id).Rss;
            ServiceProcess.ResetPeak(service.Id);

            var watch = Stopwatch.StartNew();
            var (rows, bytes) = (0L, 0L);
            var peak = await ServiceProcess.PeakRssDuringAsync(service.Id, TimeSpan.FromMilliseconds(20), async () =>
                (rows, bytes) = await DownloadAsync(client, "/api/exports/attacks.csv"));
            watch.Stop();
            var bound = baseline + BoundMiB * 1024L * 1024;
            var under = peak <= bound;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{count,10:N0} {seeding.TotalSeconds,8:N1} {attacks,10:N0} {rows,10:N0} {bytes / 1e6,8:N1} {watch.Elapsed.TotalSeconds,9:N1} {rows / watch.Elapsed.TotalSeconds,9:N0} {MiB(baseline),9:N0} {MiB(peak),9:N0} {MiB(peak - baseline),10:N0} {MiB(bound),10:N0}  {(under ? "yes" : "NO")}"));
            return under && rows == attacks;
        }
        finally
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
        }
    }

    /// <summary>
    /// Reads the export as it arrives and counts its rows (each ends with CRLF; line breaks inside quoted cells are
    /// bare LF in these rows) and bytes, keeping nothing.
    /// </summary>
    private static async Task<(long Rows, long Bytes)> DownloadAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long lines = 0, bytes = 0;
        var afterCarriageReturn = false;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            bytes += read;
            for (var i = 0; i < read; i++)
            {
                lines += afterCarriageReturn && buffer[i] == (byte)'\n' ? 1 : 0;
                afterCarriageReturn = buffer[i] == (byte)'\r';
            }
        }

        return (lines - 1, bytes);
    }

    private static double MiB(long bytes) => bytes / 1024.0 / 1024.0;
}
