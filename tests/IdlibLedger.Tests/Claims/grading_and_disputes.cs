using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;
using static IdlibLedger.Tests.Claims.GivenClaims;

namespace IdlibLedger.Tests.Claims;

/// <summary>
/// Grading after Airwars — weak (a single source), fair (two or more outlets), confirmed (the perpetrator claims it),
/// contested (a party disputes it), discounted (retracted) — and the rules of DisputeAttackReport.
/// </summary>
public sealed class grading_and_disputes(LedgerFixture ledger) : LedgerTest(ledger)
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Ledger.Clock.Set(On(2, 26));
    }

    private async Task<string> GradingAsync(Guid id) => (await Host.GetJsonAsync($"/api/attacks/{id}"))["grading"]!.GetValue<string>();

    [Fact]
    public async Task a_report_with_a_single_source_is_weak()
    {
        var id = await Host.ReportedAttackAsync();

        (await GradingAsync(id)).ShouldBe("weak");
    }

    [Fact]
    public async Task two_sources_from_one_outlet_are_still_weak()
    {
        var id = await Host.ReportedAttackAsync(Given.Report(b => b["sources"] = new JsonArray(Source("Daily Sabah"), Source(" daily sabah "))));

        (await GradingAsync(id)).ShouldBe("weak");
    }

    [Fact]
    public async Task two_outlets_make_it_fair()
    {
        var id = await Host.ReportedAttackAsync(Given.Report(b => b["sources"] = new JsonArray(Source("Daily Sabah"), Source("Reuters"))));

        (await GradingAsync(id)).ShouldBe("fair");
    }

    [Fact]
    public async Task a_claim_by_the_perpetrator_itself_is_confirmed()
    {
        var id = await Host.ReportedAttackAsync(Given.Report(b =>
        {
            b["claimedBy"] = GivenTerritory.Regime;
            b["sources"] = new JsonArray(Source("SANA", claimedBy: GivenTerritory.Regime));
        }));

        (await GradingAsync(id)).ShouldBe("confirmed");
    }

    [Theory]
    [InlineData("syrian arab army")]
    [InlineData(" SYRIAN ARAB ARMY ")]
    public async Task a_claim_by_the_perpetrator_in_another_spelling_is_confirmed(string claimant)
    {
        var id = await Host.ReportedAttackAsync(Given.Report(b =>
        {
            b["claimedBy"] = claimant;
            b["sources"] = new JsonArray(Source("SANA", claimedBy: claimant));
        }));

        (await GradingAsync(id)).ShouldBe("confirmed");
    }

    [Fact]
    public async Task a_claim_by_another_party_with_one_source_is_weak_until_disputed()
    {
        var id = await Host.ReportedAttackAsync(HmeimimClaim());

        (await GradingAsync(id)).ShouldBe("weak");
        await DisputedAsync(id, Dispute());
        (await GradingAsync(id)).ShouldBe("contested");
    }

    [Fact]
    public async Task a_report_that_is_not_a_claim_can_be_disputed_too()
    {
        var id = await Host.ReportedAttackAsync(Given.Report(b => b["sources"] = new JsonArray(Source("Daily Sabah"), Source("Reuters"))));

        await DisputedAsync(id, Dispute(party: "Russian Ministry of Defence", reason: "no shelling took place near Taftanaz that day"));

        (await GradingAsync(id)).ShouldBe("contested");
    }

    [Fact]
    public async Task a_retracted_report_is_discounted_even_when_disputed()
    {
        var id = await Host.ReportedAttackAsync(HmeimimClaim());
        await DisputedAsync(id, Dispute());
        Ledger.Clock.Set(On(2, 28));

        using var retraction = await Host.PostJsonAsync($"/api/attacks/{id}/retraction", new JsonObject { ["expectedVersion"] = 2, ["reason"] = "the claim was withdrawn" });
        retraction.StatusCode.ShouldBe(HttpStatusCode.OK, await retraction.Content.ReadAsStringAsync());

        (await GradingAsync(id)).ShouldBe("discounted");
        (await Host.GetJsonAsync($"/api/attacks/{id}?asOf=2020-02-27"))["grading"]!.GetValue<string>().ShouldBe("contested");
    }

    // ---- dispute rules ----------------------------------------------------------------------------------------------

    private async Task DisputedAsync(Guid id, JsonObject dispute)
    {
        using var response = await Host.PostJsonAsync($"/api/attacks/{id}/disputes", dispute);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(RussianDelegation)]
    [InlineData("russian delegation")]
    [InlineData(" Russian delegation ")]
    public async Task the_claimant_disputing_its_own_claim_is_409(string party)
    {
        var id = await Host.ReportedAttackAsync(HmeimimClaim());

        var problem = await Ledger.RefusedAsync($"/api/attacks/{id}/disputes", Dispute(party: party), HttpStatusCode.Conflict, party);

        problem["detail"]!.GetValue<string>().ShouldContain("made this claim");
    }

    [Theory]
    [InlineData(TurkishDelegation)]
    [InlineData("TURKISH DELEGATION")]
    public async Task the_same_party_disputing_twice_is_409(string again)
    {
        var id = await Host.ReportedAttackAsync(HmeimimClaim());
        await DisputedAsync(id, Dispute());

        var problem = await Ledger.RefusedAsync($"/api/attacks/{id}/disputes", Dispute(party: again, reason: "still implausible"), HttpStatusCode.Conflict, again);

        problem["detail"]!.GetValue<string>().ShouldContain("already disputes");
    }

    [Fact]
    public async Task a_second_party_may_dispute_as_well()
    {
        var id = await Host.ReportedAttackAsync(HmeimimClaim());
        await DisputedAsync(id, Dispute());

        await DisputedAsync(id, Dispute(party: "Syrian Interim Government", reason: "no drone was launched from the zone"));

        var report = (await Host.GetJsonAsync($"/api/attacks/{id}"))["report"]!;
        report["disputes"]!.AsArray().Select(d => d!["party"]!.GetValue<string>()).ShouldBe([TurkishDelegation, "Syrian Interim Government"]);
        report["version"]!.GetValue<int>().ShouldBe(3);
    }

    [Fact]
    public async Task disputing_a_retracted_report_is_409()
    {
        var id = await Host.ReportedAttackAsync(HmeimimClaim());
        using var retraction = await Host.PostJsonAsync($"/api/attacks/{id}/retraction", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "withdrawn" });
        retraction.StatusCode.ShouldBe(HttpStatusCode.OK);

        var problem = await Ledger.RefusedAsync($"/api/attacks/{id}/disputes", Dispute(), HttpStatusCode.Conflict);

        problem["detail"]!.GetValue<string>().ShouldContain("retracted");
    }

    [Fact]
    public async Task disputing_an_unknown_attack_is_404()
    {
        await Ledger.RefusedAsync($"/api/attacks/{Guid.NewGuid()}/disputes", Dispute(), HttpStatusCode.NotFound);
    }

    public static TheoryData<string, string, string, string?> BadDisputes()
    {
        var rows = new TheoryData<string, string, string, string?>();
        void AddRow(string @case, Action<JsonObject> change, string field, string? says = null)
        {
            var body = Dispute();
            change(body);
            rows.Add(@case, body.ToJsonString(), field, says);
        }

        AddRow("party missing", b => b.Remove("party"), "party");
        AddRow("party blank", b => b["party"] = "  ", "party");
        AddRow("party too long", b => b["party"] = new string('p', 201), "party", "200");
        AddRow("reason missing", b => b.Remove("reason"), "reason");
        AddRow("reason empty", b => b["reason"] = "", "reason");
        AddRow("counter-evidence without an outlet", b => b["counterEvidence"] = new JsonArray(new JsonObject { ["title"] = "x" }), "counterEvidence[0].outlet");
        AddRow("counter-evidence with a bad url", b => b["counterEvidence"]![0]!["url"] = "not a url", "counterEvidence[0].url", "absolute http(s)");
        AddRow("counter-evidence published in the future", b => b["counterEvidence"]![0]!["publishedAt"] = "2020-03-30", "counterEvidence[0].publishedAt", "future");
        return rows;
    }

    [Theory]
    [MemberData(nameof(BadDisputes))]
    public async Task a_bad_dispute_is_400_naming_the_field(string @case, string body, string field, string? says)
    {
        var id = await Host.ReportedAttackAsync(HmeimimClaim());

        var problem = await Ledger.RefusedAsync(HttpMethod.Post, $"/api/attacks/{id}/disputes", body, HttpStatusCode.BadRequest, @case);

        problem.ShouldNameField(field, says, @case);
    }
}
