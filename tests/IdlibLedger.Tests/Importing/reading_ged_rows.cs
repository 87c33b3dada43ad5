using System.Globalization;
using IdlibLedger.Attacks;
using IdlibLedger.Attacks.Reporting;
using IdlibLedger.Common;
using IdlibLedger.Importing;
using Shouldly;

namespace IdlibLedger.Tests.Importing;

/// <summary>The mapping of a GED header and a GED row, without a database: a cell reads as what it says or the row is refused.</summary>
public sealed class reading_ged_rows
{
    private static (ReportAttack? Report, List<RowProblem> Problems) Read(params (string Column, string Cell)[] changes)
    {
        var (report, problems, _) = Reading(SourceAnomalies.Reject, changes);
        return (report, problems);
    }

    private static (ReportAttack? Report, List<RowProblem> Problems, List<RowAnomaly> Anomalies) Reading(SourceAnomalies anomalies, params (string Column, string Cell)[] changes)
    {
        var cells = GedFile.Cells(changes);
        return UcdpGedMapping.ToReport(column => cells.GetValueOrDefault(column, string.Empty), "ged-desk", anomalies);
    }

    [Theory]
    [InlineData("type_of_violence", "x", "type_of_violence: 'x' is not a UCDP type of violence (1, 2 or 3)")]
    [InlineData("type_of_violence", "4", "type_of_violence: '4' is not a UCDP type of violence (1, 2 or 3)")]
    [InlineData("deaths_a", "-3", "deaths_a: -3 is negative")]
    [InlineData("deaths_civilians", "", "deaths_civilians: '' is not a whole number")]
    [InlineData("deaths_unknown", "NA", "deaths_unknown: 'NA' is not a whole number")]
    [InlineData("low", "-1", "low: -1 is negative")]
    [InlineData("best", "two", "best: 'two' is not a whole number")]
    [InlineData("high", "2.0", "high: '2.0' is not a whole number")]
    [InlineData("latitude", "NaN", "latitude: 'NaN' is not a finite number")]
    [InlineData("longitude", "-Infinity", "longitude: '-Infinity' is not a finite number")]
    [InlineData("where_prec", "0", "where_prec: '0' is not a UCDP location precision (1..7)")]
    [InlineData("date_prec", "6", "date_prec: '6' is not a UCDP date precision (1..5)")]
    [InlineData("date_start", "2019-13-45", "date_start: '2019-13-45' is not a date (yyyy-MM-dd)")]
    [InlineData("date_end", "9999-12-31", "date_end: '9999-12-31' is past the last date the ledger can hold")]
    [InlineData("source_date", "2019-09-01;soon", "source_date: '2019-09-01;soon' is not a date (yyyy-MM-dd, several separated by ;)")]
    [InlineData("id", " ", "id: the row has no id")]
    public void a_cell_that_does_not_read_refuses_the_row_naming_its_column(string column, string cell, string reason)
    {
        var (report, problems) = Read((column, cell));

        report.ShouldBeNull();
        problems.Single().Columns.ShouldBe([column]);
        problems.Single().Reason.ShouldStartWith(reason);
    }

    [Fact]
    public void low_above_best_names_the_three_estimates_and_deaths_above_best_name_the_counts()
    {
        Read(("low", "3")).Problems.Single().Columns.ShouldBe(["low", "best", "high"]);
        Read(("deaths_civilians", "5")).Problems.Single().Columns.ShouldBe(["deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best"]);
        Read(("date_start", "2019-09-03")).Problems.Single().Columns.ShouldBe(["date_start", "date_end"]);
    }

    // The valid row: deaths_b 2, low 2, best 2, high 2.
    [Theory]
    [InlineData("high below best", "low=2 best=2 high=1", "low/best/high: 2 ≤ 2 ≤ 1 does not hold", 2, 2, 2)]
    [InlineData("low above best", "low=3 best=2 high=4", "low/best/high: 3 ≤ 2 ≤ 4 does not hold", 2, 2, 4)]
    [InlineData("deaths above best", "deaths_civilians=5 low=1 best=2 high=3", "deaths_a/deaths_b/deaths_civilians/deaths_unknown/best: the deaths add up to 7, more than best (2)", 1, 7, 7)]
    [InlineData("deaths below best", "low=1 best=4 high=6", "deaths_a/deaths_b/deaths_civilians/deaths_unknown/best: the deaths add up to 2, less than best (4)", 1, 4, 6)]
    public void an_anomaly_is_repaired_by_the_one_rule_and_flagged_with_its_columns(string kind, string cells, string reason, int low, int best, int high)
    {
        var changes = cells.Split(' ').Select(c => c.Split('=')).Select(c => (c[0], c[1])).ToArray();

        var (report, problems, anomalies) = Reading(SourceAnomalies.Repair, changes);

        problems.ShouldBeEmpty(kind);
        anomalies.Single().Reason.ShouldBe(reason, kind);
        anomalies.Single().Repair.ShouldStartWith($"counted as low {low}, best {best}, high {high}", Case.Sensitive, kind);
        var killed = report!.Casualties!.Select(c => c.KilledOrNone).ToList();
        (killed.Sum(k => k.Low), killed.Sum(k => k.Best), killed.Sum(k => k.High)).ShouldBe((low, best, high), kind);
        killed.ShouldAllBe(k => k.Low <= k.Best && k.Best <= k.High, kind);
    }

    [Fact]
    public void a_repaired_row_keeps_the_source_figures_as_given_and_the_rule_in_its_provenance_and_a_consistent_one_has_no_anomaly()
    {
        var (repaired, _, warnings) = Reading(SourceAnomalies.Repair, ("low", "7"), ("best", "7"), ("high", "6"), ("deaths_b", "7"));

        repaired!.Description.ShouldBe("Clashes near Tah");
        var anomaly = repaired.ToFacts().Provenance!.Anomaly!;
        (anomaly.Low, anomaly.Best, anomaly.High).ShouldBe((7, 7, 6));
        (anomaly.DeathsA, anomaly.DeathsB, anomaly.DeathsCivilians, anomaly.DeathsUnknown).ShouldBe((0, 7, 0, 0));
        anomaly.Counted.ShouldBe(new Estimate(7, 7, 7));
        anomaly.Reasons.ShouldBe(warnings.Select(w => w.Reason));
        anomaly.Rule.ShouldBe("best = max(best, deaths' sum), low = min(low, best), high = max(high, best)");

        Reading(SourceAnomalies.Repair).Report!.ToFacts().Provenance!.Anomaly.ShouldBeNull();
        // Best above the deaths' sum changes no estimate but is an anomaly: the unknown category takes the difference.
        var above = Reading(SourceAnomalies.Repair, ("best", "3"), ("high", "3")).Report!.ToFacts().Provenance!.Anomaly!;
        (above.Counted, above.Rule).ShouldBe((new Estimate(2, 3, 3), "best = max(best, deaths' sum), low = min(low, best), high = max(high, best); the unknown category takes the difference"));
    }

    [Fact]
    public void a_row_keeps_its_ucdp_id_and_every_ged_column_the_report_does_not_model_as_given()
    {
        var ged = UcdpGedMapping.GedColumns.Select((c, i) => (c.Column, Cell: $"v{i}")).ToArray();

        var provenance = Reading(SourceAnomalies.Repair, [("id", "307096"), .. ged.Where(c => !GedFile.Header.Contains(c.Column))]).Report!.ToFacts().Provenance!;

        (provenance.Dataset, provenance.UcdpId).ShouldBe(("ucdp-ged", "307096"));
        foreach (var (column, kept) in UcdpGedMapping.GedColumns)
        {
            var expected = GedFile.Header.Contains(column) ? GedFile.Cells()[column] : ged.Single(c => c.Column == column).Cell;
            kept(provenance.Ged).ShouldBe(expected, column);
        }
    }

    [Fact]
    public void columns_absent_from_the_file_or_empty_are_not_kept()
    {
        var ged = Reading(SourceAnomalies.Repair, ("adm_1", "  ")).Report!.ToFacts().Provenance!.Ged;

        ged.Adm1.ShouldBeNull();
        ged.Country.ShouldBeNull();
        ged.DyadName.ShouldBe("Government of Syria - Syrian insurgents");
    }

    [Theory]
    [InlineData("'=HYPERLINK(\"x\")", "=HYPERLINK(\"x\")")]
    [InlineData("'+1", "+1")]
    [InlineData("'-2", "-2")]
    [InlineData("'@SUM(A1)", "@SUM(A1)")]
    [InlineData("'\tx", "\tx")]
    [InlineData("'x", "'x")]
    [InlineData("'", "'")]
    [InlineData("O'Brien", "O'Brien")]
    public void a_cell_the_export_escaped_as_a_formula_reads_without_its_apostrophe(string written, string read) =>
        UcdpGedFile.Unescaped(written).ShouldBe(read);

    [Fact]
    public void with_reject_the_anomalies_refuse_the_row_as_before_but_best_above_the_deaths_sum_still_imports_flagged()
    {
        Reading(SourceAnomalies.Reject, ("high", "1")).Report.ShouldBeNull();
        Reading(SourceAnomalies.Reject, ("deaths_civilians", "5")).Problems.Single().Columns.ShouldContain("best");
        var (report, problems, anomalies) = Reading(SourceAnomalies.Reject, ("best", "3"), ("high", "3"));
        report.ShouldNotBeNull();
        problems.ShouldBeEmpty();
        anomalies.Single().Columns.ShouldBe(["deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best"]);
    }

    [Fact]
    public void a_long_cell_is_shortened_in_the_reason()
    {
        var problem = Read(("best", new string('9', 5000))).Problems.Single();

        problem.Reason.Length.ShouldBeLessThan(120);
        problem.Reason.ShouldContain("…");
    }

    [Fact]
    public void every_problem_of_a_row_is_named_not_only_the_first()
    {
        var (_, problems) = Read(("type_of_violence", "x"), ("deaths_a", "-1"), ("latitude", ""));

        problems.SelectMany(p => p.Columns).ShouldBe(["type_of_violence", "deaths_a", "latitude"], ignoreOrder: true);
    }

    [Fact]
    public void a_good_row_is_the_report_the_mapping_says()
    {
        var (battle, none) = Read();
        none.ShouldBeEmpty();
        battle!.EventType.ShouldBe(EventType.Battles);
        battle.Casualties!.Single().Party.ShouldBe("Syrian insurgents");

        var (oneSided, _) = Read(("type_of_violence", "3"));
        oneSided!.EventType.ShouldBe(EventType.ViolenceAgainstCivilians);
        oneSided.Casualties!.Single().Category.ShouldBe(CasualtyCategory.Civilian);

        var (nonState, _) = Read(("type_of_violence", "2"));
        nonState!.EventType.ShouldBe(EventType.Battles);
    }

    [Fact]
    public void the_estimates_are_spread_so_that_each_category_keeps_low_best_high_in_order_and_the_sums_are_the_rows()
    {
        var random = new Random(14);
        for (var i = 0; i < 2000; i++)
        {
            var deaths = Enumerable.Range(0, 4).Select(_ => random.Next(4) == 0 ? 0 : random.Next(40)).ToArray();
            var best = deaths.Sum() + (random.Next(3) == 0 ? random.Next(10) : 0);
            var (low, high) = (random.Next(best + 1), best + (random.Next(2) == 0 ? 0 : random.Next(60)));
            string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
            var (report, problems) = Read(
                ("type_of_violence", Text(random.Next(1, 4))), ("deaths_a", Text(deaths[0])), ("deaths_b", Text(deaths[1])),
                ("deaths_civilians", Text(deaths[2])), ("deaths_unknown", Text(deaths[3])), ("low", Text(low)), ("best", Text(best)), ("high", Text(high)));

            problems.ShouldBeEmpty();
            var killed = report!.Casualties!.Select(c => c.KilledOrNone).ToList();
            var row = $"deaths {string.Join(' ', deaths)}, low {low}, best {best}, high {high}";
            killed.ShouldAllBe(k => 0 <= k.Low && k.Low <= k.Best && k.Best <= k.High && k.High > 0, row);
            (killed.Sum(k => k.Low), killed.Sum(k => k.Best), killed.Sum(k => k.High)).ShouldBe((low, best, high), row);
        }
    }

    [Fact]
    public void low_and_high_change_the_largest_categories_first_and_unknown_takes_what_the_categories_leave_of_best()
    {
        var spread = UcdpGedMapping.Spread(
            [(CasualtyCategory.Military, "Government of Syria", 1), (CasualtyCategory.Military, "Syrian insurgents", 6), (CasualtyCategory.Civilian, null, 3)],
            low: 7, best: 12, high: 15);

        spread.Select(c => (c.Category, c.Party, c.Killed)).ShouldBe(
        [
            (CasualtyCategory.Military, "Government of Syria", new Estimate(1, 1, 1)),
            (CasualtyCategory.Military, "Syrian insurgents", new Estimate(1, 6, 9)),
            (CasualtyCategory.Civilian, null, new Estimate(3, 3, 3)),
            (CasualtyCategory.Unknown, null, new Estimate(2, 2, 2)),
        ]);
        UcdpGedMapping.Spread([], low: 0, best: 0, high: 0).ShouldBeEmpty();
        UcdpGedMapping.Spread([], low: 1, best: 2, high: 4).Single().ShouldBe(new CategoryCasualties(CasualtyCategory.Unknown, null, new Estimate(1, 2, 4), null));
    }

    [Fact]
    public void the_deaths_of_each_side_are_military_of_that_side_but_in_one_sided_violence_side_b_are_civilians()
    {
        var (battle, _) = Read(("deaths_a", "1"), ("deaths_b", "2"), ("deaths_civilians", "3"), ("deaths_unknown", "4"), ("low", "10"), ("best", "10"), ("high", "10"));
        battle!.Casualties!.Select(c => (c.Category, c.Party, c.KilledOrNone.Best)).ShouldBe(
            [(CasualtyCategory.Military, "Government of Syria", 1), (CasualtyCategory.Military, "Syrian insurgents", 2), (CasualtyCategory.Civilian, null, 3), (CasualtyCategory.Unknown, null, 4)]);
        battle.SubEventType.ShouldBe(SubEventType.ArmedClash);

        var (oneSided, _) = Read(("type_of_violence", "3"), ("deaths_a", "1"), ("deaths_b", "2"), ("low", "3"), ("best", "3"), ("high", "3"));
        oneSided!.Casualties!.Select(c => (c.Category, c.Party, c.KilledOrNone.Best)).ShouldBe(
            [(CasualtyCategory.Military, "Government of Syria", 1), (CasualtyCategory.Civilian, null, 2)]);
        oneSided.SubEventType.ShouldBe(SubEventType.Attack);
        (oneSided.Perpetrator, oneSided.Targets!.Single()).ShouldBe(("Government of Syria", "Syrian insurgents"));
    }

    [Theory]
    [InlineData("1", "2019-09-01", "2019-09-01", DatePrecision.Day, "2019-09-01", null, null)]
    [InlineData("1", "2019-09-01", "2019-09-02", DatePrecision.Day, null, "2019-09-01", "2019-09-03")]
    [InlineData("2", "2019-09-01", "2019-09-03", DatePrecision.Days, null, "2019-09-01", "2019-09-04")]
    [InlineData("3", "2019-09-02", "2019-09-08", DatePrecision.Week, null, "2019-09-02", "2019-09-09")]
    [InlineData("4", "2019-09-01", "2019-09-30", DatePrecision.Month, null, "2019-09-01", "2019-10-01")]
    [InlineData("5", "2019-01-01", "2019-01-01", DatePrecision.Year, null, "2019-01-01", "2019-01-02")]
    public void a_single_day_is_an_instant_and_anything_else_a_range_to_the_end_of_date_end(
        string datePrec, string start, string end, DatePrecision precision, string? at, string? from, string? until)
    {
        static DateTimeOffset? Day(string? day) => day is null ? null : DateTimeOffset.Parse(day + "T00:00:00Z", CultureInfo.InvariantCulture);

        var (report, problems) = Read(("date_prec", datePrec), ("date_start", start), ("date_end", end));

        problems.ShouldBeEmpty();
        report!.DatePrecision.ShouldBe(precision);
        (report.OccurredAt, report.OccurredFrom, report.OccurredUntil).ShouldBe((Day(at), Day(from), Day(until)));
    }

    [Fact]
    public void the_source_is_the_office_the_first_date_and_the_headline_with_ucdp_named_where_they_are_missing()
    {
        var (report, _) = Read(("source_date", "2019-09-02; 2019-09-05"), ("where_prec", "3"));
        report!.Sources!.Single().ShouldBe(new Source("SOHR", new DateOnly(2019, 9, 2), "Clashes near Tah", null));
        report.Description.ShouldBe("Clashes near Tah");
        report.Location!.Coordinates.ShouldBe([36.728542, 35.54318]);
        report.LocationPrecision.ShouldBe(LocationPrecision.District);
        report.ReportedBy.ShouldBe("ged-desk");

        var (bare, problems) = Read(("source_office", " "), ("source_date", ""), ("source_headline", ""));
        problems.ShouldBeEmpty();
        bare!.Sources!.Single().ShouldBe(new Source("UCDP GED", null, null, null));
        bare.Description.ShouldBe("UCDP GED event 1: Government of Syria - Syrian insurgents");
    }

    [Theory]
    [InlineData("location.coordinates[0]", new[] { "longitude" })]
    [InlineData("location.coordinates[1]", new[] { "latitude" })]
    [InlineData("location", new[] { "latitude", "longitude" })]
    [InlineData("occurredUntil", new[] { "date_start", "date_end" })]
    [InlineData("sources[0].publishedAt", new[] { "source_date" })]
    [InlineData("sources[0].title", new[] { "source_headline" })]
    [InlineData("sources[0].outlet", new[] { "source_office" })]
    [InlineData("casualties[1].killed.high", new[] { "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "low", "best", "high" })]
    [InlineData("claimedBy", new string[0])]
    public void a_validators_refusal_is_put_on_the_columns_the_field_was_read_from(string path, string[] columns)
    {
        UcdpGedMapping.ColumnsOf(path).ShouldBe(columns);
    }

    [Fact]
    public void a_row_goes_to_the_stream_its_ucdp_id_names()
    {
        UcdpGedMapping.StreamId("1").ShouldBe(UcdpGedMapping.StreamId("1"));
        UcdpGedMapping.StreamId("1").ShouldNotBe(UcdpGedMapping.StreamId("2"));
        Read().Report!.Id.ShouldBeNull();
    }

    [Fact]
    public void the_header_must_name_every_column_the_import_reads_each_once()
    {
        UcdpGedFile.CheckHeader(GedFile.Header).ShouldBeEmpty();
        UcdpGedFile.CheckHeader([.. GedFile.Header, "year", "conflict_name"]).ShouldBeEmpty();

        var problems = UcdpGedFile.CheckHeader(["a", "a"]);
        problems.Keys.ShouldBe([.. GedFile.Header, "header"], ignoreOrder: true);
        problems["header"].Single().ShouldContain("'a' is named 2 times");

        UcdpGedFile.CheckHeader([.. GedFile.Header.Where(c => c != "low"), " best "]).Keys.ShouldBe(["low", "header"], ignoreOrder: true);
    }
}
