using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Importing;

/// <summary>An import takes a file only with the GED header, and a row only if every cell reads as what it says.</summary>
public sealed class importing_strictly(LedgerFixture ledger) : LedgerTest(ledger)
{
    private Task<JsonObject> RefusedAsync(string csv, string @case) =>
        Ledger.RefusedAsync(HttpMethod.Post, "/api/imports/ucdp-ged", csv, HttpStatusCode.BadRequest, @case, "text/csv");

    // Strictly: estimates that disagree are refused too, as before anomalies were repaired.
    private Task<JsonObject> ImportAsync(string csv) => Host.ImportedAsync(csv, "?anomalies=reject");

    private static string[] ErrorKeys(JsonObject problem) => [.. problem["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task a_file_without_the_ged_header_is_400_naming_every_missing_column_and_a_repeated_one()
    {
        var problem = await RefusedAsync("a,a\n1,2\n", "two columns named a");

        ErrorKeys(problem).ShouldBe([.. GedFile.Header.Append("header").Order(StringComparer.Ordinal)], problem.ToJsonString());
        problem["errors"]!["latitude"]![0]!.GetValue<string>().ShouldContain("no column 'latitude'");
        problem["errors"]!["header"]![0]!.GetValue<string>().ShouldContain("'a' is named 2 times");
    }

    [Fact]
    public async Task a_ged_header_without_low_and_deaths_a_is_400_naming_those_two()
    {
        var header = GedFile.Header.Where(c => c is not ("low" or "deaths_a")).ToArray();
        var csv = string.Join(',', header) + "\n" + string.Join(',', header.Select(c => c == "id" ? "7" : "1")) + "\n";

        var problem = await RefusedAsync(csv, "no low, no deaths_a");

        ErrorKeys(problem).ShouldBe(["deaths_a", "low"]);
        problem["detail"]!.GetValue<string>().ShouldContain("deaths_a, low");
    }

    [Fact]
    public async Task an_empty_file_is_400()
    {
        var problem = await RefusedAsync("", "empty body");

        ErrorKeys(problem).ShouldContain("header");
    }

    [Fact]
    public async Task cells_that_do_not_read_or_are_negative_are_refused_with_their_line_and_column_and_never_coerced()
    {
        var csv = GedFile.Of(
            GedFile.Row("701", ("type_of_violence", "x")),                          // line 2: not 1, 2 or 3 (was taken as a battle)
            GedFile.Row("702", ("deaths_a", "-3")),                                 // line 3: a negative count (was dropped)
            GedFile.Row("703", ("low", "-1")),                                      // line 4: a negative low (was taken as 0)
            GedFile.Row("704", ("best", "")),                                       // line 5: a missing count (was taken as 0)
            GedFile.Row("705", ("deaths_b", "NA")),                                 // line 6: NA is no count
            GedFile.Row("706", ("latitude", "NaN")),                                // line 7: not a finite number
            GedFile.Row("707", ("source_date", "yesterday")),                       // line 8: not a date (was dropped)
            GedFile.Row("708") + ",extra",                                          // line 9: 22 cells under 21 columns
            GedFile.Row("709", ("date_start", "2019-09-03"), ("date_end", "2019-09-01")), // line 10: ends before it starts
            GedFile.Row("710", ("deaths_civilians", "5")),                          // line 11: the deaths add up to 7, best is 2
            GedFile.Row("711", ("deaths_unknown", "1.5")),                          // line 12: not a whole number
            GedFile.Row("712"));                                                    // line 13: good

        var report = await ImportAsync(csv);

        report["imported"]!.GetValue<long>().ShouldBe(1, report.ToJsonString());
        report["rejectedCount"]!.GetValue<long>().ShouldBe(11);
        var rejected = report["rejected"]!.AsArray().ToDictionary(r => r!["line"]!.GetValue<long>(), r => r!.AsObject());
        rejected.Keys.ShouldBe([2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L]);
        string[] Columns(long line) => [.. rejected[line]["columns"]!.AsArray().Select(c => c!.GetValue<string>())];
        string Reasons(long line) => string.Join("; ", rejected[line]["reasons"]!.AsArray().Select(r => r!.GetValue<string>()));
        Columns(2).ShouldBe(["type_of_violence"]);
        Reasons(2).ShouldContain("type_of_violence: 'x' is not a UCDP type of violence (1, 2 or 3)");
        Columns(3).ShouldBe(["deaths_a"]);
        Reasons(3).ShouldContain("deaths_a: -3 is negative");
        Columns(4).ShouldBe(["low"]);
        Reasons(4).ShouldContain("low: -1 is negative");
        Columns(5).ShouldBe(["best"]);
        Reasons(5).ShouldContain("best: '' is not a whole number");
        Columns(6).ShouldBe(["deaths_b"]);
        Columns(7).ShouldBe(["latitude"]);
        Columns(8).ShouldBe(["source_date"]);
        Reasons(9).ShouldContain("22 cells");
        Columns(10).ShouldBe(["date_start", "date_end"], ignoreOrder: true);
        Columns(11).ShouldContain("best");
        Columns(12).ShouldBe(["deaths_unknown"]);
        rejected.Values.ShouldAllBe(r => r["ucdpId"]!.GetValue<string>().StartsWith('7'));
        (await Ledger.EventCountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task a_row_that_breaks_a_report_rule_names_the_columns_it_came_from()
    {
        // Cells that read, facts the ledger refuses: a latitude past the pole, an attack next year.
        var report = await ImportAsync(GedFile.Of(
            GedFile.Row("721", ("latitude", "95")),
            GedFile.Row("722", ("date_start", "2099-01-01"), ("date_end", "2099-01-01"), ("source_date", ""))));

        var rejected = report["rejected"]!.AsArray().ToDictionary(r => r!["line"]!.GetValue<long>(), r => r!["columns"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray());
        rejected[2].ShouldBe(["latitude"], report.ToJsonString());
        rejected[3].ShouldBe(["date_start", "date_end"], ignoreOrder: true, report.ToJsonString());
    }
}
