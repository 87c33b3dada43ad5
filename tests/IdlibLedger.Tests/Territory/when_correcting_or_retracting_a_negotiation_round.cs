using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Access;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Territory;

/// <summary>
/// CorrectNegotiationRound and RetractNegotiationRound: the fields of opening a round and of its outcome, corrected by
/// new events; the round read at <c>asOf</c> shows what was known then; a retracted round takes no outcome.
/// </summary>
public sealed class when_correcting_or_retracting_a_negotiation_round(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static JsonObject Correction(long expectedVersion, Action<JsonObject> change)
    {
        var body = new JsonObject { ["expectedVersion"] = expectedVersion, ["reason"] = "the Turkish presidency's statement" };
        change(body);
        return body;
    }

    private static JsonObject Outcome() => new() { ["outcome"] = "No agreement; talks to continue in Moscow" };

    private Task<JsonObject> RoundAsync(Guid id, string query = "") => Host.GetJsonAsync($"/api/negotiations/{id}{query}");

    [Fact]
    public async Task a_correction_of_the_round_and_its_outcome_shows_after_it_and_not_before_it()
    {
        Ledger.Clock.Set(GivenTerritory.On(2, 26));
        var id = await Host.OpenedRoundAsync();
        Ledger.Clock.Set(GivenTerritory.On(2, 27));
        await Host.OkAsync($"/api/negotiations/{id}/outcome", Outcome());
        Ledger.Clock.Set(GivenTerritory.On(2, 28));

        var receipt = await Host.RevisedAsync($"/api/negotiations/{id}/corrections", Correction(2, b =>
        {
            b["place"] = "Ankara, Ministry of Foreign Affairs";
            b["outcome"] = "The Russian map was rejected; talks to continue in Moscow";
            b["concludedOn"] = "2020-02-27";
        }));

        receipt["version"]!.GetValue<int>().ShouldBe(3);
        var before = await RoundAsync(id, "?asOf=2020-02-27");
        before["version"]!.GetValue<int>().ShouldBe(2);
        before["round"]!["place"]!.GetValue<string>().ShouldBe("Ankara");
        before["outcome"]!.GetValue<string>().ShouldBe("No agreement; talks to continue in Moscow");
        before["concludedOn"].ShouldBeNull();
        before.Changes().ShouldBe(["recorded", "outcome-recorded"]);
        var after = await RoundAsync(id);
        after["version"]!.GetValue<int>().ShouldBe(3);
        after["round"]!["place"]!.GetValue<string>().ShouldBe("Ankara, Ministry of Foreign Affairs");
        after["round"]!["parties"]!.AsArray().Count.ShouldBe(2);
        after["outcome"]!.GetValue<string>().ShouldStartWith("The Russian map was rejected");
        after["concludedOn"]!.GetValue<string>().ShouldBe("2020-02-27");
        after.Changes().ShouldBe(["recorded", "outcome-recorded", "corrected"]);
        after["history"]![2]!["fields"]!.AsArray().Select(f => f!.GetValue<string>()).ShouldBe(["place", "outcome", "concludedOn"]);
        await Host.GetJsonAsync($"/api/negotiations/{id}?asOf=2020-02-25", expectedStatus: 404);
    }

    [Fact]
    public async Task parties_corrected_so_that_a_delegation_belongs_to_none_of_them_is_400_naming_delegations()
    {
        var id = await Host.OpenedRoundAsync();

        var problem = await Ledger.RefusedAsync($"/api/negotiations/{id}/corrections",
            Correction(1, b => b["parties"] = new JsonArray(GivenTerritory.Turkey, GivenTerritory.Iran)), HttpStatusCode.BadRequest);

        problem.ShouldNameField("delegations", "one of the parties");
    }

    [Fact]
    public async Task delegations_and_parties_match_in_any_spelling()
    {
        var id = await Host.OpenedRoundAsync(GivenTerritory.Negotiation(b => b["delegations"]![0]!["party"] = $" {GivenTerritory.Turkey.ToUpperInvariant()} "));

        await Host.RevisedAsync($"/api/negotiations/{id}/corrections",
            Correction(1, b => b["parties"] = new JsonArray(GivenTerritory.Turkey.ToLowerInvariant(), GivenTerritory.Russia)));

        (await RoundAsync(id))["round"]!["parties"]![0]!.GetValue<string>().ShouldBe(GivenTerritory.Turkey.ToLowerInvariant());
    }

    [Fact]
    public async Task a_party_named_twice_in_two_spellings_is_400()
    {
        var body = GivenTerritory.Negotiation(b => b["parties"] = new JsonArray(GivenTerritory.Turkey, GivenTerritory.Russia, GivenTerritory.Russia.ToLowerInvariant()));

        (await Ledger.RefusedAsync("/api/negotiations", body, HttpStatusCode.BadRequest)).ShouldNameField("parties", "once");
    }

    [Fact]
    public async Task an_outcome_cannot_be_corrected_before_one_is_recorded()
    {
        var id = await Host.OpenedRoundAsync();

        var problem = await Ledger.RefusedAsync($"/api/negotiations/{id}/corrections",
            Correction(1, b => b["outcome"] = "agreement on joint patrols"), HttpStatusCode.BadRequest);

        problem.ShouldNameField("outcome", "no outcome");
    }

    [Fact]
    public async Task a_retracted_round_stays_readable_takes_no_outcome_and_no_proposal_names_it()
    {
        Ledger.Clock.Set(GivenTerritory.On(2, 26));
        var id = await Host.OpenedRoundAsync();
        Ledger.Clock.Set(GivenTerritory.On(2, 28));

        await Host.RevisedAsync($"/api/negotiations/{id}/retraction", Revising.Retraction(1, "no such round took place"));

        var round = await RoundAsync(id);
        round["retracted"]!.GetValue<bool>().ShouldBeTrue();
        round["retractionReason"]!.GetValue<string>().ShouldBe("no such round took place");
        round.Changes().ShouldBe(["recorded", "retracted"]);
        (await RoundAsync(id, "?asOf=2020-02-27"))["retracted"]!.GetValue<bool>().ShouldBeFalse();
        (await Ledger.RefusedAsync($"/api/negotiations/{id}/outcome", Outcome(), HttpStatusCode.Conflict))["detail"]!.GetValue<string>().ShouldContain("retracted");
        await Ledger.RefusedAsync($"/api/negotiations/{id}/corrections", Correction(2, b => b["place"] = "Moscow"), HttpStatusCode.Conflict);
        await Ledger.RefusedAsync($"/api/negotiations/{id}/retraction", Revising.Retraction(2), HttpStatusCode.Conflict);
        (await Ledger.RefusedAsync("/api/proposals", GivenTerritory.Proposal(b => b["negotiationRoundId"] = id), HttpStatusCode.BadRequest))
            .ShouldNameField("negotiationRoundId");
    }

    [Fact]
    public async Task a_stale_expected_version_is_409_and_appends_nothing()
    {
        var id = await Host.OpenedRoundAsync();
        await Host.OkAsync($"/api/negotiations/{id}/outcome", Outcome());

        await Ledger.RefusedAsync($"/api/negotiations/{id}/corrections", Correction(1, b => b["place"] = "Moscow"), HttpStatusCode.Conflict);
        await Ledger.RefusedAsync($"/api/negotiations/{id}/retraction", Revising.Retraction(1), HttpStatusCode.Conflict);

        (await Ledger.EventCountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task only_the_client_that_opened_it_or_an_admin_may_revise_it()
    {
        var (_, receipt) = await Host.PostAsAsync("desk-ankara", Roles.Analyst, "/api/negotiations", GivenTerritory.Negotiation());
        var id = receipt["id"]!.GetValue<Guid>();

        (await Host.PostAsAsync("desk-moscow", Roles.Analyst, $"/api/negotiations/{id}/corrections", Correction(1, b => b["place"] = "Moscow"))).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Host.PostAsAsync("desk-moscow", Roles.Analyst, $"/api/negotiations/{id}/retraction", Revising.Retraction(1))).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Ledger.EventCountAsync()).ShouldBe(1);
        (await Host.PostAsAsync("ops", Roles.Admin, $"/api/negotiations/{id}/corrections", Correction(1, b => b["place"] = "Moscow"))).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_correction_that_changes_nothing_is_400_and_an_unknown_round_404()
    {
        var id = await Host.OpenedRoundAsync();

        (await Ledger.RefusedAsync($"/api/negotiations/{id}/corrections", Correction(1, b => b["place"] = "Ankara"), HttpStatusCode.BadRequest))
            .ShouldNameField("reason", "changes nothing");
        await Ledger.RefusedAsync($"/api/negotiations/{Guid.NewGuid()}/corrections", Correction(1, b => b["place"] = "Moscow"), HttpStatusCode.NotFound);
        await Ledger.RefusedAsync($"/api/negotiations/{Guid.NewGuid()}/retraction", Revising.Retraction(1), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("one party", "parties", "two")]
    [InlineData("a delegation of chefs", "delegations[0].composition[0]", "military")]
    [InlineData("a blank agenda item", "agenda[0]", null)]
    [InlineData("a blank outcome", "outcome", null)]
    public async Task a_bad_field_is_400_naming_it_and_records_nothing(string @case, string field, string? says)
    {
        var id = await Host.OpenedRoundAsync();
        await Host.OkAsync($"/api/negotiations/{id}/outcome", Outcome());
        var body = Correction(2, b =>
        {
            switch (@case)
            {
                case "one party": b["parties"] = new JsonArray(GivenTerritory.Turkey); break;
                case "a delegation of chefs": b["delegations"] = new JsonArray(new JsonObject { ["party"] = GivenTerritory.Turkey, ["composition"] = new JsonArray("chef") }); break;
                case "a blank agenda item": b["agenda"] = new JsonArray(" "); break;
                default: b["outcome"] = " "; break;
            }
        });

        (await Ledger.RefusedAsync($"/api/negotiations/{id}/corrections", body, HttpStatusCode.BadRequest, @case)).ShouldNameField(field, says, @case);
    }
}
