using System.Net;
using System.Text;
using IdlibLedger.Importing;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Importing;

/// <summary>
/// An import reads its body as it arrives and keeps a window of rows, not the file: its memory does not grow with
/// the file (deploy/local/benchmark-import-memory.sh measures it against the service as a process of its own).
/// </summary>
public sealed class importing_a_large_file(LedgerFixture ledger) : LedgerTest(ledger)
{
    /// <summary>Refused rows enough to fill the CSV reader's buffer (it reads ahead until its buffer is full).</summary>
    private static IEnumerable<string> ReadAhead(string prefix) => Enumerable.Range(0, 3000).Select(i => GedFile.Row($"{prefix}{i}", ("type_of_violence", "x")));

    /// <summary>Rows counted by <paramref name="sql"/> (which names the client with {0}) until there are <paramref name="atLeast"/>.</summary>
    private async Task<long> EventuallyAsync(string sql, long atLeast)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            var count = (long)(await Ledger.ScalarAsync(sql))!;
            if (count >= atLeast || DateTimeOffset.UtcNow > deadline)
            {
                return count;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task a_window_of_rows_is_read_checked_and_its_rejections_stored_while_the_client_still_sends_the_rest()
    {
        var desk = $"stream-desk-{Guid.NewGuid():N}";
        var window = Enumerable.Range(0, UcdpGedImporter.WindowSize).Select(i => GedFile.Row($"s{i}", ("type_of_violence", "x")));
        var release = new TaskCompletionSource();
        using var client = Host.Client(desk);
        using var content = new HeldBackContent(GedFile.Of([.. window, .. ReadAhead("t")]), GedFile.Row("s-last") + "\n", release.Task);
        var answer = client.PostAsync("/api/imports/ucdp-ged", content);

        long stored;
        try
        {
            stored = await EventuallyAsync(
                $"select count(*) from {LedgerFixture.Schema}.{ImportLog.RejectionsTable} r join {LedgerFixture.Schema}.{ImportLog.ImportsTable} i on i.id = r.import_id where i.recorded_by = '{desk}'",
                UcdpGedImporter.WindowSize);
        }
        finally
        {
            release.TrySetResult();
        }

        stored.ShouldBe(UcdpGedImporter.WindowSize, "the rejections of the first window, stored before the body's last row was sent");
        using var response = await answer;
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text[..Math.Min(text.Length, 500)]);
        var report = System.Text.Json.Nodes.JsonNode.Parse(text)!;
        report["rows"]!.GetValue<long>().ShouldBe(UcdpGedImporter.WindowSize + 3001);
        report["imported"]!.GetValue<long>().ShouldBe(1);
        report["rejectedCount"]!.GetValue<long>().ShouldBe(UcdpGedImporter.WindowSize + 3000);
        // 53,000 rejections, and the answer holds 100 of them: its size does not grow with the file.
        Encoding.UTF8.GetByteCount(text).ShouldBeLessThan(64 * 1024);
    }

    [Fact]
    public async Task a_row_longer_than_a_mebibyte_ends_the_import_at_its_line_without_reading_the_rest()
    {
        // Line 3 opens a quote that is never closed: by RFC 4180 the rest of the file is one cell of that row.
        var rest = string.Join('\n', Enumerable.Range(0, 12_000).Select(i => GedFile.Row($"after-{i}")));
        var csv = GedFile.Of(GedFile.Row("811"), GedFile.Row("812", ("source_headline", "\"Shelling on Kafr Nabl")), rest);
        Encoding.UTF8.GetByteCount(csv).ShouldBeGreaterThan(UcdpGedFile.MaxRowChars);

        using var client = Host.Client();
        using var response = await client.PostAsync("/api/imports/ucdp-ged", GedFile.Content(csv));
        var report = await response.JsonAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, report.ToJsonString());
        report["imported"]!.GetValue<long>().ShouldBe(1);
        report["rows"]!.GetValue<long>().ShouldBe(2);
        var rejected = report["rejected"]!.AsArray().Single()!;
        rejected["line"]!.GetValue<long>().ShouldBe(3);
        rejected["reasons"]![0]!.GetValue<string>().ShouldContain("longer than 1,048,576 characters");
        (await Ledger.EventCountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task with_two_imports_allowed_two_run_at_once_and_a_third_is_429()
    {
        await using var host = await Ledger.StartHostAsync("ledger_imports", new Dictionary<string, string>
        {
            ["Ledger:SharedDataPath"] = "/nonexistent",
            ["Ledger:RateLimits:ConcurrentImports"] = "2",
        });
        var desk = $"pair-desk-{Guid.NewGuid():N}";
        var release = new TaskCompletionSource();
        using var client = host.Client(desk);
        using var first = new HeldBackContent(GedFile.Of([.. ReadAhead("a")]), GedFile.Row($"{desk}-1") + "\n", release.Task);
        using var second = new HeldBackContent(GedFile.Of([.. ReadAhead("b")]), GedFile.Row($"{desk}-2") + "\n", release.Task);
        var answers = new[] { client.PostAsync("/api/imports/ucdp-ged", first), client.PostAsync("/api/imports/ucdp-ged", second) };

        long running;
        HttpResponseMessage third;
        try
        {
            running = await EventuallyAsync($"select count(*) from ledger_imports.{ImportLog.ImportsTable} where recorded_by = '{desk}' and finished_at is null", 2);
            third = await client.PostAsync("/api/imports/ucdp-ged", GedFile.Content(GedFile.Of(GedFile.Row($"{desk}-3"))));
        }
        finally
        {
            release.TrySetResult();
        }

        running.ShouldBe(2);
        using (third)
        {
            third.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            (await third.JsonAsync())["detail"]!.GetValue<string>().ShouldContain("2 imports at a time");
        }

        foreach (var answer in answers)
        {
            using var response = await answer;
            var report = await response.JsonAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, report.ToJsonString());
            report["imported"]!.GetValue<long>().ShouldBe(1);
        }
    }
}
