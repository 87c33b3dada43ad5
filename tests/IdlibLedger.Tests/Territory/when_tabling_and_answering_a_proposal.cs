using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Territory;

/// <summary>
/// ProposeMap and the answers to it. The seed: Russia's map moving the Sochi lines north of the M4 and M5,
/// putting much of Idlib under regime control and relocating Turkish observation posts; rejected by Turkey.
/// </summary>
public sealed class when_tabling_and_answering_a_proposal(LedgerFixture ledger) : LedgerTest(ledger)
{
    private const string Russia = GivenTerritory.Russia;
    private const string Turkey = GivenTerritory.Turkey;
    private const string Iran = GivenTerritory.Iran;

    /// <summary>Russia's map against the Sochi baseline, relocating the Morek post to near Saraqib.</summary>
    private async Task<Guid> SeedProposalAsync(Action<JsonObject>? change = null)
    {
        var sochi = await Host.RegisteredAgreementAsync();
        var morek = await Host.EstablishedPostAsync();
        return await Host.TabledProposalAsync(GivenTerritory.Proposal(b =>
        {
            b["baselineAgreementId"] = sochi;
            b["relocations"] = new JsonArray(new JsonObject { ["postId"] = morek, ["to"] = GivenTerritory.Point(36.80, 35.86) });
            change?.Invoke(b);
        }));
    }

    private Task<JsonObject> ProposalAsync(Guid id, string query = "") => Host.GetJsonAsync($"/api/proposals/{id}{query}");

    private static string Status(JsonObject details) => details["proposal"]!["status"]!.GetValue<string>();

    private static JsonObject AddressedTo(params string[] parties) =>
        GivenTerritory.Proposal(b => b["addressedTo"] = new JsonArray([.. parties.Select(p => (JsonNode)JsonValue.Create(p))]));

    [Fact]
    public async Task a_proposal_is_tabled_with_its_shares_changes_of_hands_and_relocations()
    {
        var id = await SeedProposalAsync();

        var details = await ProposalAsync(id);

        Status(details).ShouldBe("tabled");
        details["proposal"]!["terms"]!["proposer"]!.GetValue<string>().ShouldBe(Russia);
        details["region"]!.GetValue<string>().ShouldBe("idlib");
        var regime = details["shares"]!.AsArray().Single(s => s!["actor"]!.GetValue<string>() == GivenTerritory.Regime)!;
        regime["areaKm2"]!.GetValue<double>().ShouldBe(GivenTerritory.BoxKm2(36.5, 35.6, 36.8, 35.8), 0.01);
        regime["share"]!.GetValue<double>().ShouldBeInRange(0.01, 1.0);
        details["againstControlMap"]!["totalKm2"]!.GetValue<double>().ShouldBeGreaterThan(0);
        details["againstBaseline"].ShouldNotBeNull();
        details["againstBaseline"]!["byActor"]!.AsArray().ShouldContain(c => c!["actor"]!.GetValue<string>() == GivenTerritory.Opposition);
        var relocation = details["relocations"]!.AsArray().ShouldHaveSingleItem()!;
        relocation["name"]!.GetValue<string>().ShouldBe("Morek");
        // Morek (36.68, 35.37) to near Saraqib (36.80, 35.86): about 55 km north.
        relocation["distanceKm"]!.GetValue<double>().ShouldBeInRange(45, 65);
        (await Ledger.EventCountAsync()).ShouldBe(3);
    }

    [Fact]
    public async Task against_the_control_map_it_counts_the_ground_the_regime_would_gain()
    {
        await Host.RecordedControlChangeAsync(GivenTerritory.Opposition, GivenTerritory.Box(36.5, 35.6, 36.8, 35.8), "2020-01-10");
        var id = await Host.TabledProposalAsync();

        var change = (await ProposalAsync(id))["againstControlMap"]!;

        change["totalKm2"]!.GetValue<double>().ShouldBe(GivenTerritory.BoxKm2(36.5, 35.6, 36.8, 35.8), 0.01);
        var byActor = change["byActor"]!.AsArray().ToDictionary(c => c!["actor"]!.GetValue<string>());
        byActor[GivenTerritory.Regime]!["gainsKm2"]!.GetValue<double>().ShouldBe(change["totalKm2"]!.GetValue<double>(), 0.01);
        byActor[GivenTerritory.Opposition]!["losesKm2"]!.GetValue<double>().ShouldBe(change["totalKm2"]!.GetValue<double>(), 0.01);
    }

    [Fact]
    public async Task rejection_by_the_addressed_party_decides_it_and_a_later_acceptance_is_409()
    {
        var id = await SeedProposalAsync();

        var receipt = await Host.OkAsync($"/api/proposals/{id}/rejections", GivenTerritory.Answer(Turkey));

        receipt["version"]!.GetValue<int>().ShouldBe(2);
        Status(await ProposalAsync(id)).ShouldBe("rejected");
        var problem = await Ledger.RefusedAsync($"/api/proposals/{id}/acceptances", GivenTerritory.Answer(Turkey, "on reflection"), HttpStatusCode.Conflict);
        problem["detail"]!.GetValue<string>().ShouldContain("rejected");
    }

    [Fact]
    public async Task rejection_by_a_party_it_was_not_addressed_to_is_409()
    {
        var id = await SeedProposalAsync();

        var problem = await Ledger.RefusedAsync($"/api/proposals/{id}/rejections", GivenTerritory.Answer(Iran), HttpStatusCode.Conflict);

        problem["detail"]!.GetValue<string>().ShouldContain("not to");
        Status(await ProposalAsync(id)).ShouldBe("tabled");
    }

    [Fact]
    public async Task a_party_that_accepted_cannot_answer_again()
    {
        var id = await Host.TabledProposalAsync(AddressedTo(Turkey, Iran));
        await Host.OkAsync($"/api/proposals/{id}/acceptances", GivenTerritory.Answer(Turkey, "agreed"));
        Status(await ProposalAsync(id)).ShouldBe("tabled");

        var again = await Ledger.RefusedAsync($"/api/proposals/{id}/acceptances", GivenTerritory.Answer(Turkey, "agreed twice"), HttpStatusCode.Conflict);
        var thenRejects = await Ledger.RefusedAsync($"/api/proposals/{id}/rejections", GivenTerritory.Answer(Turkey), HttpStatusCode.Conflict);

        again["detail"]!.GetValue<string>().ShouldContain("already answered");
        thenRejects["detail"]!.GetValue<string>().ShouldContain("already answered");
    }

    [Fact]
    public async Task it_is_accepted_once_every_addressed_party_accepts()
    {
        var id = await Host.TabledProposalAsync(AddressedTo(Turkey, Iran));

        await Host.OkAsync($"/api/proposals/{id}/acceptances", GivenTerritory.Answer(Turkey, "agreed"));
        await Host.OkAsync($"/api/proposals/{id}/acceptances", GivenTerritory.Answer(Iran, "agreed"));

        var details = await ProposalAsync(id);
        Status(details).ShouldBe("accepted");
        details["proposal"]!["answers"]!.AsArray().Select(a => a!["party"]!.GetValue<string>()).ShouldBe([Turkey, Iran]);
        await Ledger.RefusedAsync($"/api/proposals/{id}/withdrawal", GivenTerritory.Answer(Russia, "too late"), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task an_addressee_answering_in_another_spelling_is_that_addressee_and_keeps_its_first_spelling()
    {
        var id = await Host.TabledProposalAsync(AddressedTo(Turkey, Iran));

        await Host.OkAsync($"/api/proposals/{id}/acceptances", GivenTerritory.Answer(Turkey.ToUpperInvariant(), "agreed"));
        var twice = await Ledger.RefusedAsync($"/api/proposals/{id}/rejections", GivenTerritory.Answer($" {Turkey.ToLowerInvariant()} "), HttpStatusCode.Conflict);
        await Host.OkAsync($"/api/proposals/{id}/acceptances", GivenTerritory.Answer(Iran.ToLowerInvariant(), "agreed"));

        twice["detail"]!.GetValue<string>().ShouldContain("already answered");
        var details = await ProposalAsync(id);
        Status(details).ShouldBe("accepted");
        details["proposal"]!["answers"]!.AsArray().Select(a => a!["party"]!.GetValue<string>()).ShouldBe([Turkey, Iran]);
    }

    [Fact]
    public async Task the_proposer_withdraws_it_in_another_spelling()
    {
        var id = await SeedProposalAsync();

        await Host.OkAsync($"/api/proposals/{id}/withdrawal", GivenTerritory.Answer(Russia.ToUpperInvariant(), "superseded"));

        var details = await ProposalAsync(id);
        Status(details).ShouldBe("withdrawn");
        details["proposal"]!["answers"]![0]!["party"]!.GetValue<string>().ShouldBe(Russia);
    }

    [Theory]
    [InlineData("Republic of Turkey", "republic of turkey")]
    [InlineData("Republic of Turkey", " REPUBLIC OF TURKEY ")]
    public async Task a_party_addressed_twice_in_two_spellings_is_400(string first, string second)
    {
        var problem = await Ledger.RefusedAsync("/api/proposals", AddressedTo(first, second), HttpStatusCode.BadRequest);

        problem.ShouldNameField("addressedTo", "once");
    }

    [Fact]
    public async Task a_proposal_addressed_to_its_proposer_in_another_spelling_is_400()
    {
        var problem = await Ledger.RefusedAsync("/api/proposals", AddressedTo(Turkey, Russia.ToLowerInvariant()), HttpStatusCode.BadRequest);

        problem.ShouldNameField("addressedTo", "itself");
    }

    [Fact]
    public async Task a_relocation_starts_where_the_post_stood_when_the_map_was_tabled_not_where_it_stands_later()
    {
        Ledger.Clock.Set(GivenTerritory.On(2, 20));
        var morek = await Host.EstablishedPostAsync();
        Ledger.Clock.Set(GivenTerritory.On(2, 26));
        var id = await Host.TabledProposalAsync(GivenTerritory.Proposal(b =>
            b["relocations"] = new JsonArray(new JsonObject { ["postId"] = morek, ["to"] = GivenTerritory.Point(36.80, 35.86) })));
        Ledger.Clock.Set(GivenTerritory.On(3, 2));
        await Host.OkAsync($"/api/observation-posts/{morek}/relocation",
            new JsonObject { ["location"] = GivenTerritory.Point(36.79, 35.85), ["reason"] = "moved north of the M5" });

        foreach (var asOf in new[] { "?asOf=2020-02-27", "" })
        {
            var relocation = (await ProposalAsync(id, asOf))["relocations"]!.AsArray().ShouldHaveSingleItem()!;
            relocation["from"]!.AsArray().Select(c => c!.GetValue<double>()).ShouldBe([36.68, 35.37], asOf);
            relocation["distanceKm"]!.GetValue<double>().ShouldBeInRange(45, 65, asOf);
        }

        // The post itself has moved: the list of posts shows it where it now stands.
        var posts = await Host.GetJsonAsync("/api/observation-posts");
        posts["features"]![0]!["geometry"]!["coordinates"]!.AsArray().Select(c => c!.GetValue<double>()).ShouldBe([36.79, 35.85]);
    }

    [Fact]
    public async Task only_the_proposer_can_withdraw_it()
    {
        var id = await SeedProposalAsync();

        var problem = await Ledger.RefusedAsync($"/api/proposals/{id}/withdrawal", GivenTerritory.Answer(Turkey, "not yours"), HttpStatusCode.Conflict);

        problem["detail"]!.GetValue<string>().ShouldContain("only the proposer");
        Status(await ProposalAsync(id)).ShouldBe("tabled");
    }

    [Fact]
    public async Task once_withdrawn_by_the_proposer_it_takes_no_answer()
    {
        var id = await SeedProposalAsync();

        await Host.OkAsync($"/api/proposals/{id}/withdrawal", GivenTerritory.Answer(Russia, "superseded"));

        Status(await ProposalAsync(id)).ShouldBe("withdrawn");
        await Ledger.RefusedAsync($"/api/proposals/{id}/rejections", GivenTerritory.Answer(Turkey), HttpStatusCode.Conflict);
        await Ledger.RefusedAsync($"/api/proposals/{id}/acceptances", GivenTerritory.Answer(Turkey, "agreed"), HttpStatusCode.Conflict);
        await Ledger.RefusedAsync($"/api/proposals/{id}/withdrawal", GivenTerritory.Answer(Russia, "again"), HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("rejections")]
    [InlineData("acceptances")]
    [InlineData("withdrawal")]
    public async Task answering_an_unknown_proposal_is_404(string answer)
    {
        await Ledger.RefusedAsync($"/api/proposals/{Guid.NewGuid()}/{answer}", GivenTerritory.Answer(Turkey), HttpStatusCode.NotFound, answer);
    }

    [Fact]
    public async Task an_unknown_proposal_is_404()
    {
        var problem = await Host.GetJsonAsync($"/api/proposals/{Guid.NewGuid()}", expectedStatus: 404);

        problem["detail"]!.GetValue<string>().ShouldContain("no proposal");
    }

    [Theory]
    [InlineData("party")]
    [InlineData("reason")]
    public async Task an_answer_without_party_or_reason_is_400_naming_it(string field)
    {
        var id = await SeedProposalAsync();
        var answer = GivenTerritory.Answer(Turkey);
        answer.Remove(field);

        var problem = await Ledger.RefusedAsync($"/api/proposals/{id}/rejections", answer, HttpStatusCode.BadRequest, field);

        problem.ShouldNameField(field, null, field);
    }

    [Theory]
    [InlineData("baselineAgreementId")]
    [InlineData("negotiationRoundId")]
    public async Task a_reference_to_nothing_the_ledger_holds_is_400_naming_it(string field)
    {
        var problem = await Ledger.RefusedAsync("/api/proposals", GivenTerritory.Proposal(b => b[field] = Guid.NewGuid()), HttpStatusCode.BadRequest, field);

        problem.ShouldNameField(field, null, field);
    }

    [Fact]
    public async Task a_relocation_of_an_unknown_post_is_400_naming_it()
    {
        var body = GivenTerritory.Proposal(b => b["relocations"] = new JsonArray(new JsonObject { ["postId"] = Guid.NewGuid(), ["to"] = GivenTerritory.Point(36.8, 35.86) }));

        var problem = await Ledger.RefusedAsync("/api/proposals", body, HttpStatusCode.BadRequest);

        problem.ShouldNameField("relocations[0].postId");
    }

    [Fact]
    public async Task a_relocation_to_a_polygon_is_400_naming_its_type()
    {
        var morek = await Host.EstablishedPostAsync();
        var body = GivenTerritory.Proposal(b => b["relocations"] = new JsonArray(new JsonObject { ["postId"] = morek, ["to"] = GivenTerritory.Box(36.5, 35.6, 36.8, 35.8) }));

        var problem = await Ledger.RefusedAsync("/api/proposals", body, HttpStatusCode.BadRequest);

        problem.ShouldNameField("relocations[0].to.type", "Point");
    }

    [Theory]
    [InlineData("proposer")]
    [InlineData("addressedTo")]
    [InlineData("areas")]
    public async Task a_proposal_without_a_required_field_is_400_naming_it(string field)
    {
        var problem = await Ledger.RefusedAsync("/api/proposals", GivenTerritory.Proposal(b => b.Remove(field)), HttpStatusCode.BadRequest, field);

        problem.ShouldNameField(field, null, field);
    }

    [Fact]
    public async Task a_proposal_addressed_to_its_proposer_is_400()
    {
        var problem = await Ledger.RefusedAsync("/api/proposals", AddressedTo(Russia), HttpStatusCode.BadRequest);

        problem.ShouldNameField("addressedTo", "itself");
    }

    [Fact]
    public async Task the_list_by_status_shows_the_rejected_one_and_as_of_before_the_rejection_it_was_tabled()
    {
        Ledger.Clock.Set(GivenTerritory.On(2, 20));
        var id = await SeedProposalAsync();
        Ledger.Clock.Set(GivenTerritory.On(2, 27));
        await Host.OkAsync($"/api/proposals/{id}/rejections", GivenTerritory.Answer(Turkey));

        var rejected = await Host.GetJsonAsync("/api/proposals?status=rejected");
        var tabled = await Host.GetJsonAsync("/api/proposals?status=tabled");
        var rejectedBefore = await Host.GetJsonAsync("/api/proposals?status=rejected&asOf=2020-02-21");
        var tabledBefore = await Host.GetJsonAsync("/api/proposals?status=tabled&asOf=2020-02-21");

        var item = rejected["items"]!.AsArray().ShouldHaveSingleItem()!;
        item["id"]!.GetValue<Guid>().ShouldBe(id);
        item["status"]!.GetValue<string>().ShouldBe("rejected");
        item["shares"]!.AsArray().ShouldContain(s => s!["actor"]!.GetValue<string>() == GivenTerritory.Regime);
        rejected["totalItems"]!.GetValue<long>().ShouldBe(1);
        tabled["items"]!.AsArray().ShouldBeEmpty();
        rejectedBefore["items"]!.AsArray().ShouldBeEmpty();
        tabledBefore["items"]!.AsArray().ShouldHaveSingleItem()!["id"]!.GetValue<Guid>().ShouldBe(id);
        Status(await ProposalAsync(id, "?asOf=2020-02-21")).ShouldBe("tabled");
        Status(await ProposalAsync(id, "?asOf=2020-02-27")).ShouldBe("rejected");
        await Host.GetJsonAsync($"/api/proposals/{id}?asOf=2020-02-19", expectedStatus: 404);
    }

    [Theory]
    [InlineData("/api/proposals?status=pending", "status")]
    [InlineData("/api/proposals?asOf=2020-13-45", "asOf")]
    [InlineData("/api/proposals?pageSize=0", "pageSize")]
    public async Task a_bad_list_query_is_400_naming_the_parameter(string url, string parameter)
    {
        var problem = await Ledger.RefusedAsync(HttpMethod.Get, url, null, HttpStatusCode.BadRequest, url);

        problem.ShouldNameField(parameter, null, url);
    }

    [Fact]
    public async Task an_unknown_status_is_refused_with_the_statuses_by_their_wire_names()
    {
        const string url = "/api/proposals?status=Tabled";

        var problem = await Ledger.RefusedAsync(HttpMethod.Get, url, null, HttpStatusCode.BadRequest, url);

        problem.ShouldNameField("status", "status is one of tabled, rejected, accepted, withdrawn", url);
    }
}
