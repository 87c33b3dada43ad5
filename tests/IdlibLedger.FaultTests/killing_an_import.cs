using System.Globalization;
using System.Net;
using System.Text;
using nietras.SeparatedValues;
using Shouldly;
using Xunit.Abstractions;

namespace IdlibLedger.FaultTests;

[Collection(FaultGroup.Name)]
public sealed class killing_an_import(Faults faults, ITestOutputHelper output)
{
    /// <summary>The Idlib slice of UCDP GED (../shared/data), 116 real rows, repeated under new ids.</summary>
    private static string GedSlice => Path.Combine(
        Environment.GetEnvironmentVariable("LEDGER_SHARED_DATA") is { Length: > 0 } shared ? shared : Path.Combine(Faults.Root, "..", "shared", "data"),
        "ucdp_ged_syria_idlib_2019-09_to_2019-11.csv");

    [Fact]
    public async Task a_sigkill_in_the_middle_of_an_import_leaves_totals_equal_to_a_rebuild_and_the_import_completes_on_retry()
    {
        var file = await LargeFileAsync(copies: 150);
        var rows = File.ReadLines(file).Count() - 1;
        using var client = new HttpClient { BaseAddress = faults.Service.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Add("X-Api-Key", faults.ApiKey);

        var importing = client.PostAsync("/api/imports/ucdp-ged?reportedBy=fault-import", new StreamContent(File.OpenRead(file)) { Headers = { ContentType = new("text/csv") } });
        // Killed mid-import: once the first chunks are in, at a random moment of the next ones.
        var imported = $"select count(*) from {Faults.Schema}.mt_events where type = 'attack_reported' and data ->> 'reportedBy' = 'fault-import'";
        for (var waited = 0; (long)(await faults.ScalarAsync(imported))! == 0 && waited < 120_000; waited += 50)
        {
            await Task.Delay(50);
        }

        await Task.Delay(new Random(20200228).Next(100, 1000));
        var killedAfter = await faults.ScalarAsync(imported);
        await faults.Service.KillAsync();
        await Should.ThrowAsync<HttpRequestException>(importing);
        await faults.Service.StartAsync();

        // What a half-finished import left must be consistent: the read models equal a rebuild from the events.
        var partial = await TotalsAsync(client);
        await faults.Service.KillAsync();
        await faults.Service.RunAsync("projections", "rebuild");
        await faults.Service.StartAsync();
        (await TotalsAsync(client)).ShouldBe(partial);

        // The client retries the whole file: rows already in are recognised, the rest imported, none twice.
        using var retry = await client.PostAsync("/api/imports/ucdp-ged?reportedBy=fault-import", new StreamContent(File.OpenRead(file)) { Headers = { ContentType = new("text/csv") } });
        var answer = await retry.Content.ReadAsStringAsync();
        retry.StatusCode.ShouldBe(HttpStatusCode.OK, answer);
        var events = (long)(await faults.ScalarAsync(imported))!;
        var streams = (long)(await faults.ScalarAsync($"select count(distinct stream_id) from {Faults.Schema}.mt_events where type = 'attack_reported' and data ->> 'reportedBy' = 'fault-import'"))!;
        var complete = await TotalsAsync(client);
        await faults.Service.KillAsync();
        await faults.Service.RunAsync("projections", "rebuild");
        await faults.Service.StartAsync();
        var rebuilt = await TotalsAsync(client);

        Figures.Print(output, string.Create(CultureInfo.InvariantCulture,
            $"[faults] SIGKILL during an import of {rows:N0} rows: {killedAfter} rows in when killed; after the retry {events:N0} attack events in {streams:N0} streams, read models equal a rebuild: {rebuilt.SequenceEqual(complete)}"));
        events.ShouldBe(streams);
        events.ShouldBe(rows);
        ((long)killedAfter!).ShouldBeLessThan(rows);
        rebuilt.ShouldBe(complete);
        await killing_the_service_under_writers.EveryReadModelVerifiesAsync(faults);
    }

    private static async Task<List<string>> TotalsAsync(HttpClient client)
    {
        var answers = new List<string>();
        foreach (var url in new[] { "/api/casualties/totals?groupBy=perpetrator&at=2020-01-01", "/api/casualties/totals?groupBy=month&at=2020-01-01&from=2019-09-01&to=2019-12-01" })
        {
            var text = await client.GetStringAsync(url);
            answers.Add(System.Text.RegularExpressions.Regex.Replace(text, "\"asOf\":\"[^\"]*\"", "\"asOf\":\"…\""));
        }

        return answers;
    }

    /// <summary>The real slice repeated <paramref name="copies"/> times, each copy under new UCDP ids (from 90,000,000 up).</summary>
    private static async Task<string> LargeFileAsync(int copies)
    {
        var file = Path.Combine(Path.GetTempPath(), $"idlib-ledger-fault-import-{copies}.csv");
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(GedSlice);
        var header = reader.Header.ColNames.ToArray();
        var rows = new List<string[]>();
        foreach (var row in reader)
        {
            var fields = new string[header.Length];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = row[i].ToString();
            }

            rows.Add(fields);
        }

        await using var writer = new StreamWriter(file, false, new UTF8Encoding(false));
        await writer.WriteLineAsync(string.Join(',', header.Select(Quote)));
        var id = 90_000_000;
        for (var copy = 0; copy < copies; copy++)
        {
            foreach (var row in rows)
            {
                row[0] = (id++).ToString(CultureInfo.InvariantCulture);
                await writer.WriteLineAsync(string.Join(',', row.Select(Quote)));
            }
        }

        return file;
    }

    private static string Quote(string field) =>
        field.Contains(',', StringComparison.Ordinal) || field.Contains('"', StringComparison.Ordinal) || field.Contains('\n', StringComparison.Ordinal)
            ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : field;
}
