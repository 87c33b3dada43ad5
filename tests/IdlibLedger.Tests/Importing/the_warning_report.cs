using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Importing;
using IdlibLedger.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace IdlibLedger.Tests.Importing;

/// <summary>
/// An import's warnings (rows imported although their own estimates disagree) are kept like its rejections: the
/// answer holds the count and the first 100, the import's id reads them all, a page at a time if asked, for a week.
/// </summary>
public sealed class the_warning_report(LedgerFixture ledger) : LedgerTest(ledger)
{
    /// <summary>A row whose high is below its best: one warning.</summary>
    private static string HighBelowBest(string id) => GedFile.Row(id, ("high", "1"));

    /// <summary>A row whose low is above its best and whose deaths add up to more than best: two warnings, one line.</summary>
    private static string TwoWarnings(string id) => GedFile.Row(id, ("low", "3"), ("high", "4"), ("deaths_civilians", "5"));

    private async Task<(HttpResponseMessage Response, List<JsonObject> Lines)> DownloadAsync(string link)
    {
        using var client = Host.Client();
        var response = await client.GetAsync(link);
        var text = await response.Content.ReadAsStringAsync();
        return (response, response.IsSuccessStatusCode ? [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject())] : []);
    }

    private static long Line(JsonObject warning) => warning["line"]!.GetValue<long>();

    [Fact]
    public async Task the_warnings_of_an_import_are_read_by_its_id_after_the_answer_and_equal_its_count_and_list()
    {
        var report = await Host.ImportedAsync(GedFile.Of(HighBelowBest("601"), GedFile.Row("602"), TwoWarnings("603"), GedFile.Row("604", ("low", "-1"))));

        report["imported"]!.GetValue<long>().ShouldBe(3, report.ToJsonString());
        report["warningCount"]!.GetValue<long>().ShouldBe(3);
        var id = report["id"]!.GetValue<Guid>();
        var link = report["warningReport"]!.GetValue<string>();
        link.ShouldBe($"/api/imports/{id}/warnings");

        var (response, lines) = await DownloadAsync(link);
        using (response)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-ndjson");
            response.Headers.Contains("X-Next-After").ShouldBeFalse("without a limit the download is every warning, not a page");
        }

        lines.Count.ShouldBe(3);
        lines.Select(l => (Line(l), l["ucdpId"]!.GetValue<string>())).ShouldBe([(2L, "601"), (4L, "603"), (4L, "603")]);
        lines[0]["columns"]!.AsArray().Select(c => c!.GetValue<string>()).ShouldBe(["low", "best", "high"]);
        lines[0]["repair"]!.GetValue<string>().ShouldStartWith("counted as low 2, best 2, high 2");
        // A row's warnings in the order it gave them: the estimates first, then the deaths' sum.
        lines[1]["reason"]!.GetValue<string>().ShouldStartWith("low/best/high: 3 ≤ 2 ≤ 4 does not hold");
        lines[2]["reason"]!.GetValue<string>().ShouldContain("the deaths add up to 7, more than best (2)");
        var answered = report["warnings"]!.AsArray();
        answered.Count.ShouldBe(3);
        for (var i = 0; i < lines.Count; i++)
        {
            lines[i].ToJsonString().ShouldBe(answered[i]!.ToJsonString());
        }

        // The rejection kept apart, as before.
        (await DownloadAsync(report["rejectionReport"]!.GetValue<string>())).Lines.Select(Line).ShouldBe([5L]);
    }

    [Fact]
    public async Task the_answer_holds_the_first_100_warnings_and_the_count_while_the_report_keeps_every_one()
    {
        var rows = Enumerable.Range(0, 250).Select(i => HighBelowBest($"6{i:000}")).ToArray();

        var report = await Host.ImportedAsync(GedFile.Of(rows));

        report["imported"]!.GetValue<long>().ShouldBe(250);
        report["warningCount"]!.GetValue<long>().ShouldBe(250);
        var answered = report["warnings"]!.AsArray();
        answered.Count.ShouldBe(UcdpGedImporter.WarningsAnswered);
        answered.Select(w => Line(w!.AsObject())).ShouldBe(Enumerable.Range(2, 100).Select(l => (long)l));

        var (response, lines) = await DownloadAsync(report["warningReport"]!.GetValue<string>());
        response.Dispose();
        lines.Count.ShouldBe(250);
        lines.Select(Line).ShouldBe(Enumerable.Range(2, 250).Select(l => (long)l));
        lines[249]["ucdpId"]!.GetValue<string>().ShouldBe("6249");
        for (var i = 0; i < answered.Count; i++)
        {
            lines[i].ToJsonString().ShouldBe(answered[i]!.ToJsonString());
        }
    }

    [Fact]
    public async Task a_page_holds_limit_rows_after_a_line_never_splits_a_row_and_names_its_last_line()
    {
        // Lines 2..7: warnings at 2, 3 (two), 5, 6 (two); line 4 is consistent, line 7 refused.
        var report = await Host.ImportedAsync(GedFile.Of(
            HighBelowBest("611"), TwoWarnings("612"), GedFile.Row("613"), HighBelowBest("614"), TwoWarnings("615"), GedFile.Row("616", ("latitude", "NaN"))));
        var link = report["warningReport"]!.GetValue<string>();
        report["warningCount"]!.GetValue<long>().ShouldBe(6);

        var pages = new List<List<long>>();
        var after = 0L;
        while (true)
        {
            var (response, lines) = await DownloadAsync($"{link}?limit=2&after={after}");
            using (response)
            {
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                if (lines.Count == 0)
                {
                    response.Headers.Contains("X-Next-After").ShouldBeFalse();
                    break;
                }

                after = long.Parse(response.Headers.GetValues("X-Next-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
            }

            pages.Add([.. lines.Select(Line)]);
            after.ShouldBe(pages[^1][^1]);
        }

        pages.ShouldBe([[2L, 3L, 3L], [5L, 6L, 6L]]);
        pages.SelectMany(p => p).Count().ShouldBe(6, "the pages together hold every warning the answer counts");

        // The rejections page the same way.
        var rejections = report["rejectionReport"]!.GetValue<string>();
        var (first, firstLines) = await DownloadAsync($"{rejections}?limit=1");
        using (first)
        {
            firstLines.Select(Line).ShouldBe([7L]);
            first.Headers.GetValues("X-Next-After").Single().ShouldBe("7");
        }

        (await DownloadAsync($"{rejections}?limit=1&after=7")).Lines.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=10001", "limit")]
    [InlineData("after=-1", "after")]
    public async Task a_bad_page_is_400_naming_the_parameter(string query, string field)
    {
        var report = await Host.ImportedAsync(GedFile.Of(HighBelowBest("621")));

        foreach (var link in new[] { report["warningReport"]!.GetValue<string>(), report["rejectionReport"]!.GetValue<string>() })
        {
            var problem = await Ledger.RefusedAsync(HttpMethod.Get, $"{link}?{query}", null, HttpStatusCode.BadRequest, query);
            problem["errors"]![field].ShouldNotBeNull();
        }
    }

    [Fact]
    public async Task the_warnings_are_kept_as_long_as_the_rejections_then_404_and_deleted()
    {
        (await DownloadAsync($"/api/imports/{Guid.NewGuid()}/warnings")).Response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var report = await Host.ImportedAsync(GedFile.Of(HighBelowBest("631")));
        var id = report["id"]!.GetValue<Guid>();
        var link = report["warningReport"]!.GetValue<string>();
        (await DownloadAsync(link)).Lines.Count.ShouldBe(1);

        Ledger.Clock.Set(DateTimeOffset.UtcNow.AddDays(7).AddMinutes(1));
        var (gone, _) = await DownloadAsync(link);
        using (gone)
        {
            gone.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await gone.JsonAsync())["detail"]!.GetValue<string>().ShouldContain("warnings of import");
        }

        await Host.Services.GetRequiredService<ImportLog>().DeleteExpiredAsync(Ledger.Clock.GetUtcNow(), CancellationToken.None);
        (await Ledger.ScalarAsync($"select count(*) from {LedgerFixture.Schema}.{ImportLog.WarningsTable} where import_id = '{id}'")).ShouldBe(0L);
    }

    [Fact]
    public async Task columns_the_import_does_not_know_are_read_past_and_the_warnings_still_kept()
    {
        // GED files carry more columns than the import reads (41 in GED 25.1), and exports may add their own.
        var header = string.Join(',', ["ledger_id", .. GedFile.Header, "adm_1", "conflict_name"]);
        var csv = string.Join('\n', header, $"a-1,{HighBelowBest("641")},Idlib,\"Syria: Government\"", $"a-2,{GedFile.Row("642")},Idlib,x") + "\n";

        var report = await Host.ImportedAsync(csv);

        report["imported"]!.GetValue<long>().ShouldBe(2, report.ToJsonString());
        report["rejectedCount"]!.GetValue<long>().ShouldBe(0);
        (await DownloadAsync(report["warningReport"]!.GetValue<string>())).Lines.Select(Line).ShouldBe([2L]);
    }
}
