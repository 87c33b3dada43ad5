using System.Diagnostics;
using System.Globalization;
using Alba;
using IdlibLedger.Common;
using IdlibLedger.Attacks;
using IdlibLedger.Infrastructure;
using IdlibLedger.Territory.ControlChanges;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace IdlibLedger.Benchmarks;

// Benchmarks (docs/benchmarks.md). "import [ROWS]" runs the import benchmark (ImportBenchmark.cs); "import-memory DLL
// [BYTES]" the import memory benchmark against the service built as DLL (ImportMemoryBenchmark.cs); "import-scale DLL
// [ROWS]" the 1,000,000-row import against the service as a process (ImportScaleBenchmark.cs); "throughput DLL
// [--seconds N]" the database's ceiling, Marten, HTTP and reads in one table (ThroughputBenchmark.cs); "probe
// [PROBES]" the time-travel reads on the ledger the last run left; otherwise the
// time-travel benchmark (issue "Auditors"): loads a synthetic ledger of SMALL then LARGE events and measures
// p50/p95/p99 of three reads at random (at, asOf): casualty totals, the control map, one attack. Prints the
// figures and the ratio of the large p95 to the small p95 (target ≤ 1.5, and p95 ≤ 50 ms).
internal static class Benchmarks
{
    public static Task Main(string[] args)
    {
        var connection = Environment.GetEnvironmentVariable("LEDGER_BENCH_CONNECTION")
            ?? throw new InvalidOperationException("LEDGER_BENCH_CONNECTION is not set (deploy/local/benchmark.sh sets it)");
        return args.FirstOrDefault() switch
        {
            "import" => ImportBenchmark.RunAsync(connection, int.Parse(args.ElementAtOrDefault(1) ?? "200000", CultureInfo.InvariantCulture)),
            "import-memory" => ImportMemoryBenchmark.RunAsync(
                connection, args.ElementAtOrDefault(1) ?? throw new InvalidOperationException("import-memory needs the service's IdlibLedger.dll"),
                long.Parse(args.ElementAtOrDefault(2) ?? "60000000", CultureInfo.InvariantCulture)),
            "export-memory" => ExportMemoryBenchmark.RunAsync(
                connection, args.ElementAtOrDefault(1) ?? throw new InvalidOperationException("export-memory needs the service's IdlibLedger.dll"),
                [.. args.Skip(2).DefaultIfEmpty("100000").Select(n => int.Parse(n, CultureInfo.InvariantCulture))]),
            "import-scale" => ImportScaleBenchmark.RunAsync(
                connection, args.ElementAtOrDefault(1) ?? throw new InvalidOperationException("import-scale needs the service's IdlibLedger.dll"),
                int.Parse(args.ElementAtOrDefault(2) ?? "1000000", CultureInfo.InvariantCulture)),
            "throughput" => ThroughputBenchmark.RunAsync(
                connection, args.ElementAtOrDefault(1) ?? throw new InvalidOperationException("throughput needs the service's IdlibLedger.dll"), [.. args.Skip(2)]),
            "ingest-profile" => IngestProfile.RunAsync(connection, [.. args.Skip(1)]),
            "probe" => TimeTravelBenchmark.ProbeAsync(connection, [.. args.Skip(1)]),
            _ => TimeTravelBenchmark.RunAsync(connection, args),
        };
    }

    /// <summary>The seal key of the benchmarks, made once: outside Development and Testing the service only reads one.</summary>
    internal static readonly Lazy<string> BenchSealKey = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), "idlib-ledger-bench-seal-key");
        if (!File.Exists(path))
        {
            IdlibLedger.Audit.SealKey.CreateFile(path);
        }

        return path;
    });

    /// <summary>
    /// The service in-process (its HTTP pipeline, Marten, Wolverine, projections) on the schema "bench"; without
    /// <paramref name="daemon"/>, no projection daemon (the audit chain), as in the command-line commands.
    /// </summary>
    public static Task<IAlbaHost> HostAsync(string connection, LedgerClock clock, bool daemon = true) => AlbaHost.For<global::Program>(web =>
    {
        web.UseSolutionRelativeContentRoot("src/IdlibLedger", "*.sln");
        web.UseEnvironment("Benchmark");
        web.UseSetting("ConnectionStrings:Ledger", connection);
        web.UseSetting("Ledger:Schema", "bench");
        web.UseSetting("Ledger:LoadDemoData", "false");
        web.UseSetting("Ledger:SharedDataPath", "/nonexistent");
        web.UseSetting("Audit:SigningKeyPath", Path.Combine(Path.GetTempPath(), "idlib-ledger-bench-key.pem"));
        web.UseSetting("Audit:SealKeyPath", BenchSealKey.Value);
        // The time-travel reads measure the read models, as a public dashboard reads them (no credentials to check).
        web.UseSetting("Ledger:PublicReads", "true");
        // A benchmark measures the service, not its per-client allowance.
        web.UseSetting("Ledger:RateLimits:Writes:TokenLimit", "1000000000");
        web.UseSetting("Ledger:RateLimits:Writes:TokensPerPeriod", "1000000000");
        // Request logs to the console would be measured with the requests.
        web.UseSetting("Logging:LogLevel:Default", "Warning");
        web.ConfigureServices(services =>
        {
            services.AddSingleton(clock);
            if (!daemon)
            {
                services.ConfigureMarten(options => options.Projections.AsyncMode = JasperFx.Events.Daemon.DaemonMode.Disabled);
            }
        });
    });

    /// <summary>
    /// Drops the schema "bench" before a host starts, so the service creates it afresh and its projection daemon
    /// starts from nothing (emptying the tables under a running daemon confuses its progress).
    /// </summary>
    public static async Task DropSchemaAsync(string connection, string schema = "bench") => await SqlAsync(connection, $"drop schema if exists {schema} cascade");

    /// <summary>
    /// Lets the projection daemon (the audit chain) catch up, then vacuums and analyzes, as autovacuum would after a
    /// bulk load (the planner's statistics, and the visibility map that index-only scans need).
    /// </summary>
    public static async Task SettleAsync(IAlbaHost host, string connection)
    {
        await host.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromMinutes(30));
        await SqlAsync(connection, "vacuum analyze");
    }

    private static async Task SqlAsync(string connection, string sql)
    {
        await using var database = new Npgsql.NpgsqlConnection(connection);
        await database.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, database) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}

internal static class TimeTravelBenchmark
{
    public static async Task RunAsync(string connection, string[] args)
    {
        var small = int.Parse(args.ElementAtOrDefault(0) ?? "100000", CultureInfo.InvariantCulture);
        var large = int.Parse(args.ElementAtOrDefault(1) ?? "1000000", CultureInfo.InvariantCulture);
        var probes = int.Parse(args.ElementAtOrDefault(2) ?? "200", CultureInfo.InvariantCulture);

        var clock = new BenchClock();
        await Benchmarks.DropSchemaAsync(connection);
        await using var host = await Benchmarks.HostAsync(connection, clock);
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var random = new Random(20200226);
        var (start, span) = (Start, Span);
        var attacks = new List<(Guid Id, int Version)>();
        var loaded = 0;

        async Task LoadUpToAsync(int total)
        {
            var watch = Stopwatch.StartNew();
            const int batch = 2000;
            while (loaded < total)
            {
                await using var session = store.LightweightSession();
                // Recording time moves forward through the two years as the ledger fills up.
                clock.Now = start + span * ((double)loaded / large);
                for (var i = 0; i < batch && loaded < total; i++, loaded++)
                {
                    var choice = random.NextDouble();
                    if (attacks.Count > 100 && choice < 0.15)
                    {
                        var index = random.Next(attacks.Count);
                        var (id, version) = attacks[index];
                        var casualties = Casualties(random);
                        session.Events.Append(id, new AttackReportCorrected(id, new AttackFactsChange(Casualties: casualties), "revised", "bench"));
                        attacks[index] = (id, version + 1);
                    }
                    else if (attacks.Count > 100 && choice < 0.17)
                    {
                        var index = random.Next(attacks.Count);
                        var (id, version) = attacks[index];
                        session.Events.Append(id, new AttackReportRetracted(id, "withdrawn", "bench"));
                        attacks[index] = (id, version + 1);
                    }
                    else if (choice < 0.1705)
                    {
                        var id = Guid.CreateVersion7();
                        var x = 36.3 + random.NextDouble() * 0.6;
                        var y = 35.5 + random.NextDouble() * 0.6;
                        var area = System.Text.Json.JsonDocument.Parse(string.Create(CultureInfo.InvariantCulture,
                            $"{{\"type\":\"MultiPolygon\",\"coordinates\":[[[[{x},{y}],[{x + 0.1},{y}],[{x + 0.1},{y + 0.1}],[{x},{y + 0.1}],[{x},{y}]]]]}}")).RootElement.Clone();
                        session.Events.StartStream(id, new ControlChanged(id, random.Next(2) == 0 ? "Syrian Arab Army" : "Syrian opposition", area,
                            new Occurrence(clock.Now.AddDays(-random.Next(0, 30)), null, null, DatePrecision.Day), [new Source("bench", null, null, null)], "bench"));
                    }
                    else
                    {
                        var id = Guid.CreateVersion7();
                        var facts = new AttackFacts(
                            random.Next(3) switch { 0 => "Syrian Arab Army", 1 => "Russian Air Force", _ => "Syrian opposition" }, ["civilians"],
                            EventType.ExplosionsRemoteViolence, SubEventType.AirDroneStrike,
                            GeoJsonPoint.At(36.2 + random.NextDouble() * 0.9, 35.4 + random.NextDouble() * 0.9), LocationPrecision.Exact,
                            new Occurrence(clock.Now.AddDays(-random.Next(0, 60)), null, null, DatePrecision.Day), "synthetic",
                            [new Source("bench", null, null, null)], Casualties(random));
                        session.Events.StartStream<AttackReport>(id, new AttackReported(id, facts, "bench"));
                        attacks.Add((id, 1));
                    }
                }

                await session.SaveChangesAsync();
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loaded {loaded:N0} events ({loaded / watch.Elapsed.TotalSeconds:N0} events/s this stage)"));
        }

        static IReadOnlyList<CategoryCasualties> Casualties(Random random)
        {
            var low = random.Next(0, 10);
            return [new CategoryCasualties(CasualtyCategory.Civilian, null, new Estimate(low, low + random.Next(3), low + 3 + random.Next(5)), null)];
        }

        await LoadUpToAsync(small);
        await Benchmarks.SettleAsync(host, connection);
        var atSmall = await MeasureAsync(host, attacks.Select(a => a.Id).ToList(), random, span * ((double)loaded / large), probes);
        await LoadUpToAsync(large);
        await Benchmarks.SettleAsync(host, connection);
        var atLarge = await MeasureAsync(host, attacks.Select(a => a.Id).ToList(), random, span * ((double)loaded / large), probes);

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"read",-20} {"events",10} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8}"));
        foreach (var (label, results, count) in new[] { ("small", atSmall, small), ("large", atLarge, large) })
        {
            foreach (var (name, timings) in results)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-20} {count,10:N0} {Percentile(timings, 0.50),8:N1} {Percentile(timings, 0.95),8:N1} {Percentile(timings, 0.99),8:N1}"));
            }
        }

        Console.WriteLine();
        foreach (var name in atSmall.Keys)
        {
            var ratio = Percentile(atLarge[name], 0.95) / Percentile(atSmall[name], 0.95);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-20} p95 {large:N0} / p95 {small:N0} = {ratio:N2} (target ≤ 1.5); p95 at {large:N0} = {Percentile(atLarge[name], 0.95):N1} ms (target ≤ 50)"));
        }
    }

    /// <summary>The first recording instant of the synthetic ledger, and how long its recording lasts.</summary>
    private static readonly DateTimeOffset Start = new(2019, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Span = TimeSpan.FromDays(730);

    /// <summary>
    /// "probe [PROBES]": measures the reads again on the ledger the last full run left in the schema "bench" (no
    /// loading, no settling), for a change on the read side; the ten million events of a full run take half an hour to load.
    /// </summary>
    public static async Task ProbeAsync(string connection, string[] args)
    {
        var probes = int.Parse(args.ElementAtOrDefault(0) ?? "200", CultureInfo.InvariantCulture);
        await using var host = await Benchmarks.HostAsync(connection, new BenchClock());
        var attacks = new List<Guid>();
        await using (var database = new Npgsql.NpgsqlConnection(connection))
        {
            await database.OpenAsync();
            await using var count = new Npgsql.NpgsqlCommand("select count(*) from bench.mt_events", database);
            var events = (long)(await count.ExecuteScalarAsync())!;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the ledger in the schema bench holds {events:N0} events"));
            await using var sample = new Npgsql.NpgsqlCommand("select attack_id from bench.attack_timeline tablesample system (1) where version = 1 limit 10000", database);
            await using var reader = await sample.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                attacks.Add(reader.GetGuid(0));
            }
        }

        var results = await MeasureAsync(host, attacks, new Random(20200226), Span, probes);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"read",-20} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8}"));
        foreach (var (name, timings) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-20} {Percentile(timings, 0.50),8:N1} {Percentile(timings, 0.95),8:N1} {Percentile(timings, 0.99),8:N1} (target p95 ≤ 50)"));
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>
    /// Each read <paramref name="probes"/> times (after 10 uncounted) at random (at, asOf): asOf within the first
    /// <paramref name="recorded"/> of the recording (and a day), at anywhere in the two years.
    /// </summary>
    private static async Task<Dictionary<string, double[]>> MeasureAsync(IAlbaHost host, List<Guid> attacks, Random random, TimeSpan recorded, int probes)
    {
        using var client = host.Server.CreateClient();
        var reads = new Dictionary<string, Func<string, string, string>>
        {
            ["casualties/totals"] = (at, asOf) => $"/api/casualties/totals?at={at}&asOf={asOf}",
            ["control-map"] = (at, asOf) => $"/api/control-map?at={at}&asOf={asOf}",
            ["attack"] = (at, asOf) => $"/api/attacks/{attacks[random.Next(attacks.Count)]}?asOf={asOf}",
        };
        var results = new Dictionary<string, double[]>();
        foreach (var (name, url) in reads)
        {
            var timings = new List<double>();
            for (var i = 0; i < probes + 10; i++)
            {
                var asOf = Uri.EscapeDataString((Start + recorded * random.NextDouble() + TimeSpan.FromDays(1)).ToString("O", CultureInfo.InvariantCulture));
                var at = Uri.EscapeDataString((Start + Span * random.NextDouble()).ToString("O", CultureInfo.InvariantCulture));
                var watch = Stopwatch.StartNew();
                using var response = await client.GetAsync(url(at, asOf));
                var body = await response.Content.ReadAsStringAsync();
                // A random attack read as of a moment before that attack was recorded is rightly a 404.
                if (!response.IsSuccessStatusCode && !(name == "attack" && (int)response.StatusCode == 404 && body.Contains("no attack", StringComparison.Ordinal)))
                {
                    throw new InvalidOperationException($"{name}: {(int)response.StatusCode} {body}");
                }

                watch.Stop();
                if (i >= 10)
                {
                    timings.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            results[name] = [.. timings.Order()];
        }

        return results;
    }
}

/// <summary>The ledger's clock, set by the loader so that recording times spread over two years.</summary>
internal sealed class BenchClock : LedgerClock
{
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => Now;
}
