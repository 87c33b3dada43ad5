using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Access;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;
using static IdlibLedger.Tests.Claims.GivenClaims;

namespace IdlibLedger.Tests.Claims;

/// <summary>
/// CorrectCasualtyFigure and RetractCasualtyFigure: an aggregate figure corrected or retracted by new events. The figure
/// read by id and the totals' <c>figures</c> show it as known at <c>asOf</c>; a retracted one leaves the totals.
/// </summary>
public sealed class correcting_and_retracting_a_figure(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static JsonObject Correction(long expectedVersion, Action<JsonObject> change)
    {
        var body = new JsonObject { ["expectedVersion"] = expectedVersion, ["reason"] = "the UN's statement of 28 February" };
        change(body);
        return body;
    }

    /// <summary>The UN figure, recorded on 27 February.</summary>
    private async Task<Guid> UnFigureAsync()
    {
        Ledger.Clock.Set(On(2, 27));
        return await Host.CreatedAsync("/api/casualty-figures", UnFigure());
    }

    private async Task<List<JsonNode>> FiguresAsync(string query = "") =>
        [.. (await Host.GetJsonAsync($"/api/casualties/totals{query}"))["figures"]!.AsArray().Select(f => f!)];

    [Fact]
    public async Task a_correction_shows_after_it_and_not_before_it_in_the_figure_and_beside_the_totals()
    {
        var id = await UnFigureAsync();
        Ledger.Clock.Set(On(2, 28));

        var receipt = await Host.RevisedAsync($"/api/casualty-figures/{id}/corrections", Correction(1, b =>
        {
            b["value"] = 1800;
            b["periodFrom"] = "2019-04-29";
        }));

        receipt["version"]!.GetValue<int>().ShouldBe(2);
        var before = (await FiguresAsync("?asOf=2020-02-27")).ShouldHaveSingleItem();
        before["value"]!.GetValue<long>().ShouldBe(1700);
        before["periodFrom"]!.GetValue<string>().ShouldBe("2019-05-01");
        var after = (await FiguresAsync()).ShouldHaveSingleItem();
        after["value"]!.GetValue<long>().ShouldBe(1800);
        after["periodFrom"]!.GetValue<string>().ShouldBe("2019-04-29");
        after["figureId"]!.GetValue<Guid>().ShouldBe(id);

        var original = await Host.GetJsonAsync($"/api/casualty-figures/{id}?asOf=2020-02-27");
        original["version"]!.GetValue<int>().ShouldBe(1);
        original["fact"]!["value"]!.GetValue<long>().ShouldBe(1700);
        var current = await Host.GetJsonAsync($"/api/casualty-figures/{id}");
        current["version"]!.GetValue<int>().ShouldBe(2);
        current["fact"]!["value"]!.GetValue<long>().ShouldBe(1800);
        current["fact"]!["reportedBy"]!.GetValue<string>().ShouldBe("desk-geneva");
        current["recordedAt"]!.GetValue<string>().ShouldStartWith("2020-02-27T12:00:00");
        current.Changes().ShouldBe(["recorded", "corrected"]);
        current["history"]![1]!["fields"]!.AsArray().Select(f => f!.GetValue<string>()).ShouldBe(["periodFrom", "value"]);
    }

    [Fact]
    public async Task a_range_replaces_a_value_and_a_value_replaces_a_range()
    {
        var id = await UnFigureAsync();

        await Host.RevisedAsync($"/api/casualty-figures/{id}/corrections", Correction(1, b =>
        {
            b["low"] = 1600;
            b["high"] = 1800;
            b["qualifier"] = "about";
        }));
        var range = (await Host.GetJsonAsync($"/api/casualty-figures/{id}"))["fact"]!;
        await Host.RevisedAsync($"/api/casualty-figures/{id}/corrections", Correction(2, b => b["high"] = 1900));
        var wider = (await Host.GetJsonAsync($"/api/casualty-figures/{id}"))["fact"]!;
        await Host.RevisedAsync($"/api/casualty-figures/{id}/corrections", Correction(3, b => b["value"] = 1750));
        var value = await Host.GetJsonAsync($"/api/casualty-figures/{id}");

        range["value"].ShouldBeNull();
        range["low"]!.GetValue<long>().ShouldBe(1600);
        range["high"]!.GetValue<long>().ShouldBe(1800);
        wider["low"]!.GetValue<long>().ShouldBe(1600);
        wider["high"]!.GetValue<long>().ShouldBe(1900);
        value["fact"]!["value"]!.GetValue<long>().ShouldBe(1750);
        value["fact"]!["low"].ShouldBeNull();
        value["fact"]!["high"].ShouldBeNull();
        value["history"]![1]!["fields"]!.AsArray().Select(f => f!.GetValue<string>()).ShouldBe(["qualifier", "value", "low", "high"]);
        value["history"]![3]!["fields"]!.AsArray().Select(f => f!.GetValue<string>()).ShouldBe(["value", "low", "high"]);
    }

    [Fact]
    public async Task a_retracted_figure_leaves_the_totals_from_then_on_but_stays_readable()
    {
        var id = await UnFigureAsync();
        var other = await Host.CreatedAsync("/api/casualty-figures", UnFigure(b => b["metric"] = "displaced"));
        Ledger.Clock.Set(On(3, 1));

        await Host.RevisedAsync($"/api/casualty-figures/{id}/retraction", Revising.Retraction(1, "entered twice"));

        (await FiguresAsync()).ShouldHaveSingleItem()["figureId"]!.GetValue<Guid>().ShouldBe(other);
        (await FiguresAsync("?asOf=2020-02-28")).Select(f => f["figureId"]!.GetValue<Guid>()).ShouldBe([id, other]);
        var figure = await Host.GetJsonAsync($"/api/casualty-figures/{id}");
        figure["retracted"]!.GetValue<bool>().ShouldBeTrue();
        figure["retractionReason"]!.GetValue<string>().ShouldBe("entered twice");
        (await Host.GetJsonAsync($"/api/casualty-figures/{id}?asOf=2020-02-28"))["retracted"]!.GetValue<bool>().ShouldBeFalse();
        await Ledger.RefusedAsync($"/api/casualty-figures/{id}/corrections", Correction(2, b => b["value"] = 1), HttpStatusCode.Conflict);
        await Ledger.RefusedAsync($"/api/casualty-figures/{id}/retraction", Revising.Retraction(2), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task a_stale_expected_version_is_409_and_appends_nothing()
    {
        var id = await UnFigureAsync();
        await Host.RevisedAsync($"/api/casualty-figures/{id}/corrections", Correction(1, b => b["value"] = 1800));

        (await Ledger.RefusedAsync($"/api/casualty-figures/{id}/corrections", Correction(1, b => b["value"] = 1900), HttpStatusCode.Conflict))
            ["detail"]!.GetValue<string>().ShouldContain("is at version 2, not 1");
        await Ledger.RefusedAsync($"/api/casualty-figures/{id}/retraction", Revising.Retraction(1), HttpStatusCode.Conflict);

        (await Ledger.EventCountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task only_the_client_that_recorded_it_or_an_admin_may_revise_it()
    {
        Ledger.Clock.Set(On(2, 27));
        var (_, receipt) = await Host.PostAsAsync("desk-geneva", Roles.Reporter, "/api/casualty-figures", UnFigure());
        var id = receipt["id"]!.GetValue<Guid>();

        (await Host.PostAsAsync("desk-gaziantep", Roles.Reporter, $"/api/casualty-figures/{id}/corrections", Correction(1, b => b["value"] = 1))).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Host.PostAsAsync("desk-gaziantep", Roles.Reporter, $"/api/casualty-figures/{id}/retraction", Revising.Retraction(1))).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Ledger.EventCountAsync()).ShouldBe(1);
        (await Host.PostAsAsync("ops", Roles.Admin, $"/api/casualty-figures/{id}/retraction", Revising.Retraction(1))).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_correction_that_changes_nothing_is_400_and_an_unknown_figure_404()
    {
        var id = await UnFigureAsync();

        (await Ledger.RefusedAsync($"/api/casualty-figures/{id}/corrections", Correction(1, b => b["value"] = 1700), HttpStatusCode.BadRequest))
            .ShouldNameField("reason", "changes nothing");
        await Ledger.RefusedAsync($"/api/casualty-figures/{Guid.NewGuid()}/corrections", Correction(1, b => b["value"] = 1), HttpStatusCode.NotFound);
        await Ledger.RefusedAsync($"/api/casualty-figures/{Guid.NewGuid()}/retraction", Revising.Retraction(1), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task the_id_of_another_kind_of_fact_is_404_and_a_retraction_without_reason_400()
    {
        var id = await UnFigureAsync();
        var agreement = await Host.RegisteredAgreementAsync();
        var round = await Host.OpenedRoundAsync();

        await Ledger.RefusedAsync($"/api/casualty-figures/{agreement}/corrections", Correction(1, b => b["value"] = 1), HttpStatusCode.NotFound);
        await Ledger.RefusedAsync($"/api/agreements/{round}/retraction", Revising.Retraction(1), HttpStatusCode.NotFound);
        await Ledger.RefusedAsync($"/api/negotiations/{id}/corrections", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "x", ["place"] = "Moscow" }, HttpStatusCode.NotFound);
        await Host.GetJsonAsync($"/api/casualty-figures/{agreement}", expectedStatus: 404);
        (await Ledger.RefusedAsync($"/api/casualty-figures/{id}/retraction", new JsonObject { ["expectedVersion"] = 1 }, HttpStatusCode.BadRequest))
            .ShouldNameField("reason");
    }

    public static TheoryData<string, string, string, string?> BadCorrections()
    {
        var rows = new TheoryData<string, string, string, string?>();
        void AddRow(string @case, Action<JsonObject> change, string field, string? says = null) => rows.Add(@case, Correction(1, change).ToJsonString(), field, says);

        AddRow("metric unknown", b => b["metric"] = "wounded", "metric", "killed, injured, displaced");
        AddRow("negative value", b => b["value"] = -1, "value");
        AddRow("a value and a range", b =>
        {
            b["value"] = 1;
            b["low"] = 1;
        }, "value", "not both");
        AddRow("low alone on a figure with a value", b => b["low"] = 1600, "high", "both low and high");
        AddRow("high below low", b =>
        {
            b["low"] = 1800;
            b["high"] = 1600;
        }, "high", "not below low");
        AddRow("periodFrom after the current periodUntil", b => b["periodFrom"] = "2020-03-01", "periodUntil", "not before periodFrom");
        AddRow("periodUntil before periodFrom, both given", b =>
        {
            b["periodFrom"] = "2020-01-01";
            b["periodUntil"] = "2019-01-01";
        }, "periodUntil", "not before periodFrom");
        AddRow("area blank", b => b["area"] = " ", "area");
        AddRow("source without an outlet", b => b["source"] = new JsonObject { ["title"] = "UN" }, "source.outlet");
        AddRow("no reason", b => b.Remove("reason"), "reason");
        return rows;
    }

    [Theory]
    [MemberData(nameof(BadCorrections))]
    public async Task a_bad_correction_is_400_naming_the_field_and_records_nothing(string @case, string body, string field, string? says)
    {
        var id = await UnFigureAsync();

        var problem = await Ledger.RefusedAsync(HttpMethod.Post, $"/api/casualty-figures/{id}/corrections", body, HttpStatusCode.BadRequest, @case);

        problem.ShouldNameField(field, says, @case);
    }
}
