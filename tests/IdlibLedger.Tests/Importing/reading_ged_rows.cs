using IdlibLedger.Attacks;
using IdlibLedger.Attacks.Reporting;
using IdlibLedger.Importing;
using Shouldly;

namespace IdlibLedger.Tests.Importing;

/// <summary>The mapping of a GED header and a GED row, without a database: a cell reads as what it says or the row is refused.</summary>
public sealed class reading_ged_rows
{
    private static (ReportAttack? Report, List<RowProblem> Problems) Read(params (string Column, string Cell)[] changes)
    {
        var cells = GedFile.Cells(changes);
        return UcdpGedMapping.ToReport(column => cells[column], "ged-desk");
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
