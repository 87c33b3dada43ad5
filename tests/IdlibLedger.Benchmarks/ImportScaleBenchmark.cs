using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdlibLedger.Attacks;
using IdlibLedger.Attacks.Reporting;
using IdlibLedger.Importing;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace IdlibLedger.Benchmarks;

/// <summary>
/// Import at the scale of the real dataset (issue 17): a file of ROWS GED-shaped rows (1,000,000 by default) with
/// source anomalies and broken rows mixed in at stated rates, imported through the service as a process of its own
/// (Kestrel on loopback, Production settings, an admin API key, the body streamed from disk as text/csv) while its
/// resident memory is sampled; in the same run, the raw Marten bulk append of as many events (the baseline of the
/// import benchmark). Prints rows/s of both and their ratio (target ≥ 0.35), the service's peak RSS during the import
/// against its RSS before it, and the answer's counts checked against what the generator wrote; then reads every
/// warning and rejection back through their links and checks them against the counts.
/// </summary>
internal static class ImportScaleBenchmark
{
    /// <summary>The target of issue 17: the import's rows/s at least this share of the raw bulk append's.</summary>
    private const double TargetRatio = 0.35;

    private const string Schema = "bench_scale";

    /// <summary>What the generator made of a row. Each anomaly gives exactly one warning; each broken row one rejection.</summary>
    internal enum Kind { Clean, HighBelowBest, BestBelowLow, BestNotDeathsSum, UnparsableNumber, MissingColumns, BadDate, OutsideArea }

    /// <summary>The rate of each kind but Clean, per row (the rest is clean): 3 % anomalies, 1 % broken rows.</summary>
    internal static readonly (Kind Kind, double Rate, string What)[] Rates =
    [
        (Kind.HighBelowBest, 0.01, "high < best"),
        (Kind.BestBelowLow, 0.01, "best < low"),
        (Kind.BestNotDeathsSum, 0.01, "best ≠ the deaths' sum (above or below, in turn)"),
        (Kind.UnparsableNumber, 0.0025, "a count that is no whole number (NA, 2.5, empty)"),
        (Kind.MissingColumns, 0.0025, "the last 4 cells missing"),
        (Kind.BadDate, 0.0025, "date_start not a date (2019-02-30, 2019/03/01, 30-01-2019)"),
        (Kind.OutsideArea, 0.0025, "a point outside the area of interest (Ankara, Baghdad)"),
    ];

    private static bool IsAnomaly(Kind kind) => kind is Kind.HighBelowBest or Kind.BestBelowLow or Kind.BestNotDeathsSum;

    private static bool IsBroken(Kind kind) => kind >= Kind.UnparsableNumber;

    /// <summary>GED 25.1's 41 columns and one the import does not know (files carry others: exports add their own).</summary>
    private static readonly string[] Header = [.. ImportBenchmark.Header, "bench_note"];

    private static int Column(string name) => Array.IndexOf(Header, name);

    public static async Task RunAsync(string connection, string serviceDll, int rows)
    {
        if (!File.Exists(serviceDll))
        {
            throw new InvalidOperationException($"no service at {serviceDll}: build src/IdlibLedger (deploy/local/benchmark-import-scale.sh does)");
        }

        var file = Path.Combine(Path.GetTempPath(), $"idlib-ledger-bench-ged-scale-{rows}.csv");
        var watch = Stopwatch.StartNew();
        var kinds = await GenerateAsync(file, rows);
        var anomalies = kinds.Where(k => IsAnomaly(k.Key)).Sum(k => k.Value);
        var broken = kinds.Where(k => IsBroken(k.Key)).Sum(k => k.Value);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"generated {rows:N0} GED-shaped rows, {new FileInfo(file).Length / 1024.0 / 1024.0:N0} MiB, in {watch.Elapsed.TotalSeconds:N0} s: {file}"));
        foreach (var (kind, rate, what) in Rates)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind,-18} rate {rate,6:P2}  generated {kinds[kind],7:N0}  {what}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  expected: {rows - broken:N0} imported, of which {anomalies:N0} repaired (one warning each); {broken:N0} rejected"));

        // (1) The baseline: as many events, built beforehand (untimed, a chunk of 50,000 at a time so that the
        // benchmark does not hold a million), appended by Marten alone, in the service's process model: in-process.
        var postmaster = await Cpu.PostmasterAsync(connection);
        var baseline = await BaselineAsync(connection, rows, postmaster);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"baseline: {rows:N0} events in {baseline.Wall.TotalSeconds:N1} s"));

        // (2) The import through the service as a process, as an admin would send it.
        await Benchmarks.DropSchemaAsync(connection, Schema);
        var port = ServiceProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Ledger__ApplySchemaOnStartup"] = "true",
            ["ConnectionStrings__Ledger"] = connection,
            ["Ledger__Schema"] = Schema,
            ["Ledger__LoadDemoData"] = "false",
            ["Ledger__SharedDataPath"] = "/nonexistent",
            ["Audit__SigningKeyPath"] = Path.Combine(Path.GetTempPath(), "idlib-ledger-bench-key.pem"),
            ["Audit__SealKeyPath"] = Benchmarks.BenchSealKey.Value,
            ["Logging__LogLevel__Default"] = "Warning",
            // The one setting a user changes for a file this size: the default limit is 64 MiB.
            ["Ledger__MaxImportBytes"] = (new FileInfo(file).Length + 1024).ToString(CultureInfo.InvariantCulture),
        };
        // LEDGER_BENCH_SERVICE_HEAP_MIB caps the service's GC heap: an import that completes under a cap holds no more.
        if (Environment.GetEnvironmentVariable("LEDGER_BENCH_SERVICE_HEAP_MIB") is { Length: > 0 } cap)
        {
            environment["DOTNET_GCHeapHardLimit"] = (long.Parse(cap, CultureInfo.InvariantCulture) * 1024 * 1024).ToString("X", CultureInfo.InvariantCulture);
            Console.WriteLine($"the service's GC heap is capped at {cap} MiB (DOTNET_GCHeapHardLimit)");
        }

        var key = (await ServiceProcess.RunToEndAsync(serviceDll, "keys create --client bench-scale --roles admin", environment))
            .Split('\n', StringSplitOptions.TrimEntries).Last(l => l.StartsWith("ilk_", StringComparison.Ordinal));

        using var service = ServiceProcess.Start(serviceDll, $"--urls http://127.0.0.1:{port}", environment);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Timeout.InfiniteTimeSpan };
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            await ServiceProcess.ReadyAsync(client, service);
            await Task.Delay(TimeSpan.FromSeconds(5));
            var idle = ServiceProcess.Memory(service.Id).Rss;
            ServiceProcess.ResetPeak(service.Id);

            (HttpStatusCode Status, string Text) answer = (0, string.Empty);
            Cpu.Figures? imported = null, linked = null;
            var peak = await ServiceProcess.PeakRssDuringAsync(service.Id, TimeSpan.FromMilliseconds(50), async () =>
            {
                imported = await Cpu.MeasureAsync(rows, async () => answer = await ImportAsync(client, file), service.Id, postmaster);
                // The audit chain (the daemon's projection) may still be linking the imported events: its rest is timed too.
                linked = await Cpu.MeasureAsync(rows, () => ChainCaughtUpAsync(connection), service.Id, postmaster);
            });
            var (import, chain) = (imported!, linked!);
            if (answer.Status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"the import answered {(int)answer.Status}: {answer.Text[..Math.Min(answer.Text.Length, 2000)]}");
            }

            var report = JsonNode.Parse(answer.Text)!;
            long Count(string name) => report[name]!.GetValue<long>();

            // (3) Everything the answer only counts, read back through its links.
            var warnings = await DownloadAsync(client, report["warningReport"]!.GetValue<string>());
            var rejections = await DownloadAsync(client, report["rejectionReport"]!.GetValue<string>());

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{"run",-58} {"rows",9} {"rows/s",9} {"wall s",7}  cpu s: {"process",-21} {"database",8} {"others",7} {"machine busy",13}"));
            Print("raw Marten bulk append (events built beforehand)", baseline, "benchmark");
            Print("import over HTTP: service as a process, auth, streamed body", import, "service");
            Print("audit chain's rest: from the answer until it links the last event", chain, "service");
            Console.WriteLine();
            var ratio = import.Rate / baseline.Rate;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"import {import.Rate:N0} rows/s = {ratio:N2} of the raw Marten baseline's {baseline.Rate:N0} events/s (target ≥ {TargetRatio:N2}: {(ratio >= TargetRatio ? "met" : "MISSED")}); {Count("imported") / import.Wall.TotalSeconds:N0} imported events/s = {Count("imported") / import.Wall.TotalSeconds / baseline.Rate:N2}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cpu per row, process and database alone: baseline {baseline.OwnPerRowMicroseconds:N0} µs, import {import.OwnPerRowMicroseconds:N0} µs ({import.OwnPerRowMicroseconds / baseline.OwnPerRowMicroseconds:N1}×) on {Environment.ProcessorCount} cores; 'others' is the rest of the machine (other work sharing it)"));
            var bound = ImportMemoryBenchmark.PerImportMiB * 1024L * 1024;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"service RSS: {MiB(idle):N0} MiB before the import, peak {MiB(peak):N0} MiB during it (VmHWM and VmRSS every 50 ms): +{MiB(peak - idle):N0} MiB (bound +{ImportMemoryBenchmark.PerImportMiB} MiB: {(peak - idle <= bound ? "under" : "OVER")}); answer {answer.Text.Length / 1024.0:N1} KiB"));

            var checks = new (string What, long Got, long Expected)[]
            {
                ("rows", Count("rows"), rows),
                ("imported (accepted, repaired ones included)", Count("imported"), rows - broken),
                ("alreadyPresent", Count("alreadyPresent"), 0),
                ("warningCount (repaired rows, one warning each)", Count("warningCount"), anomalies),
                ("rejectedCount", Count("rejectedCount"), broken),
                ("warnings in the answer (capped)", report["warnings"]!.AsArray().Count, Math.Min(anomalies, UcdpGedImporter.WarningsAnswered)),
                ("rejections in the answer (capped)", report["rejected"]!.AsArray().Count, Math.Min(broken, UcdpGedImporter.RejectionsAnswered)),
                ("warnings downloaded", warnings.Lines, anomalies),
                ("rows with warnings downloaded", warnings.DistinctLines, anomalies),
                ("rejections downloaded", rejections.Lines, broken),
            };
            Console.WriteLine();
            foreach (var (what, got, expected) in checks)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what,-48} {got,9:N0}  expected {expected,9:N0}  {(got == expected ? "ok" : "WRONG")}"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  rejections by first reason: {string.Join(", ", rejections.Reasons.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value:N0}"))}"));
            if (checks.Any(c => c.Got != c.Expected))
            {
                throw new InvalidOperationException("the import's counts do not match what the generator wrote");
            }
        }
        finally
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
        }
    }

    /// <summary>Waits until the daemon's audit chain has reached the last event of the import's schema.</summary>
    private static async Task ChainCaughtUpAsync(string connection)
    {
        await using var database = NpgsqlDataSource.Create(connection);
        var sql = $"select coalesce((select last_seq_id from {Schema}.mt_event_progression where name like 'AuditChain%' limit 1), 0) >= (select coalesce(max(seq_id), 0) from {Schema}.mt_events)";
        while (!(bool)(await database.CreateCommand(sql).ExecuteScalarAsync())!)
        {
            await Task.Delay(200);
        }
    }

    private static void Print(string run, Cpu.Figures f, string process) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{run,-58} {f.Rows,9:N0} {f.Rate,9:N0} {f.Wall.TotalSeconds,7:N1}  {f.Process.TotalSeconds,11:N1} ({process,-9}) {f.Database.TotalSeconds,9:N1} {(f.Others - f.Database).TotalSeconds,7:N1} {f.Busy,12:P0}"));

    private static double MiB(long bytes) => bytes / 1024.0 / 1024.0;

    /// <summary>The raw bulk append of <paramref name="rows"/> clean rows' events into an empty schema "bench", timed chunk by chunk.</summary>
    private static async Task<Cpu.Figures> BaselineAsync(string connection, int rows, int? postmaster)
    {
        var clock = new BenchClock { Now = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero) };
        await Benchmarks.DropSchemaAsync(connection);
        var host = await Benchmarks.HostAsync(connection, clock, daemon: false);
        try
        {
            var store = host.Services.GetRequiredService<IDocumentStore>();
            var registry = (IEventRegistry)store.Options.Events;
            var random = new Random(Seed);
            Cpu.Figures? total = null;
            for (var from = 0; from < rows; from += 50_000)
            {
                var events = new List<StreamAction>();
                for (var i = from; i < Math.Min(rows, from + 50_000); i++)
                {
                    var fields = ImportBenchmark.Fields(random, i);
                    var (report, _, _) = UcdpGedMapping.ToReport(name => Array.IndexOf(ImportBenchmark.Header, name) is var at and >= 0 ? fields[at] : string.Empty, "bench");
                    var id = UcdpGedMapping.StreamId(fields[0]);
                    var stream = StreamAction.Start(registry, id, [ReportAttackEndpoint.Decide(report!, id)]);
                    stream.AggregateType = typeof(AttackReport);
                    foreach (var e in stream.Events)
                    {
                        (e.StreamId, e.Timestamp) = (id, clock.Now);
                    }

                    events.Add(stream);
                }

                var figures = await Cpu.MeasureAsync(events.Count, async () =>
                {
                    foreach (var chunk in events.Chunk(UcdpGedImporter.BatchSize))
                    {
                        await store.BulkInsertEventsAsync(chunk, UcdpGedImporter.BatchSize);
                    }
                }, postmaster: postmaster);
                total = total is null ? figures : total.Add(figures);
            }

            return total!;
        }
        finally
        {
            await host.DisposeAsync();
            await Benchmarks.DropSchemaAsync(connection);
        }
    }

    private const int Seed = 20200226;

    /// <summary>Writes the file: the import benchmark's rows (the same seed, ids from 10,000,000) spoiled at <see cref="Rates"/>; returns how many of each kind.</summary>
    private static async Task<Dictionary<Kind, long>> GenerateAsync(string file, int rows)
    {
        var counts = Enum.GetValues<Kind>().ToDictionary(k => k, _ => 0L);
        var random = new Random(Seed);
        var draw = new Random(Seed + 17);
        await using var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 20);
        await writer.WriteLineAsync(string.Join(',', Header.Select(ImportBenchmark.Quote)));
        var line = new StringBuilder();
        for (var i = 0; i < rows; i++)
        {
            var kind = Draw(draw.NextDouble());
            counts[kind]++;
            var fields = Spoil([.. ImportBenchmark.Fields(random, i), "generated"], kind, counts[kind]);
            line.Clear().AppendJoin(',', fields.Select(ImportBenchmark.Quote));
            await writer.WriteLineAsync(line);
        }

        return counts;
    }

    private static Kind Draw(double x)
    {
        foreach (var (kind, rate, _) in Rates)
        {
            if (x < rate)
            {
                return kind;
            }

            x -= rate;
        }

        return Kind.Clean;
    }

    /// <summary>The row's cells made into <paramref name="kind"/>; <paramref name="nth"/> picks among a kind's variants.</summary>
    internal static string[] Spoil(string[] fields, Kind kind, long nth)
    {
        static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
        int Get(string column) => int.Parse(fields[Column(column)], CultureInfo.InvariantCulture);
        void Set(string column, string cell) => fields[Column(column)] = cell;

        string[] deathsColumns = ["deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"];
        if (IsAnomaly(kind) && deathsColumns.Sum(Get) == 0)
        {
            Set("deaths_civilians", "1");
        }

        var sum = deathsColumns.Sum(Get);
        var (low, high) = (Get("low"), Get("high"));
        switch (kind)
        {
            case Kind.HighBelowBest:
                Set("low", Text(Math.Min(low, sum - 1)));
                Set("best", Text(sum));
                Set("high", Text(sum - 1));
                break;
            case Kind.BestBelowLow:
                Set("best", Text(sum));
                Set("low", Text(sum + 1));
                Set("high", Text(Math.Max(high, sum + 1)));
                break;
            case Kind.BestNotDeathsSum:
                // In turn: the deaths add up to more than best, then to less.
                var best = nth % 2 == 0 ? sum - 1 : sum + 2;
                Set("best", Text(best));
                Set("low", Text(Math.Min(low, best)));
                Set("high", Text(Math.Max(high, best)));
                break;
            case Kind.UnparsableNumber:
                Set(nth % 3 == 0 ? "deaths_a" : nth % 3 == 1 ? "best" : "high", nth % 3 == 0 ? "NA" : nth % 3 == 1 ? "2.5" : "");
                break;
            case Kind.MissingColumns:
                return fields[..^4];
            case Kind.BadDate:
                Set("date_start", (nth % 3) switch { 0 => "2019-02-30", 1 => "2019/03/01", _ => "30-01-2019" });
                break;
            case Kind.OutsideArea:
                var (latitude, longitude) = nth % 2 == 0 ? ("39.933300", "32.859700") : ("33.315200", "44.366100");
                Set("latitude", latitude);
                Set("longitude", longitude);
                Set("geom_wkt", $"POINT ({longitude} {latitude})");
                break;
            case Kind.Clean:
            default:
                break;
        }

        return fields;
    }

    /// <summary>Sends the file as it is read from disk, as text/csv.</summary>
    private static async Task<(HttpStatusCode, string)> ImportAsync(HttpClient client, string file)
    {
        await using var body = File.OpenRead(file);
        using var content = new StreamContent(body, 64 * 1024);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await client.PostAsync("/api/imports/ucdp-ged", content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Reads an NDJSON list a line at a time: how many lines, how many distinct file lines, and the first reasons' columns.</summary>
    private static async Task<(long Lines, long DistinctLines, Dictionary<string, long> Reasons)> DownloadAsync(HttpClient client, string link)
    {
        using var response = await client.GetAsync(link, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var (lines, distinct, last) = (0L, 0L, -1L);
        var reasons = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadLineAsync() is { } text)
        {
            if (text.Length == 0)
            {
                continue;
            }

            using var json = JsonDocument.Parse(text);
            var line = json.RootElement.GetProperty("line").GetInt64();
            (lines, distinct, last) = (lines + 1, distinct + (line != last ? 1 : 0), line);
            if (json.RootElement.TryGetProperty("reasons", out var why))
            {
                var first = why[0].GetString() ?? string.Empty;
                var key = first.StartsWith("the row has", StringComparison.Ordinal) ? "cell count" : first.Split(':')[0];
                reasons[key] = reasons.GetValueOrDefault(key) + 1;
            }
        }

        return (lines, distinct, reasons);
    }
}
