using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Importing;
using IdlibLedger.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace IdlibLedger.Tests.Importing;

/// <summary>An import answers with its counts and the first rejections; every rejection is a download, kept for a week.</summary>
public sealed class the_rejection_report(LedgerFixture ledger) : LedgerTest(ledger)
{
    private Task<JsonObject> ImportAsync(string csv) => Host.ImportedAsync(csv);

    private async Task<(HttpResponseMessage Response, List<JsonObject> Lines)> DownloadAsync(string link)
    {
        using var client = Host.Client();
        var response = await client.GetAsync(link);
        var text = await response.Content.ReadAsStringAsync();
        return (response, response.IsSuccessStatusCode ? [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject())] : []);
    }

    [Fact]
    public async Task an_import_answers_its_counts_and_the_first_100_rejections_and_links_every_one_as_ndjson()
    {
        var rows = Enumerable.Range(0, 250).Select(i => GedFile.Row($"9{i:000}", ("low", "-1"))).Append(GedFile.Row("9999")).ToArray();

        var report = await ImportAsync(GedFile.Of(rows));

        report["rows"]!.GetValue<long>().ShouldBe(251);
        report["imported"]!.GetValue<long>().ShouldBe(1);
        report["rejectedCount"]!.GetValue<long>().ShouldBe(250);
        var shown = report["rejected"]!.AsArray();
        shown.Count.ShouldBe(UcdpGedImporter.RejectionsAnswered);
        shown.Select(r => r!["line"]!.GetValue<long>()).ShouldBe(Enumerable.Range(2, 100).Select(l => (long)l));
        var id = report["id"]!.GetValue<Guid>();
        var link = report["rejectionReport"]!.GetValue<string>();
        link.ShouldBe($"/api/imports/{id}/rejections");
        report["rejectionReportKeptUntil"]!.GetValue<DateTimeOffset>().ShouldBe(DateTimeOffset.UtcNow.AddDays(7), TimeSpan.FromMinutes(5));

        var (response, lines) = await DownloadAsync(link);
        using (response)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-ndjson");
        }

        lines.Count.ShouldBe(250);
        lines.Select(l => l["line"]!.GetValue<long>()).ShouldBe(Enumerable.Range(2, 250).Select(l => (long)l));
        lines[249]["ucdpId"]!.GetValue<string>().ShouldBe("9249");
        lines.ShouldAllBe(l => l["columns"]!.AsArray().Single()!.GetValue<string>() == "low");
        lines.ShouldAllBe(l => l["reasons"]!.AsArray().Single()!.GetValue<string>().StartsWith("low: -1 is negative", StringComparison.Ordinal));
        for (var i = 0; i < shown.Count; i++)
        {
            lines[i].ToJsonString().ShouldBe(shown[i]!.ToJsonString());
        }
    }

    [Fact]
    public async Task the_rejections_are_kept_for_7_days_then_answered_404_and_deleted()
    {
        var report = await ImportAsync(GedFile.Of(GedFile.Row("931", ("high", "-2"))));
        var link = report["rejectionReport"]!.GetValue<string>();
        var id = report["id"]!.GetValue<Guid>();
        (await DownloadAsync(link)).Lines.Count.ShouldBe(1);

        Ledger.Clock.Set(DateTimeOffset.UtcNow.AddDays(7).AddMinutes(1));
        var (gone, _) = await DownloadAsync(link);
        using (gone)
        {
            gone.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await gone.JsonAsync())["detail"]!.GetValue<string>().ShouldContain("kept for 7 days");
        }

        // The hourly sweep deletes what expired; a report still within its week stays.
        var deleted = await Host.Services.GetRequiredService<ImportLog>().DeleteExpiredAsync(Ledger.Clock.GetUtcNow(), CancellationToken.None);
        deleted.ShouldBeGreaterThanOrEqualTo(1);
        (await Ledger.ScalarAsync($"select count(*) from {LedgerFixture.Schema}.{ImportLog.RejectionsTable} where import_id = '{id}'")).ShouldBe(0L);
        (await Ledger.ScalarAsync($"select count(*) from {LedgerFixture.Schema}.{ImportLog.ImportsTable} where id = '{id}'")).ShouldBe(0L);
    }

    [Fact]
    public async Task an_import_the_ledger_does_not_know_is_404()
    {
        var (response, _) = await DownloadAsync($"/api/imports/{Guid.NewGuid()}/rejections");
        using (response)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }
    }

    [Fact]
    public async Task the_command_line_import_keeps_its_rejections_in_the_same_report()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var importer = scope.ServiceProvider.GetRequiredService<UcdpGedImporter>();
        using var csv = new StringReader(GedFile.Of(GedFile.Row("941", ("deaths_b", "-1")), GedFile.Row("942")));
        using var file = await UcdpGedFile.OpenAsync(csv, CancellationToken.None);
        file.Problems.ShouldBeEmpty();

        var report = await importer.ImportAsync(file, "ucdp-ged-import", SourceAnomalies.Repair, null, CancellationToken.None);

        report.Imported.ShouldBe(1);
        var (response, lines) = await DownloadAsync(report.RejectionReport);
        using (response)
        {
            lines.Single()["line"]!.GetValue<long>().ShouldBe(2);
        }

        report.RejectionReportKeptUntil.ShouldBe(Ledger.Clock.GetUtcNow().AddDays(7), TimeSpan.FromMinutes(1));
    }
}
