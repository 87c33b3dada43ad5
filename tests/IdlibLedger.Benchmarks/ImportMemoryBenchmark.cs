using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace IdlibLedger.Benchmarks;

/// <summary>
/// Import memory benchmark (issue "Trust II"): the service as a process of its own (Kestrel on loopback, the built
/// IdlibLedger.dll, Production settings) takes a ~60 MB UCDP GED file of which every row is refused, once alone and
/// four times at once (with one import allowed, the default, and with four), then a ~60 MB file of valid rows
/// once and four times at once; the benchmark reads the service's resident memory from /proc (VmRSS every 20 ms,
/// and the kernel's own peak VmHWM, reset before each run). Each run starts a new service on an empty schema.
/// Prints idle and peak RSS per run and whether the peak stays under the stated bound: idle + <see cref="PerImportMiB"/>
/// per import running at once, or <see cref="PerRefusedImportMiB"/> for a file whose rows are all refused.
/// </summary>
internal static class ImportMemoryBenchmark
{
    /// <summary>The most one running import adds to the service's RSS (docs/operations.md states it).</summary>
    public const int PerImportMiB = 1200;

    /// <summary>The most one running import of refused rows adds: no events, timeline rows or batches to prepare.</summary>
    public const int PerRefusedImportMiB = 150;

    private const string Schema = "bench_memory";

    public static async Task RunAsync(string connection, string serviceDll, long fileBytes)
    {
        if (!File.Exists(serviceDll))
        {
            throw new InvalidOperationException($"no service at {serviceDll}: build src/IdlibLedger (deploy/local/benchmark-import-memory.sh does)");
        }

        var refused = Path.Combine(Path.GetTempPath(), $"idlib-ledger-bench-ged-refused-{fileBytes / 1_000_000}MB.csv");
        var rows = await GenerateAsync(refused, fileBytes, spoiled: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"refused rows: {rows:N0} GED-shaped rows, each refused (type_of_violence x, deaths_a -3, low -1, latitude NaN, date_start 2019-13-45 in turn), {new FileInfo(refused).Length:N0} bytes: {refused}"));
        var valid = Path.Combine(Path.GetTempPath(), $"idlib-ledger-bench-ged-valid-{fileBytes / 1_000_000}MB.csv");
        rows = await GenerateAsync(valid, fileBytes, spoiled: false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"valid rows: {rows:N0} GED-shaped rows, all valid (four at once: one imports them, the others find them present), {new FileInfo(valid).Length:N0} bytes: {valid}"));
        Console.WriteLine($"service: {serviceDll}");
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"run",-46} {"answers",-12} {"answer KiB",10} {"wall s",7} {"idle MiB",9} {"peak MiB",9} {"peak-idle",10} {"bound MiB",10}  under"));

        var failed = false;
        foreach (var (name, file, allowed, sent) in new[]
        {
            ("refused rows: 1 import", refused, 1, 1),
            ("refused rows: 4 at once, 1 allowed (default)", refused, 1, 4),
            ("refused rows: 4 at once, 4 allowed", refused, 4, 4),
            ("valid rows: 1 import", valid, 1, 1),
            ("valid rows: 4 at once, 4 allowed", valid, 4, 4),
        })
        {
            failed |= !await RunAsync(connection, serviceDll, file, name, allowed, sent, expectRejections: file == refused);
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bound: idle RSS + {PerImportMiB} MiB per import running at once, {PerRefusedImportMiB} MiB for refused rows (peak: the larger of VmRSS sampled every 20 ms and the kernel's VmHWM)"));
        if (failed)
        {
            throw new InvalidOperationException("a run went over the bound or an import did not answer as expected");
        }
    }

    private static async Task<bool> RunAsync(string connection, string serviceDll, string file, string name, int allowed, int sent, bool expectRejections)
    {
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
            ["Ledger__RateLimits__Imports__TokenLimit"] = "1000",
            ["Ledger__RateLimits__Imports__TokensPerPeriod"] = "1000",
            ["Ledger__RateLimits__ConcurrentImports"] = allowed.ToString(CultureInfo.InvariantCulture),
            // Files larger than the default 64 MiB show whether memory grows with the file.
            ["Ledger__MaxImportBytes"] = Math.Max(64L * 1024 * 1024, new FileInfo(file).Length + 1024).ToString(CultureInfo.InvariantCulture),
        };
        var key = (await ServiceProcess.RunToEndAsync(serviceDll, "keys create --client bench-memory --roles admin", environment))
            .Split('\n', StringSplitOptions.TrimEntries).Last(l => l.StartsWith("ilk_", StringComparison.Ordinal));

        using var service = ServiceProcess.Start(serviceDll, $"--urls http://127.0.0.1:{port}", environment);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Timeout.InfiniteTimeSpan };
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            await ServiceProcess.ReadyAsync(client, service);

            // Warm up the import path (JIT, connections, the import log's tables), then let the service settle.
            var warmUp = Path.Combine(Path.GetTempPath(), "idlib-ledger-bench-ged-refused-warm-up.csv");
            await GenerateAsync(warmUp, 4_000_000, spoiled: true);
            for (var i = 0; i < 2; i++)
            {
                await ImportAsync(client, warmUp);
            }

            await Task.Delay(TimeSpan.FromSeconds(5));
            var idle = ServiceProcess.Memory(service.Id).Rss;
            ServiceProcess.ResetPeak(service.Id);

            var watch = Stopwatch.StartNew();
            Answer[] answers = [];
            var peak = await ServiceProcess.PeakRssDuringAsync(service.Id, TimeSpan.FromMilliseconds(20), async () =>
                answers = await Task.WhenAll(Enumerable.Range(0, sent).Select(_ => ImportAsync(client, file))));
            watch.Stop();

            var ok = answers.Count(a => a.Status == HttpStatusCode.OK);
            var refused = answers.Count(a => a.Status == HttpStatusCode.TooManyRequests);
            var bound = idle + ok * (expectRejections ? PerRefusedImportMiB : PerImportMiB) * 1024L * 1024;
            var under = peak <= bound;
            var expected = ok == Math.Min(sent, allowed) && ok + refused == sent
                && answers.Where(a => a.Status == HttpStatusCode.OK).All(a => a.Rows > 0 && (a.Rejected > 0) == expectRejections);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-46} {$"{ok}×200 {refused}×429",-12} {answers.Max(a => a.Bytes) / 1024.0,10:N1} {watch.Elapsed.TotalSeconds,7:N1} {MiB(idle),9:N0} {MiB(peak),9:N0} {MiB(peak - idle),10:N0} {MiB(bound),10:N0}  {(under ? "yes" : "NO")}"));
            foreach (var answer in answers.Where(a => a.Status == HttpStatusCode.OK).Take(1))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"",46} an answer: {answer.Rows:N0} rows, {answer.Imported:N0} imported, {answer.Rejected:N0} rejected, {answer.Shown} shown"));
            }

            if (!expected)
            {
                Console.WriteLine($"{"",46} unexpected answers: {string.Join(", ", answers.Select(a => $"{(int)a.Status} {a.Head}"))}");
            }

            return under && expected;
        }
        finally
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
        }
    }

    private sealed record Answer(HttpStatusCode Status, long Bytes, long Rows, long Imported, long Rejected, int Shown, string Head);

    /// <summary>Sends the file as it is read from disk; counts the answer's bytes without keeping a large one.</summary>
    private static async Task<Answer> ImportAsync(HttpClient client, string file)
    {
        await using var body = File.OpenRead(file);
        using var content = new StreamContent(body, 64 * 1024);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await client.PostAsync("/api/imports/ucdp-ged", content);
        await using var answer = await response.Content.ReadAsStreamAsync();
        using var kept = new MemoryStream();
        var buffer = new byte[64 * 1024];
        long bytes = 0;
        int read;
        while ((read = await answer.ReadAsync(buffer)) > 0)
        {
            bytes += read;
            if (kept.Length < 1024 * 1024)
            {
                kept.Write(buffer, 0, read);
            }
        }

        var text = Encoding.UTF8.GetString(kept.ToArray());
        if (response.StatusCode != HttpStatusCode.OK || bytes > kept.Length)
        {
            return new Answer(response.StatusCode, bytes, 0, 0, 0, 0, text[..Math.Min(200, text.Length)]);
        }

        var json = JsonNode.Parse(text)!;
        // Before the bounded import, the answer had no rejectedCount: every rejection was in it.
        var shown = json["rejected"]!.AsArray().Count;
        return new Answer(response.StatusCode, bytes, json["rows"]!.GetValue<long>(), json["imported"]!.GetValue<long>(), json["rejectedCount"]?.GetValue<long>() ?? shown, shown, string.Empty);
    }

    /// <summary>Rows of the import benchmark's generator (each with one cell <paramref name="spoiled"/>) until the file has <paramref name="bytes"/>.</summary>
    private static async Task<long> GenerateAsync(string file, long bytes, bool spoiled)
    {
        (string Column, string Cell)[] spoils = [("type_of_violence", "x"), ("deaths_a", "-3"), ("low", "-1"), ("latitude", "NaN"), ("date_start", "2019-13-45")];
        var random = new Random(20200226);
        await using var writer = new StreamWriter(file, false, new UTF8Encoding(false));
        var header = string.Join(',', ImportBenchmark.Header.Select(ImportBenchmark.Quote));
        await writer.WriteAsync(header + "\n");
        var written = (long)Encoding.UTF8.GetByteCount(header) + 1;
        var rows = 0L;
        for (var i = 0; ; i++)
        {
            var fields = ImportBenchmark.Fields(random, i);
            if (spoiled)
            {
                var (column, cell) = spoils[i % spoils.Length];
                fields[Array.IndexOf(ImportBenchmark.Header, column)] = cell;
            }

            var line = string.Join(',', fields.Select(ImportBenchmark.Quote)) + "\n";
            var size = Encoding.UTF8.GetByteCount(line);
            if (written + size > bytes)
            {
                return rows;
            }

            await writer.WriteAsync(line);
            (written, rows) = (written + size, rows + 1);
        }
    }

    private static double MiB(long bytes) => bytes / 1024.0 / 1024.0;
}
