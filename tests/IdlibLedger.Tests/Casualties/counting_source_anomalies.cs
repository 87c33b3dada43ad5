using System.Text.Json.Nodes;
using IdlibLedger.Importing;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Importing;
using Shouldly;

namespace IdlibLedger.Tests.Casualties;

/// <summary>
/// Totals say how many anomalous reports they include (<c>anomalousReports</c>), overall and per group, whichever way
/// they are read (the cells or a scan of the versions), and follow corrections and retractions in transaction time.
/// </summary>
public sealed class counting_source_anomalies(LedgerFixture ledger) : LedgerTest(ledger)
{
    // One row per anomaly kind (the valid row has deaths_b 2 and low = best = high = 2), then two consistent ones.
    internal static readonly string Csv = GedFile.Of(
        GedFile.Row("801", ("low", "7"), ("best", "7"), ("high", "6"), ("deaths_b", "7")),    // high below best → 7/7/7
        GedFile.Row("802", ("low", "3"), ("high", "4")),                                      // best below low → 2/2/4
        GedFile.Row("803", ("deaths_civilians", "5"), ("low", "1"), ("high", "3")),           // deaths add up to 7 > best 2 → 1/7/7
        GedFile.Row("804", ("low", "1"), ("best", "4"), ("high", "6")),                       // deaths add up to 2 < best 4 → 1/4/6
        GedFile.Row("805", ("side_a", "Hayat Tahrir al-Sham"), ("side_b", "Government of Syria")),   // consistent, 2/2/2
        GedFile.Row("806", ("date_start", "2019-10-05"), ("date_end", "2019-10-05")));        // consistent, 2/2/2, in October

    private static readonly DateTimeOffset Imported = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, (long Attacks, long Anomalous)> Groups(JsonObject totals) =>
        totals["groups"]!.AsArray().ToDictionary(g => g!["key"]!.GetValue<string>(), g => (g!["attacks"]!.GetValue<long>(), g["anomalousReports"]!.GetValue<long>()));

    private async Task ImportAsync()
    {
        Ledger.Clock.Set(Imported);
        var report = await Host.ImportedAsync(Csv);
        report["imported"]!.GetValue<long>().ShouldBe(6, report.ToJsonString());
        report["warningCount"]!.GetValue<long>().ShouldBe(4);
    }

    [Theory]
    [InlineData("")]                               // from the cells
    [InlineData("&from=2019-01-01&to=2019-12-31")] // a scan of the versions (the cells carry no occurrence range)
    public async Task each_anomaly_kind_counts_once_overall_and_in_every_group_with_totals_following_the_repair_rule(string scan)
    {
        await ImportAsync();

        var totals = await Host.GetJsonAsync($"/api/casualties/totals?x=1{scan}");
        totals["attacks"]!.GetValue<long>().ShouldBe(6);
        totals["anomalousReports"]!.GetValue<long>().ShouldBe(4, totals.ToJsonString());
        // 7/7/7 + 2/2/4 + 1/7/7 + 1/4/6 + 2/2/2 + 2/2/2
        totals["killed"]!.Estimate().ShouldBe((15, 24, 28));

        var byPerpetrator = await Host.GetJsonAsync($"/api/casualties/totals?groupBy=perpetrator{scan}");
        Groups(byPerpetrator).ShouldBe(new Dictionary<string, (long, long)> { ["Government of Syria"] = (5, 4), ["Hayat Tahrir al-Sham"] = (1, 0) });
        byPerpetrator["anomalousReports"]!.GetValue<long>().ShouldBe(4);

        // By category one attack falls in several groups; the overall count still counts it once.
        var byCategory = await Host.GetJsonAsync($"/api/casualties/totals?groupBy=category{scan}");
        Groups(byCategory).ShouldBe(new Dictionary<string, (long, long)> { ["military"] = (6, 4), ["civilian"] = (1, 1), ["unknown"] = (1, 1) });
        byCategory["anomalousReports"]!.GetValue<long>().ShouldBe(4);

        var byMonth = await Host.GetJsonAsync($"/api/casualties/totals?groupBy=month{scan}");
        Groups(byMonth).ShouldBe(new Dictionary<string, (long, long)> { ["2019-09"] = (5, 4), ["2019-10"] = (1, 0) });
    }

    [Fact]
    public async Task an_admin_unit_grouping_counts_them_too()
    {
        await ImportAsync();

        var byDistrict = await Host.GetJsonAsync("/api/casualties/totals?groupBy=district");

        byDistrict["anomalousReports"]!.GetValue<long>().ShouldBe(4);
        byDistrict["groups"]!.AsArray().Sum(g => g!["anomalousReports"]!.GetValue<long>()).ShouldBe(4);
    }

    [Fact]
    public async Task a_correction_of_the_casualties_ends_the_count_from_then_on_and_a_retraction_leaves_it_out_while_earlier_as_of_keeps_them()
    {
        await ImportAsync();
        var corrected = UcdpGedMapping.StreamId("801");
        var retracted = UcdpGedMapping.StreamId("802");

        Ledger.Clock.Set(Imported.AddDays(31));
        await Host.CorrectedAsync(corrected, new JsonObject
        {
            ["expectedVersion"] = 1, ["reason"] = "the desk counted 6 killed",
            ["casualties"] = Given.Killed("military", "Syrian insurgents", 6, 6, 6),
        });
        // A correction of another field keeps the repaired figures, so the report still counts as anomalous.
        await Host.CorrectedAsync(UcdpGedMapping.StreamId("803"), new JsonObject { ["expectedVersion"] = 1, ["reason"] = "headline", ["description"] = "Clashes near Tah, civilians killed" });
        Ledger.Clock.Set(Imported.AddDays(60));
        using (var retraction = await Host.PostJsonAsync($"/api/attacks/{retracted}/retraction", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "a duplicate" }))
        {
            retraction.EnsureSuccessStatusCode();
        }

        foreach (var scan in new[] { string.Empty, "&from=2019-01-01" })
        {
            (await Host.GetJsonAsync($"/api/casualties/totals?asOf=2023-12-31{scan}"))["anomalousReports"]!.GetValue<long>().ShouldBe(0, scan);
            (await Host.GetJsonAsync($"/api/casualties/totals?asOf=2024-01-15{scan}"))["anomalousReports"]!.GetValue<long>().ShouldBe(4, scan);
            var afterCorrection = await Host.GetJsonAsync($"/api/casualties/totals?asOf=2024-02-15{scan}");
            afterCorrection["anomalousReports"]!.GetValue<long>().ShouldBe(3, scan);
            afterCorrection["killed"]!.Estimate().ShouldBe((14, 23, 27), scan);
            var now = await Host.GetJsonAsync($"/api/casualties/totals?groupBy=perpetrator{scan}");
            now["anomalousReports"]!.GetValue<long>().ShouldBe(2, scan);
            Groups(now)["Government of Syria"].ShouldBe((4, 2), scan);
        }

        // The provenance stays as imported: what the source said does not change with a correction.
        var details = await Host.GetJsonAsync($"/api/attacks/{corrected}");
        details["report"]!["facts"]!["provenance"]!["anomaly"]!["high"]!.GetValue<int>().ShouldBe(6);
    }
}
