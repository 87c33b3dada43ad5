using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IdlibLedger.Attacks;
using IdlibLedger.Attacks.Reporting;
using IdlibLedger.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace IdlibLedger.Benchmarks;

/// <summary>
/// Throughput (issue 18), in one run and one table: (a) PostgreSQL's ceiling, single-row JSONB inserts through Npgsql;
/// (b) raw Marten appends in-process with the service's inline projections; (c) <c>POST /api/attacks</c> over HTTP to
/// the service as a process, authenticated; (d) the dashboard's reads against the same Kestrel serving static files of
/// the same sizes; (e) the audit chain's lag under 70 % of (c)'s peak; (f) <c>projections rebuild</c> of the ledger
/// the run wrote; (g) the service's peak RSS; (h) writes offered at twice the peak: shed with 429/503, never a 500. Every figure with its ratio to its target (docs/benchmarks.md).
/// </summary>
internal static class ThroughputBenchmark
{
    private const string Schema = "bench_throughput";
    private const string CeilingSchema = "bench_ceiling";

    private static readonly int[] Writers = [1, 8, 32];
    private static readonly int[] ReaderCounts = [8, 64];

    // The issue's targets.
    private const double MartenOfCeiling = 0.4;
    private const double HttpOfMarten = 0.7;
    private const double ReadsOfStatic = 0.5;
    private const double RebuildOfIngest = 3;
    private const double LagP99Seconds = 2;
    private const double LagLoadShare = 0.7;
    private const double OverloadFactor = 2;

    /// <summary>The dashboard's reads for "now", as its page asks for them.</summary>
    private static readonly string[] Reads = ["/api/casualties/totals", "/api/control-map", "/api/attacks?pageSize=50", "/api/ceasefires"];

    /// <summary>The report every write sends (no id: the service picks one, as for most desks).</summary>
    private const string Report = """
        {"perpetrator":"Syrian Arab Army","targets":["civilians"],"eventType":"explosions-remote-violence",
         "subEventType":"shelling-artillery-missile-attack","location":{"type":"Point","coordinates":[36.63,35.93]},
         "locationPrecision":"exact","occurredAt":"2020-02-10T06:00:00Z","datePrecision":"day",
         "description":"Shelling on the southern edge of the town (throughput benchmark).",
         "sources":[{"outlet":"bench","publishedAt":"2020-02-10","title":"benchmark report"}],
         "casualties":[{"category":"civilian","killed":{"low":1,"best":2,"high":3}}],"reportedBy":"bench"}
        """;

    public static async Task RunAsync(string connection, string serviceDll, string[] args)
    {
        if (!File.Exists(serviceDll))
        {
            throw new InvalidOperationException($"no service at {serviceDll}: build src/IdlibLedger (deploy/local/benchmark-throughput.sh does)");
        }

        var seconds = args.Length >= 2 && args[0] == "--seconds" ? double.Parse(args[1], CultureInfo.InvariantCulture)
            : args.Length == 0 ? 10 : throw new InvalidOperationException("usage: throughput DLL [--seconds N]");
        var duration = TimeSpan.FromSeconds(seconds);
        var total = Stopwatch.StartNew();
        var table = new List<Row>();
        var notes = new List<string>();
        Console.WriteLine(await MachineAsync(connection));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{seconds:N0} s per measurement (after a warm-up of up to 2 s)"));

        var ceiling = new Dictionary<int, LoadResult>();
        foreach (var clients in Writers)
        {
            ceiling[clients] = await CeilingAsync(connection, clients, duration);
            Progress("(a) PostgreSQL", ceiling[clients], "tx/s");
            table.Add(Row.Of("(a) PostgreSQL: JSONB insert, autocommit", ceiling[clients], "tx/s"));
        }

        var bare = await BareMartenAsync(connection, duration);
        foreach (var clients in Writers)
        {
            table.Add(Row.Of("(b0) Marten alone: append, no read models", bare[clients], "events/s")
                .WithRatio(bare[clients].Rate / ceiling[clients].Rate, "(b0)/(a)"));
        }

        var marten = await MartenAsync(connection, duration);
        foreach (var clients in Writers)
        {
            table.Add(Row.Of("(b) Marten in-process: append + inline projections", marten[clients], "events/s")
                .Against(marten[clients].Rate / ceiling[clients].Rate, "(b)/(a)", MartenOfCeiling));
        }

        await Benchmarks.DropSchemaAsync(connection, Schema);
        var environment = ServiceEnvironment(connection);
        var key = (await ServiceProcess.RunToEndAsync(serviceDll, "keys create --client bench-throughput --roles reporter,viewer", environment))
            .Split('\n', StringSplitOptions.TrimEntries).Last(l => l.StartsWith("ilk_", StringComparison.Ordinal));
        var port = ServiceProcess.FreePort();
        // The static-file middleware serves dashboard/ beside the service only when it holds an index.html at start;
        // the static twins of the reads are written there once (c) has given the reads something to show.
        var folder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(serviceDll))!, "dashboard");
        var index = Path.Combine(folder, "index.html");
        var written = new List<string>();
        var createdFolder = !Directory.Exists(folder);
        if (!File.Exists(index))
        {
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(index, "<!doctype html><title>bench</title>");
            written.Add(index);
            notes.Add("no dashboard bundle beside the service: a placeholder dashboard/index.html was written for the run (and removed after)");
        }

        using var service = ServiceProcess.Start(serviceDll, $"--urls http://127.0.0.1:{port}", environment);
        long peakRss;
        double ingest;
        try
        {
            using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
                Timeout = TimeSpan.FromMinutes(1),
            };
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            await ServiceProcess.ReadyAsync(client, service);

            // (c) Writes over HTTP.
            var body = Encoding.UTF8.GetBytes(Report);
            var http = new Dictionary<int, LoadResult>();
            foreach (var clients in Writers)
            {
                http[clients] = await ThroughputLoad.ClosedAsync(clients, duration, (_, _) => PostAsync(client, body));
                Progress("(c) HTTP", http[clients], "requests/s");
                table.Add(Row.Of("(c) POST /api/attacks over HTTP, API key", http[clients], "requests/s")
                    .Against(http[clients].Rate / marten[clients].Rate, "(c)/(b)", HttpOfMarten)
                    .Noting(http[clients].Unexpected(201)));
                notes.Add($"(c) {clients} clients, statuses: {http[clients].StatusCounts()}");
            }

            ingest = http.Values.Max(r => r.Rate);

            // (d) The dashboard's reads, then the same bytes, as they are now, served as static files.
            var statics = new string[Reads.Length];
            var sizes = new int[Reads.Length];
            for (var i = 0; i < Reads.Length; i++)
            {
                var bytes = await client.GetByteArrayAsync(Reads[i]);
                var file = Path.Combine(folder, $"bench-static-{i}.json");
                await File.WriteAllBytesAsync(file, bytes);
                written.Add(file);
                (statics[i], sizes[i]) = ("/" + Path.GetFileName(file), bytes.Length);
            }

            using (var check = await client.GetAsync(statics[0]))
            {
                if ((int)check.StatusCode != 200 || check.Content.Headers.ContentLength != sizes[0])
                {
                    throw new InvalidOperationException($"the service does not serve {statics[0]} from {folder}: {(int)check.StatusCode}");
                }
            }

            notes.Add("(d) bytes of each read (and of its static twin): " + string.Join(", ", Reads.Zip(sizes, (r, s) => string.Create(CultureInfo.InvariantCulture, $"{r} {s:N0}"))));
            foreach (var readers in ReaderCounts)
            {
                var reads = await ThroughputLoad.ClosedAsync(readers, duration, (c, n) => GetAsync(client, Reads, (int)((c + n) % Reads.Length)));
                Progress("(d) reads", reads, "requests/s");
                var files = await ThroughputLoad.ClosedAsync(readers, duration, (c, n) => GetAsync(client, statics, (int)((c + n) % statics.Length)));
                Progress("(d) static", files, "requests/s");
                var row = Row.Of("(d) dashboard reads for now (4 in turn)", reads, "requests/s").Noting(reads.Unexpected(200));
                table.Add(readers == ReaderCounts[^1] ? row.Against(reads.Rate / files.Rate, "read/static", ReadsOfStatic) : row.WithRatio(reads.Rate / files.Rate, "read/static"));
                table.Add(Row.Of("(d) the same bytes as static files (Kestrel)", files, "requests/s").Noting(files.Unexpected(200)));
                notes.Add($"(d) {readers} readers, p95 ms by read: " + string.Join(", ", Reads.Select((r, i) => string.Create(CultureInfo.InvariantCulture, $"{r} {reads.Percentile(i, 0.95):N1}"))));
            }

            // (e) The audit chain's lag while writes arrive at 70 % of the peak of (c).
            var rate = LagLoadShare * ingest;
            var lag = new List<(long Events, double Seconds)>();
            using var sampling = new CancellationTokenSource();
            var sampler = SampleLagAsync(connection, lag, sampling.Token);
            var paced = await ThroughputLoad.PacedAsync(rate, duration * 2, 64, (_, _) => PostAsync(client, body));
            await sampling.CancelAsync();
            await sampler;
            var caughtUp = await CatchUpAsync(connection);
            var events = lag.Select(l => (double)l.Events).Order().ToArray();
            var delays = lag.Select(l => l.Seconds).Order().ToArray();
            table.Add(new Row("(e) audit chain lag, events", "", string.Create(CultureInfo.InvariantCulture, $"{paced.Rate:N0} writes/s"),
                string.Create(CultureInfo.InvariantCulture, $"{Nth(events, 0.5):N0}"), "", string.Create(CultureInfo.InvariantCulture, $"{Nth(events, 0.99):N0}"), "", "",
                Note: string.Create(CultureInfo.InvariantCulture, $"in events, not ms; max {events.LastOrDefault():N0}")));
            table.Add(new Row("(e) audit chain lag, seconds", "", string.Create(CultureInfo.InvariantCulture, $"{lag.Count} samples"),
                string.Create(CultureInfo.InvariantCulture, $"{Nth(delays, 0.5):N2}"), "", string.Create(CultureInfo.InvariantCulture, $"{Nth(delays, 0.99):N2}"), "", "",
                Note: string.Create(CultureInfo.InvariantCulture, $"in s, not ms; max {delays.LastOrDefault():N2}"))
                .Against(Nth(delays, 0.99), "p99 s", LagP99Seconds, atMost: true));
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"(e) asked {rate:N0} writes/s (70 % of {ingest:N0}) for {duration.TotalSeconds * 2:N0} s, got {paced.Rate:N0}/s, p50/p95/p99 {paced.Percentile(0.5):N1}/{paced.Percentile(0.95):N1}/{paced.Percentile(0.99):N1} ms{(paced.Unexpected(201) is { Length: > 0 } u ? "; not 201: " + u : "")}; lag sampled every 100 ms; the chain caught up {caughtUp.TotalSeconds:N1} s after the last write"));

            // (h) Overload: writes offered at twice the peak of (c), up to 512 at once. What the service cannot take it must
            // refuse at once with 429 or 503 (the concurrency limit), never a 500, and its memory must stay bounded.
            var beforeFlood = ServiceProcess.Memory(service.Id).Peak;
            var flood = await ThroughputLoad.PacedAsync(OverloadFactor * ingest, duration, 512, (_, _) => PostAsync(client, body));
            var afterFlood = ServiceProcess.Memory(service.Id).Peak;
            var errors = flood.Statuses.Where(s => s.Key < 0 || (s.Key >= 500 && s.Key != 503)).Sum(s => s.Value);
            var shed = flood.Statuses.Where(s => s.Key is 429 or 503).Sum(s => s.Value);
            table.Add(Row.Of($"(h) overload: writes offered at {OverloadFactor:N0} × peak", flood, "answers/s")
                .WithRatio((double)shed / Math.Max(1, flood.Count), "shed share") with
            {
                Note = string.Create(CultureInfo.InvariantCulture, $"errors (5xx but 503, no answer) {errors:N0}: target 0, {(errors == 0 ? "met" : "MISSED")}"),
            });
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"(h) offered {OverloadFactor * ingest:N0} writes/s for {duration.TotalSeconds:N0} s, up to 512 in flight; statuses: {flood.StatusCounts()}; peak RSS {beforeFlood / 1048576.0:N0} MiB before, {afterFlood / 1048576.0:N0} MiB after"));

            peakRss = ServiceProcess.Memory(service.Id).Peak;
        }
        finally
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
            foreach (var file in written)
            {
                File.Delete(file);
            }

            if (createdFolder)
            {
                Directory.Delete(folder);
            }
        }

        // (f) Rebuild every projection from the ledger the run wrote, with the service's own command.
        var (rebuilt, rebuild) = await RebuildAsync(connection, serviceDll, environment);
        table.Add(new Row("(f) projections rebuild", string.Create(CultureInfo.InvariantCulture, $"{rebuilt:N0} events"),
            string.Create(CultureInfo.InvariantCulture, $"{rebuilt / rebuild.TotalSeconds:N0} events/s in {rebuild.TotalSeconds:N1} s"), "", "", "", "", "")
            .Against(rebuilt / rebuild.TotalSeconds / ingest, "rebuild/ingest", RebuildOfIngest));
        notes.Add(string.Create(CultureInfo.InvariantCulture, $"(f) sustained ingest = the peak of (c), {ingest:N0} events/s (one event a request)"));
        table.Add(new Row("(g) service peak RSS (VmHWM)", "", string.Create(CultureInfo.InvariantCulture, $"{peakRss / 1024.0 / 1024.0:N0} MiB"), "", "", "", "", ""));
        notes.Add("(g) VmHWM of the service process from its start to the end of (h): (c), (d), (e) and the overload of (h)");

        Print(table, notes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the run took {total.Elapsed.TotalMinutes:N1} min"));
    }

    private static void Progress(string part, LoadResult result, string unit) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{part,-16} {result.Clients,3} clients: {result.Rate,9:N0} {unit}, p50/p95/p99 {result.Percentile(0.5):N2}/{result.Percentile(0.95):N2}/{result.Percentile(0.99):N2} ms"));

    private static double Nth(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>The service's settings: Production, authentication on, the demo data and regions loaded, rate limits raised past any benchmark.</summary>
    private static Dictionary<string, string> ServiceEnvironment(string connection)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // A fresh schema each run: made at start-up here, where a production deployment runs db-apply.
            ["Ledger__ApplySchemaOnStartup"] = "true",
            ["ConnectionStrings__Ledger"] = connection,
            ["Ledger__Schema"] = Schema,
            // The seed scenario gives the control map, the ceasefires and the totals something to show.
            ["Ledger__LoadDemoData"] = "true",
            ["Ledger__SharedDataPath"] = Environment.GetEnvironmentVariable("LEDGER_SHARED_DATA") ?? "/nonexistent",
            ["Audit__SigningKeyPath"] = Path.Combine(Path.GetTempPath(), "idlib-ledger-bench-key.pem"),
            ["Audit__SealKeyPath"] = Benchmarks.BenchSealKey.Value,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        // A billion tokens a second: the buckets stay on the path of every request, but never refuse one.
        foreach (var bucket in new[] { "Writes", "Reads" })
        {
            environment[$"Ledger__RateLimits__{bucket}__TokenLimit"] = "1000000000";
            environment[$"Ledger__RateLimits__{bucket}__TokensPerPeriod"] = "1000000000";
        }

        return environment;
    }

    private static async Task<(int Kind, int Status)> PostAsync(HttpClient client, byte[] body)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync("/api/attacks", content);
            await response.Content.LoadIntoBufferAsync();
            return (0, (int)response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (0, -1);
        }
    }

    private static async Task<(int Kind, int Status)> GetAsync(HttpClient client, string[] paths, int kind)
    {
        try
        {
            using var response = await client.GetAsync(paths[kind]);
            await response.Content.LoadIntoBufferAsync();
            return (kind, (int)response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (kind, -1);
        }
    }

    /// <summary>(a) One single-row JSONB insert a transaction (autocommit), each client on a connection of its own.</summary>
    private static async Task<LoadResult> CeilingAsync(string connection, int clients, TimeSpan duration)
    {
        await using var dataSource = NpgsqlDataSource.Create(connection);
        await using (var setup = dataSource.CreateCommand(
            $"drop schema if exists {CeilingSchema} cascade; create schema {CeilingSchema}; " +
            $"create table {CeilingSchema}.rows (id bigint generated always as identity primary key, data jsonb not null)"))
        {
            await setup.ExecuteNonQueryAsync();
        }

        // The document the service stores for a report: the event's JSON.
        var id = StreamIds.New();
        var json = JsonSerializer.Serialize(ReportAttackEndpoint.Decide(Command(), id), LedgerJson.Options);
        var connections = new NpgsqlConnection[clients];
        var commands = new NpgsqlCommand[clients];
        for (var i = 0; i < clients; i++)
        {
            connections[i] = await dataSource.OpenConnectionAsync();
            commands[i] = new NpgsqlCommand($"insert into {CeilingSchema}.rows (data) values ($1)", connections[i]) { Parameters = { new() { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = json } } };
        }

        try
        {
            return await ThroughputLoad.ClosedAsync(clients, duration, async (client, _) =>
            {
                await commands[client].ExecuteNonQueryAsync();
                return (0, 0);
            });
        }
        finally
        {
            foreach (var (command, open) in commands.Zip(connections))
            {
                await command.DisposeAsync();
                await open.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// (b0) What Marten's own append costs, for reference: the same <c>AttackReported</c> appended by a store of its
    /// own with the service's event settings (quick append, server timestamps, metadata, the type index) and its
    /// connection settings (prepared statements, custom plans, no JIT), but no projection, listener or seal. What (b) adds to this is
    /// the service's; what this lacks of (a) is Marten's.
    /// </summary>
    private static async Task<Dictionary<int, LoadResult>> BareMartenAsync(string connection, TimeSpan duration)
    {
        const string schema = "bench_bare";
        await Benchmarks.DropSchemaAsync(connection, schema);
        var settings = new NpgsqlConnectionStringBuilder(connection) { MaxAutoPrepare = EventStore.DefaultMaxAutoPrepare, Options = EventStore.DefaultOptions };
        using var store = DocumentStore.For(options =>
        {
            options.Connection(settings.ConnectionString);
            options.DatabaseSchemaName = schema;
            options.UseSystemTextJsonForSerialization(Weasel.Core.EnumStorage.AsString, Weasel.Core.Casing.CamelCase, LedgerJson.Configure);
            options.AutoCreateSchemaObjects = JasperFx.AutoCreate.All;
            options.Events.AppendMode = JasperFx.Events.EventAppendMode.QuickWithServerTimestamps;
            options.Events.MetadataConfig.CorrelationIdEnabled = true;
            options.Events.MetadataConfig.CausationIdEnabled = true;
            options.Events.MetadataConfig.HeadersEnabled = true;
            options.Events.EnableEventTypeIndex = true;
            options.Events.AddEventType<AttackReported>();
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var command = Command();
        var results = new Dictionary<int, LoadResult>();
        foreach (var clients in Writers)
        {
            results[clients] = await ThroughputLoad.ClosedAsync(clients, duration, async (_, _) =>
            {
                await using var session = store.LightweightSession();
                var id = StreamIds.New();
                session.Events.StartStream(id, ReportAttackEndpoint.Decide(command, id));
                await session.SaveChangesAsync();
                return (0, 0);
            });
            Progress("(b0) Marten alone", results[clients], "events/s");
        }

        await Benchmarks.DropSchemaAsync(connection, schema);
        return results;
    }

    /// <summary>(b) What one report costs without HTTP: its event appended in a session of its own, with the service's inline projections.</summary>
    private static async Task<Dictionary<int, LoadResult>> MartenAsync(string connection, TimeSpan duration)
    {
        await Benchmarks.DropSchemaAsync(connection);
        // No daemon: the audit chain is (e)'s; here the appends and the inline read models alone.
        await using var host = await Benchmarks.HostAsync(connection, new BenchClock(), daemon: false);
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var command = Command();
        var results = new Dictionary<int, LoadResult>();
        foreach (var clients in Writers)
        {
            results[clients] = await ThroughputLoad.ClosedAsync(clients, duration, async (_, _) =>
            {
                await using var session = store.LightweightSession();
                // As Wolverine names a request's session (the inline projections read it).
                session.LastModifiedBy = "bench";
                var id = StreamIds.New();
                session.Events.StartStream<AttackReport>(id, ReportAttackEndpoint.Decide(command, id));
                await session.SaveChangesAsync();
                return (0, 0);
            });
            Progress("(b) Marten", results[clients], "events/s");
        }

        return results;
    }

    private static ReportAttack Command() =>
        JsonSerializer.Deserialize<ReportAttack>(Report, LedgerJson.Options) ?? throw new InvalidOperationException("the report does not parse");

    /// <summary>Every 100 ms: the events appended (the highest sequence) that the audit chain has not processed, and the age of the oldest of them.</summary>
    private static async Task SampleLagAsync(string connection, List<(long Events, double Seconds)> samples, CancellationToken stop)
    {
        await using var database = new NpgsqlConnection(connection);
        await database.OpenAsync(CancellationToken.None);
        await using var query = new NpgsqlCommand(LagQuery, database);
        while (!stop.IsCancellationRequested)
        {
            await using (var reader = await query.ExecuteReaderAsync(CancellationToken.None))
            {
                await reader.ReadAsync(CancellationToken.None);
                samples.Add((reader.GetInt64(0), reader.GetDouble(1)));
            }

            try
            {
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>The chain's progress is Marten's row for the shard AuditChain:All in mt_event_progression.</summary>
    private const string LagQuery = $"""
        with progress as (select coalesce((select last_seq_id from {Schema}.mt_event_progression where name = 'AuditChain:All'), 0) as seq),
             head as (select coalesce(max(seq_id), 0) as seq from {Schema}.mt_events)
        select greatest(head.seq - progress.seq, 0),
               coalesce(extract(epoch from clock_timestamp() - (select timestamp from {Schema}.mt_events where seq_id > progress.seq order by seq_id limit 1))::float8, 0)
        from progress, head
        """;

    private static async Task<TimeSpan> CatchUpAsync(string connection)
    {
        var watch = Stopwatch.StartNew();
        await using var database = new NpgsqlConnection(connection);
        await database.OpenAsync();
        await using var query = new NpgsqlCommand(LagQuery, database);
        while (watch.Elapsed < TimeSpan.FromMinutes(2) && (long)(await query.ExecuteScalarAsync())! > 0)
        {
            await Task.Delay(100);
        }

        return watch.Elapsed;
    }

    /// <summary>
    /// (f) <c>projections rebuild</c>, the service's command: timed from its "Starting to rebuild" line to its
    /// "Rebuild complete" line, so that the host's start is not counted.
    /// </summary>
    private static async Task<(long Events, TimeSpan Time)> RebuildAsync(string connection, string serviceDll, Dictionary<string, string> environment)
    {
        await using var database = new NpgsqlConnection(connection);
        await database.OpenAsync();
        await using var count = new NpgsqlCommand($"select count(*) from {Schema}.mt_events", database);
        var events = (long)(await count.ExecuteScalarAsync())!;

        var start = new ProcessStartInfo("dotnet", $"\"{serviceDll}\" projections rebuild") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        TimeSpan? from = null, until = null;
        var output = new StringBuilder();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not run projections rebuild");
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is not { } text)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(text);
                from ??= text.Contains("Starting to rebuild", StringComparison.Ordinal) ? clock.Elapsed : null;
                until = text.Contains("Rebuild complete", StringComparison.Ordinal) ? clock.Elapsed : until;
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            lock (output)
            {
                output.AppendLine(line.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync();
        lock (output)
        {
            if (process.ExitCode != 0 || from is null || until is null || output.ToString().Contains("Error while rebuilding", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"projections rebuild failed ({process.ExitCode}):\n{output}");
            }

            return (events, until.Value - from.Value);
        }
    }

    private static async Task<string> MachineAsync(string connection)
    {
        await using var database = new NpgsqlConnection(connection);
        await database.OpenAsync();
        await using var version = new NpgsqlCommand(
            "select current_setting('server_version') || ' (' || string_agg(name || ' ' || current_setting(name), ', ' order by name) || ')' " +
            "from pg_settings where name in ('fsync', 'synchronous_commit', 'shared_buffers', 'max_connections')", database);
        var memory = File.Exists("/proc/meminfo")
            ? long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0
            : double.NaN;
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        var server = await version.ExecuteScalarAsync();
        return string.Create(CultureInfo.InvariantCulture,
            $"machine: {Environment.ProcessorCount} cores, {memory:N1} GiB, PostgreSQL {server}, .NET {Environment.Version}, load average {load} at the start");
    }

    private static void Print(List<Row> table, List<string> notes)
    {
        Console.WriteLine();
        Console.WriteLine($"{"part",-56} {"clients",8} {"throughput",-22} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8}  {"ratio",-22} {"target",-10} {"of target",-16} notes");
        foreach (var row in table)
        {
            Console.WriteLine($"{row.Part,-56} {row.Clients,8} {row.Throughput,-22} {row.P50,8} {row.P95,8} {row.P99,8}  {row.Ratio,-22} {row.Target,-10} {row.OfTarget,-16} {row.Note}");
        }

        Console.WriteLine();
        foreach (var note in notes)
        {
            Console.WriteLine(note);
        }
    }

    /// <summary>A line of the table; every cell text, so that (e), (f) and (g) fit it too.</summary>
    private sealed record Row(string Part, string Clients, string Throughput, string P50, string P95, string P99, string Ratio, string Target,
        string OfTarget = "", string Note = "")
    {
        public static Row Of(string part, LoadResult result, string unit)
        {
            static string Ms(double value) => value.ToString("N2", CultureInfo.InvariantCulture);
            return new Row(part, result.Clients.ToString(CultureInfo.InvariantCulture), string.Create(CultureInfo.InvariantCulture, $"{result.Rate:N0} {unit}"),
                Ms(result.Percentile(0.5)), Ms(result.Percentile(0.95)), Ms(result.Percentile(0.99)), "", "");
        }

        public Row WithRatio(double ratio, string what) => this with { Ratio = string.Create(CultureInfo.InvariantCulture, $"{what} {ratio:N2}") };

        /// <summary>The ratio against its target: "of target" is how far along (≥ 1 met), or for an upper bound how far under it.</summary>
        public Row Against(double ratio, string what, double target, bool atMost = false) => WithRatio(ratio, what) with
        {
            Target = string.Create(CultureInfo.InvariantCulture, $"{(atMost ? "≤" : "≥")} {target:N2}"),
            OfTarget = atMost
                ? string.Create(CultureInfo.InvariantCulture, $"{ratio / target:N2} {(ratio <= target ? "met" : "MISSED")}")
                : string.Create(CultureInfo.InvariantCulture, $"{ratio / target:N2} {(ratio >= target ? "met" : "MISSED")}"),
        };

        public Row Noting(string unexpected) => unexpected.Length == 0 ? this : this with { Note = "not 2xx as expected: " + unexpected };
    }
}
