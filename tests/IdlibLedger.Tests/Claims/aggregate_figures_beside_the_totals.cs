using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;
using static IdlibLedger.Tests.Claims.GivenClaims;

namespace IdlibLedger.Tests.Claims;

/// <summary>
/// docs/domain.md, "Aggregate figures": an aggregate figure ("UN: at least 1,700 civilians killed … in nine months") is a
/// separate fact, shown under <c>figures</c> beside the incident sums and never added to them (that would double count).
/// </summary>
public sealed class aggregate_figures_beside_the_totals(LedgerFixture ledger) : LedgerTest(ledger)
{
    /// <summary>
    /// Two attacks inside the UN figure's period, recorded on 26 February (8/10/12 and 3/5/6 civilians killed, 20 and 9
    /// injured), then the UN figure, recorded on 27 February.
    /// </summary>
    private async Task<Guid> AttacksThenTheUnFigureAsync()
    {
        Ledger.Clock.Set(On(2, 26, 9));
        await Host.ReportedAttackAsync(Attack(GivenTerritory.Regime, "2020-01-15", MaaratAlNuman, 8, 10, 12, injured: 20));
        await Host.ReportedAttackAsync(Attack("Russian Air Force", "2020-02-20", (36.52, 36.20), 3, 5, 6, injured: 9));
        Ledger.Clock.Set(On(2, 27));
        return await Host.CreatedAsync("/api/casualty-figures", UnFigure());
    }

    private static JsonObject Attack(string perpetrator, string occurredAt, (double Lon, double Lat) at, int low, int best, int high, int injured) => Given.Report(b =>
    {
        b["perpetrator"] = perpetrator;
        b["occurredAt"] = occurredAt;
        b["location"] = GivenTerritory.Point(at.Lon, at.Lat);
        b["casualties"] = new JsonArray(new JsonObject
        {
            ["category"] = "civilian",
            ["killed"] = new JsonObject { ["low"] = low, ["best"] = best, ["high"] = high },
            ["injured"] = injured,
        });
    });

    private static List<JsonNode> Figures(JsonObject totals) => [.. totals["figures"]!.AsArray().Select(f => f!)];

    [Fact]
    public async Task the_un_figure_is_listed_beside_the_sums_and_not_added_to_them()
    {
        var figure = await AttacksThenTheUnFigureAsync();

        var totals = await Host.GetJsonAsync("/api/casualties/totals");

        totals["killed"]!.Estimate().ShouldBe((11, 15, 18));
        totals["injured"]!.Estimate().ShouldBe((29, 29, 29));
        totals["attacks"]!.GetValue<long>().ShouldBe(2);
        var un = Figures(totals).Single();
        un["figureId"]!.GetValue<Guid>().ShouldBe(figure);
        un["metric"]!.GetValue<string>().ShouldBe("killed");
        un["category"]!.GetValue<string>().ShouldBe("civilian");
        un["qualifier"]!.GetValue<string>().ShouldBe("at-least");
        un["value"]!.GetValue<long>().ShouldBe(1700);
        un["periodFrom"]!.GetValue<string>().ShouldBe("2019-05-01");
        un["periodUntil"]!.GetValue<string>().ShouldBe("2020-02-26");
        un["area"]!.GetValue<string>().ShouldBe("Idlib de-escalation zone");
        un["source"]!["outlet"]!.GetValue<string>().ShouldStartWith("United Nations");
        un["reportedBy"]!.GetValue<string>().ShouldBe("desk-geneva");
        (await Ledger.EventCountAsync()).ShouldBe(3);
    }

    [Fact]
    public async Task grouped_sums_leave_the_figure_out_too()
    {
        await AttacksThenTheUnFigureAsync();

        var totals = await Host.GetJsonAsync("/api/casualties/totals?groupBy=category");

        totals["groups"]!.AsArray().Single()!["killed"]!.Estimate().ShouldBe((11, 15, 18));
        totals["killed"]!.Estimate().ShouldBe((11, 15, 18));
        Figures(totals).Count.ShouldBe(1);
    }

    [Fact]
    public async Task as_of_before_the_figure_was_recorded_it_is_not_shown()
    {
        await AttacksThenTheUnFigureAsync();

        var before = await Host.GetJsonAsync("/api/casualties/totals?asOf=2020-02-26");

        Figures(before).ShouldBeEmpty();
        before["killed"]!.Estimate().ShouldBe((11, 15, 18));
    }

    [Theory]
    [InlineData("from=2020-03-01", false)]
    [InlineData("to=2019-04-30", false)]
    [InlineData("from=2020-02-27&to=2020-12-31", false)]
    [InlineData("from=2020-02-26", true)]
    [InlineData("to=2019-05-01", true)]
    [InlineData("from=2019-06-01&to=2019-12-31", true)]
    [InlineData("from=2019-01-01&to=2020-12-31", true)]
    public async Task a_period_that_does_not_meet_the_figures_hides_it(string query, bool shown)
    {
        await AttacksThenTheUnFigureAsync();

        var totals = await Host.GetJsonAsync($"/api/casualties/totals?{query}");

        Figures(totals).Count.ShouldBe(shown ? 1 : 0, query);
    }

    [Fact]
    public async Task several_figures_keep_their_own_metric_and_range()
    {
        await AttacksThenTheUnFigureAsync();
        await Host.CreatedAsync("/api/casualty-figures", UnFigure(b =>
        {
            b["metric"] = "displaced";
            b["qualifier"] = "up-to";
            b["value"] = 900_000;
        }));
        await Host.CreatedAsync("/api/casualty-figures", UnFigure(b =>
        {
            b["qualifier"] = "about";
            b.Remove("value");
            b["low"] = 1_600;
            b["high"] = 1_800;
            b["source"] = Source("Syrian Observatory for Human Rights");
        }));

        var totals = await Host.GetJsonAsync("/api/casualties/totals");

        totals["killed"]!.Estimate().ShouldBe((11, 15, 18));
        var figures = Figures(totals);
        figures.Select(f => f["metric"]!.GetValue<string>()).ShouldBe(["killed", "displaced", "killed"]);
        figures[1]["value"]!.GetValue<long>().ShouldBe(900_000);
        figures[2]["value"].ShouldBeNull();
        figures[2]["low"]!.GetValue<long>().ShouldBe(1_600);
        figures[2]["high"]!.GetValue<long>().ShouldBe(1_800);
    }

    [Fact]
    public async Task a_retried_figure_with_an_idempotency_key_is_recorded_once()
    {
        Ledger.Clock.Set(On(2, 27));
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = $"un-figure-{Guid.NewGuid():N}" };

        using var first = await Host.PostJsonAsync("/api/casualty-figures", UnFigure(), headers);
        using var retry = await Host.PostJsonAsync("/api/casualty-figures", UnFigure(), headers);

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        retry.StatusCode.ShouldBe(HttpStatusCode.Created);
        retry.Headers.Location.ShouldBe(first.Headers.Location);
        (await Ledger.EventCountAsync()).ShouldBe(1);
        Figures(await Host.GetJsonAsync("/api/casualties/totals")).Count.ShouldBe(1);
    }

    // ---- ReportCasualtyFigure refusals -------------------------------------------------------------------------------

    public static TheoryData<string, string, string, string?> BadFigures()
    {
        var rows = new TheoryData<string, string, string, string?>();
        void AddRow(string @case, Action<JsonObject> change, string field, string? says = null) => rows.Add(@case, UnFigure(change).ToJsonString(), field, says);

        AddRow("metric unknown", b => b["metric"] = "wounded", "metric", "killed, injured, displaced");
        AddRow("metric missing", b => b.Remove("metric"), "metric");
        AddRow("qualifier unknown", b => b["qualifier"] = "nearly", "qualifier", "at-least");
        AddRow("qualifier missing", b => b.Remove("qualifier"), "qualifier");
        AddRow("category unknown", b => b["category"] = "children", "category");
        AddRow("value and a range", b =>
        {
            b["low"] = 1_600;
            b["high"] = 1_800;
        }, "value", "not both");
        AddRow("neither value nor range", b => b.Remove("value"), "value");
        AddRow("a range without high", b =>
        {
            b.Remove("value");
            b["low"] = 1_600;
        }, "high", "both low and high");
        AddRow("high below low", b =>
        {
            b.Remove("value");
            b["low"] = 1_800;
            b["high"] = 1_600;
        }, "high", "not below low");
        AddRow("negative value", b => b["value"] = -1, "value");
        AddRow("periodUntil before periodFrom", b => b["periodUntil"] = "2019-04-30", "periodUntil", "not before periodFrom");
        AddRow("periodFrom missing", b => b.Remove("periodFrom"), "periodFrom");
        AddRow("periodUntil missing", b => b.Remove("periodUntil"), "periodUntil");
        AddRow("area missing", b => b.Remove("area"), "area");
        AddRow("reportedBy missing", b => b.Remove("reportedBy"), "reportedBy");
        AddRow("source missing", b => b.Remove("source"), "source");
        AddRow("source without an outlet", b => b["source"]!.AsObject().Remove("outlet"), "source.outlet");
        return rows;
    }

    [Theory]
    [MemberData(nameof(BadFigures))]
    public async Task a_bad_figure_is_400_naming_the_field(string @case, string body, string field, string? says)
    {
        Ledger.Clock.Set(On(2, 27));

        var problem = await Ledger.RefusedAsync(HttpMethod.Post, "/api/casualty-figures", body, HttpStatusCode.BadRequest, @case);

        problem.ShouldNameField(field, says, @case);
    }
}
