using System.Net;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Importing;

/// <summary>Rows whose own estimates disagree are imported with the one repair rule and flagged by line, or refused with anomalies=reject.</summary>
public sealed class importing_source_anomalies(LedgerFixture ledger) : LedgerTest(ledger)
{
    // One row per anomaly kind (the valid row has deaths_b 2 and low = best = high = 2), then a consistent one.
    private static readonly string Csv = GedFile.Of(
        GedFile.Row("801", ("low", "7"), ("best", "7"), ("high", "6"), ("deaths_b", "7")),    // line 2: high below best → 7/7/7
        GedFile.Row("802", ("low", "3"), ("high", "4")),                                      // line 3: low above best → 2/2/4
        GedFile.Row("803", ("deaths_civilians", "5"), ("low", "1"), ("high", "3")),           // line 4: deaths add up to 7 > best 2 → 1/7/7
        GedFile.Row("804", ("low", "1"), ("best", "4"), ("high", "6")),                       // line 5: deaths add up to 2 < best 4 → 1/4/6
        GedFile.Row("805"));                                                                  // line 6: consistent, 2/2/2

    [Fact]
    public async Task by_default_each_anomalous_row_is_imported_flagged_by_line_and_counted_by_the_repair_rule()
    {
        var report = await Host.ImportedAsync(Csv);

        report["imported"]!.GetValue<long>().ShouldBe(5, report.ToJsonString());
        report["rejectedCount"]!.GetValue<long>().ShouldBe(0);
        report["warningCount"]!.GetValue<long>().ShouldBe(4);
        var warnings = report["warnings"]!.AsArray().Select(w => w!.AsObject()).ToList();
        warnings.Select(w => (w["line"]!.GetValue<long>(), w["ucdpId"]!.GetValue<string>())).ShouldBe([(2L, "801"), (3L, "802"), (4L, "803"), (5L, "804")]);
        warnings[0]["columns"]!.AsArray().Select(c => c!.GetValue<string>()).ShouldBe(["low", "best", "high"]);
        warnings[0]["repair"]!.GetValue<string>().ShouldStartWith("counted as low 7, best 7, high 7");
        warnings[2]["columns"]!.AsArray().Select(c => c!.GetValue<string>()).ShouldContain("deaths_civilians");
        warnings[2]["reason"]!.GetValue<string>().ShouldContain("the deaths add up to 7, more than best (2)");

        var totals = await Host.GetJsonAsync("/api/casualties/totals");
        totals["attacks"]!.GetValue<long>().ShouldBe(5);
        // 7/7/7 + 2/2/4 + 1/7/7 + 1/4/6 + 2/2/2
        totals["killed"]!.Estimate().ShouldBe((13, 22, 26));
    }

    [Fact]
    public async Task with_anomalies_reject_the_rows_are_refused_by_line_as_before()
    {
        var report = await Host.ImportedAsync(Csv, "?anomalies=reject");

        report["imported"]!.GetValue<long>().ShouldBe(2, report.ToJsonString());
        report["rejected"]!.AsArray().Select(r => r!["line"]!.GetValue<long>()).ShouldBe([2L, 3L, 4L]);
        // Best above the deaths' sum was always imported (the unknown category takes the difference): flagged, not refused.
        report["warnings"]!.AsArray().Select(w => w!["line"]!.GetValue<long>()).ShouldBe([5L]);
        (await Host.GetJsonAsync("/api/casualties/totals"))["killed"]!.Estimate().ShouldBe((3, 6, 8));
    }

    [Fact]
    public async Task an_anomalies_value_other_than_reject_or_repair_is_400_naming_it()
    {
        var problem = await Ledger.RefusedAsync(HttpMethod.Post, "/api/imports/ucdp-ged?anomalies=ignore", Csv, HttpStatusCode.BadRequest, "anomalies=ignore", "text/csv");

        problem["errors"]!["anomalies"]![0]!.GetValue<string>().ShouldContain("reject or repair");
    }
}
