using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Territory;

/// <summary>Negotiation rounds: parties, delegations (military, intelligence, diplomatic), agenda, outcome; proposals tabled at them.</summary>
public sealed class when_recording_negotiations(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static JsonObject Outcome(string outcome = "No agreement; talks to continue in Moscow") => new() { ["outcome"] = outcome };

    [Fact]
    public async Task a_round_is_opened_and_read_back()
    {
        using var response = await Host.PostJsonAsync("/api/negotiations", GivenTerritory.Negotiation());

        var receipt = await response.JsonAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, receipt.ToJsonString());
        var id = receipt["id"]!.GetValue<Guid>();
        response.Headers.Location!.ToString().ShouldBe($"/api/negotiations/{id}");

        var round = await Host.GetJsonAsync($"/api/negotiations/{id}");
        round["id"]!.GetValue<Guid>().ShouldBe(id);
        round["round"]!["heldOn"]!.GetValue<string>().ShouldBe("2020-02-26");
        round["round"]!["parties"]!.AsArray().Select(p => p!.GetValue<string>()).ShouldBe([GivenTerritory.Turkey, GivenTerritory.Russia]);
        round["round"]!["delegations"]![0]!["composition"]!.AsArray().Select(r => r!.GetValue<string>()).ShouldBe(["military", "intelligence"]);
        round["round"]!["agenda"]!.AsArray().Count.ShouldBe(2);
        round["outcome"].ShouldBeNull();
    }

    [Fact]
    public async Task its_outcome_is_recorded_once()
    {
        var id = await Host.OpenedRoundAsync();

        var receipt = await Host.OkAsync($"/api/negotiations/{id}/outcome", Outcome());
        var problem = await Ledger.RefusedAsync($"/api/negotiations/{id}/outcome", Outcome("A second, different outcome"), HttpStatusCode.Conflict);

        receipt["version"]!.GetValue<int>().ShouldBe(2);
        problem["detail"]!.GetValue<string>().ShouldContain("already recorded");
        (await Host.GetJsonAsync($"/api/negotiations/{id}"))["outcome"]!.GetValue<string>().ShouldBe("No agreement; talks to continue in Moscow");
    }

    [Fact]
    public async Task as_of_before_the_outcome_the_round_has_none()
    {
        Ledger.Clock.Set(GivenTerritory.On(2, 26));
        var id = await Host.OpenedRoundAsync();
        Ledger.Clock.Set(GivenTerritory.On(2, 27));
        await Host.OkAsync($"/api/negotiations/{id}/outcome", Outcome());

        (await Host.GetJsonAsync($"/api/negotiations/{id}?asOf=2020-02-26"))["outcome"].ShouldBeNull();
        (await Host.GetJsonAsync($"/api/negotiations/{id}?asOf=2020-02-27"))["outcome"].ShouldNotBeNull();
        await Host.GetJsonAsync($"/api/negotiations/{id}?asOf=2020-02-25", expectedStatus: 404);
    }

    [Fact]
    public async Task a_delegation_of_chefs_is_400_naming_the_member()
    {
        var body = GivenTerritory.Negotiation(b => b["delegations"]![0]!["composition"] = new JsonArray("chef"));

        var problem = await Ledger.RefusedAsync("/api/negotiations", body, HttpStatusCode.BadRequest);

        problem.ShouldNameField("delegations[0].composition[0]", "military");
    }

    [Fact]
    public async Task a_delegation_of_no_party_at_the_talks_is_400()
    {
        var body = GivenTerritory.Negotiation(b => b["delegations"]![0]!["party"] = GivenTerritory.Iran);

        var problem = await Ledger.RefusedAsync("/api/negotiations", body, HttpStatusCode.BadRequest);

        problem.ShouldNameField("delegations", "parties");
    }

    [Theory]
    [InlineData("parties")]
    [InlineData("delegations")]
    [InlineData("agenda")]
    [InlineData("heldOn")]
    public async Task a_round_without_a_required_field_is_400_naming_it(string field)
    {
        var problem = await Ledger.RefusedAsync("/api/negotiations", GivenTerritory.Negotiation(b => b.Remove(field)), HttpStatusCode.BadRequest, field);

        problem.ShouldNameField(field, null, field);
    }

    [Fact]
    public async Task talks_of_one_party_are_400()
    {
        var body = GivenTerritory.Negotiation(b =>
        {
            b["parties"] = new JsonArray(GivenTerritory.Turkey);
            b["delegations"] = new JsonArray();
        });

        var problem = await Ledger.RefusedAsync("/api/negotiations", body, HttpStatusCode.BadRequest);

        problem.ShouldNameField("parties", "two");
    }

    [Fact]
    public async Task an_outcome_without_text_is_400_and_of_an_unknown_round_404()
    {
        var id = await Host.OpenedRoundAsync();

        (await Ledger.RefusedAsync($"/api/negotiations/{id}/outcome", Outcome(" "), HttpStatusCode.BadRequest)).ShouldNameField("outcome");
        await Ledger.RefusedAsync($"/api/negotiations/{Guid.NewGuid()}/outcome", Outcome(), HttpStatusCode.NotFound);
        await Host.GetJsonAsync($"/api/negotiations/{Guid.NewGuid()}", expectedStatus: 404);
    }

    [Fact]
    public async Task a_proposal_tabled_at_the_round_is_accepted_and_refers_to_it()
    {
        var round = await Host.OpenedRoundAsync();

        var id = await Host.TabledProposalAsync(GivenTerritory.Proposal(b => b["negotiationRoundId"] = round));

        (await Host.GetJsonAsync($"/api/proposals/{id}"))["proposal"]!["terms"]!["negotiationRoundId"]!.GetValue<Guid>().ShouldBe(round);
    }
}
