using System.Diagnostics;
using System.Globalization;
using System.Text;
using IdlibLedger.Attacks;
using IdlibLedger.Attacks.Reporting;
using IdlibLedger.Importing;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using nietras.SeparatedValues;

namespace IdlibLedger.Benchmarks;

/// <summary>
/// Import benchmark (issue "Real data in and out"): writes a GED-shaped CSV of ROWS generated rows, then, each into an
/// empty ledger, measures (1) the raw Marten baseline — the same rows' events, built beforehand, appended with
/// Marten's bulk append in the importer's chunks, no parsing, validation or read models — and (2) the import itself:
/// file → RFC 4180 parse → validation → de-duplication → timeline and casualty cells → bulk append; then (3) the same
/// file again (every row already present). Prints rows/s, the import's share of the baseline, and each run's CPU time
/// (this process, the rest of the machine — the database — and how busy the machine was), which shows when a run is
/// bound by the CPU. Like the command line's <c>import ucdp-ged FILE</c>, the host runs no projection daemon: the
/// service's daemon chains the events after.
/// </summary>
internal static class ImportBenchmark
{
    internal static readonly string[] Header =
    [
        "id", "year", "active_year", "type_of_violence", "conflict_new_id", "conflict_name", "dyad_new_id", "dyad_name", "side_a_new_id", "side_a",
        "side_b_new_id", "gwnob", "side_b", "number_of_sources", "source_article", "source_office", "source_date", "source_headline", "source_original",
        "where_prec", "where_coordinates", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region",
        "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "low", "best", "high",
    ];

    private static readonly (string A, string B, int Violence)[] Dyads =
    [
        ("Government of Syria", "Syrian insurgents", 1), ("Government of Syria", "Civilians", 3), ("HTS", "Syrian insurgents", 2),
        ("IS", "Civilians", 3), ("Government of Russia (Soviet Union)", "Syrian insurgents", 1),
    ];

    public static async Task RunAsync(string connection, int rows)
    {
        var file = Path.Combine(Path.GetTempPath(), $"idlib-ledger-bench-ged-{rows}.csv");
        var watch = Stopwatch.StartNew();
        await GenerateAsync(file, rows);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"generated {rows:N0} GED-shaped rows ({new FileInfo(file).Length / 1024.0 / 1024.0:N0} MiB, quoted fields with commas and line breaks) in {watch.Elapsed.TotalSeconds:N1} s: {file}"));

        var clock = new BenchClock { Now = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero) };

        // (1) The baseline: the importer's events, built beforehand (untimed), appended by Marten alone.
        await Benchmarks.DropSchemaAsync(connection);
        var host = await Benchmarks.HostAsync(connection, clock, daemon: false);
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var registry = (IEventRegistry)store.Options.Events;
        var events = new List<StreamAction>(rows);
        using (var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(file))
        {
            foreach (var row in reader)
            {
                var fields = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var name in Header)
                {
                    fields[name] = row[name].ToString();
                }

                var (report, _, _) = UcdpGedMapping.ToReport(name => fields[name], "bench");
                var id = UcdpGedMapping.StreamId(fields["id"]);
                var stream = StreamAction.Start(registry, id, [ReportAttackEndpoint.Decide(report!, id)]);
                stream.AggregateType = typeof(AttackReport);
                foreach (var e in stream.Events)
                {
                    (e.StreamId, e.Timestamp) = (id, clock.Now);
                }

                events.Add(stream);
            }
        }

        var baseline = await Cpu.MeasureAsync(rows, async () =>
        {
            foreach (var chunk in events.Chunk(UcdpGedImporter.BatchSize))
            {
                await store.BulkInsertEventsAsync(chunk, UcdpGedImporter.BatchSize);
            }
        });
        events.Clear();
        await host.DisposeAsync();

        // (2) The import, as `import ucdp-ged FILE` runs it, into an empty ledger.
        await Benchmarks.DropSchemaAsync(connection);
        host = await Benchmarks.HostAsync(connection, clock, daemon: false);
        var (imported, import) = await ImportAsync(host, file, rows);

        // (3) The same file again: every row is already present.
        var (again, reimport) = await ImportAsync(host, file, rows);
        await host.DisposeAsync();

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"run",-62} {"rows",9} {"rows/s",9} {"wall s",7} {"cpu s: this process",20} {"others (database)",18} {"machine busy",13}"));
        Print("raw Marten bulk append (events built beforehand)", rows, baseline);
        Print("import: parse, validate, de-duplicate, read models, bulk append", imported.Imported, import);
        Print("import of the same file again (all already present)", again.AlreadyPresent, reimport);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"import {import.Rate:N0} rows/s (target ≥ 20,000) = {import.Rate / baseline.Rate:N2} of the raw Marten baseline (target ≥ 0.5)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cpu per row: baseline {baseline.PerRowMicroseconds:N0} µs, import {import.PerRowMicroseconds:N0} µs ({import.PerRowMicroseconds / baseline.PerRowMicroseconds:N1}×) on {Environment.ProcessorCount} cores"));
        if (imported.Imported != rows || again.AlreadyPresent != rows || imported.RejectedCount > 0)
        {
            throw new InvalidOperationException($"the import did not take every row: {imported.Imported} imported, {imported.RejectedCount} rejected, {again.AlreadyPresent} present on the second run");
        }
    }

    private static async Task<(ImportReport Report, Cpu.Figures Figures)> ImportAsync(Alba.IAlbaHost host, string file, int rows)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var importer = scope.ServiceProvider.GetRequiredService<UcdpGedImporter>();
        ImportReport? report = null;
        var figures = await Cpu.MeasureAsync(rows, async () =>
        {
            using var reader = new StreamReader(file);
            using var ged = await UcdpGedFile.OpenAsync(reader, CancellationToken.None);
            report = await importer.ImportAsync(ged, "bench", SourceAnomalies.Repair, null, CancellationToken.None);
        });
        return (report!, figures);
    }

    private static void Print(string run, long rows, Cpu.Figures f) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{run,-62} {rows,9:N0} {f.Rate,9:N0} {f.Wall.TotalSeconds,7:N1} {f.Process.TotalSeconds,20:N1} {f.Others.TotalSeconds,18:N1} {f.Busy,12:P0}"));

    /// <summary>Rows shaped like UCDP GED 25.1 (the columns of ../shared/data's slice), ids from 10,000,000 up.</summary>
    private static async Task GenerateAsync(string file, int rows)
    {
        var random = new Random(20200226);
        await using var writer = new StreamWriter(file, false, new UTF8Encoding(false));
        await writer.WriteLineAsync(string.Join(',', Header.Select(Quote)));
        var line = new StringBuilder();
        for (var i = 0; i < rows; i++)
        {
            line.Clear().AppendJoin(',', Fields(random, i).Select(Quote));
            await writer.WriteLineAsync(line);
        }
    }

    /// <summary>The cells of generated row <paramref name="i"/> under <see cref="Header"/>, unquoted.</summary>
    internal static string[] Fields(Random random, int i)
    {
        var start = new DateOnly(2012, 1, 1);
        var (a, b, violence) = Dyads[random.Next(Dyads.Length)];
        var datePrecision = random.Next(100) < 80 ? 1 : random.Next(2, 6);
        var dateStart = start.AddDays(random.Next(0, 8 * 365));
        // date_prec 2 is a window of 2 to 6 days (date_end inclusive); the coarser ones any window up to a week here.
        var dateEnd = datePrecision switch { 1 => dateStart, 2 => dateStart.AddDays(random.Next(1, 6)), _ => dateStart.AddDays(random.Next(0, 7)) };
        var deaths = new[] { random.Next(0, 4), random.Next(0, 6), random.Next(0, 8), random.Next(0, 2) };
        var best = deaths.Sum();
        var low = best - random.Next(0, best + 1);
        var high = best + random.Next(0, 6);
        var (latitude, longitude) = (35.4 + random.NextDouble() * 0.9, 36.2 + random.NextDouble() * 0.9);
        var headline = random.Next(20) == 0
            ? $"Shelling on villages south of Idlib, {i}\nsecond line of the headline"
            : $"Shelling on villages south of Idlib, \"{i}\" killed";
        return
        [
            (10_000_000 + i).ToString(CultureInfo.InvariantCulture), dateStart.Year.ToString(CultureInfo.InvariantCulture), "1",
            violence.ToString(CultureInfo.InvariantCulture), "299", "Syria: Government", "11973", $"{a} - {b}", "118", a, "4456", "", b, "1",
            $"\"SOHR,{dateStart:yyyy-MM-dd},{headline}\"", "SOHR", dateStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), headline, "SOHR",
            random.Next(1, 8).ToString(CultureInfo.InvariantCulture), "Tah village", "Idlib Governorate", "Maarat al-Numaan district",
            latitude.ToString("F6", CultureInfo.InvariantCulture), longitude.ToString("F6", CultureInfo.InvariantCulture),
            string.Create(CultureInfo.InvariantCulture, $"POINT ({longitude:F6} {latitude:F6})"), "181154", "Syria", "652", "Middle East", "1",
            datePrecision.ToString(CultureInfo.InvariantCulture), dateStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            dateEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            .. deaths.Select(d => d.ToString(CultureInfo.InvariantCulture)),
            low.ToString(CultureInfo.InvariantCulture), best.ToString(CultureInfo.InvariantCulture), high.ToString(CultureInfo.InvariantCulture),
        ];
    }

    internal static string Quote(string field) =>
        field.Contains(',', StringComparison.Ordinal) || field.Contains('"', StringComparison.Ordinal) || field.Contains('\n', StringComparison.Ordinal)
            ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : field;
}
