using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Access;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Territory;

/// <summary>
/// CorrectAgreement and RetractAgreement: new events, never edits. The agreement's own read and the proposals measured
/// against it show what was known at <c>asOf</c>; a retracted agreement counts as not registered for new commands.
/// </summary>
public sealed class when_correcting_or_retracting_an_agreement(LedgerFixture ledger) : LedgerTest(ledger)
{
    private const string Hts = "Hay'at Tahrir al-Sham";

    private static JsonObject Correction(long expectedVersion, Action<JsonObject> change)
    {
        var body = new JsonObject { ["expectedVersion"] = expectedVersion, ["reason"] = "the memorandum's annex leaves the zone to HTS" };
        change(body);
        return body;
    }

    /// <summary>The Sochi-like agreement with its de-escalation zone held by <paramref name="heldBy"/>.</summary>
    private static JsonArray Zones(string heldBy) =>
    [
        new JsonObject { ["name"] = "Idlib de-escalation zone", ["kind"] = "de-escalation", ["heldBy"] = heldBy, ["area"] = GivenTerritory.Box(36.3, 35.5, 36.9, 36.2) },
    ];

    private Task<JsonObject> AgreementAsync(Guid id, string query = "") => Host.GetJsonAsync($"/api/agreements/{id}{query}");

    private static List<string> BaselineActors(JsonObject proposal) =>
        [.. proposal["againstBaseline"]!["byActor"]!.AsArray().Select(c => c!["actor"]!.GetValue<string>())];

    [Fact]
    public async Task a_correction_shows_after_it_and_not_before_it_in_the_agreement_and_in_a_proposal_against_it()
    {
        Ledger.Clock.Set(GivenTerritory.On(3, 5));
        var id = await Host.RegisteredAgreementAsync();
        var proposal = await Host.TabledProposalAsync(GivenTerritory.Proposal(b => b["baselineAgreementId"] = id));
        Ledger.Clock.Set(GivenTerritory.On(3, 6));

        var receipt = await Host.RevisedAsync($"/api/agreements/{id}/corrections", Correction(1, b =>
        {
            b["zones"] = Zones(Hts);
            b["parties"] = new JsonArray(GivenTerritory.Russia, GivenTerritory.Turkey, GivenTerritory.Iran);
        }));

        receipt["version"]!.GetValue<int>().ShouldBe(2);
        var before = (await AgreementAsync(id, "?asOf=2020-03-05"))["agreement"]!;
        before["version"]!.GetValue<int>().ShouldBe(1);
        before["zones"]!.AsArray().Count.ShouldBe(2);
        before["zones"]![0]!["heldBy"]!.GetValue<string>().ShouldBe(GivenTerritory.Opposition);
        before.Changes().ShouldBe(["recorded"]);
        var after = await AgreementAsync(id);
        after["agreement"]!["version"]!.GetValue<int>().ShouldBe(2);
        after["agreement"]!["zones"]!.AsArray().ShouldHaveSingleItem()!["heldBy"]!.GetValue<string>().ShouldBe(Hts);
        after["agreement"]!["parties"]!.AsArray().Count.ShouldBe(3);
        after["zoneAreas"]!.AsArray().ShouldHaveSingleItem()!["heldBy"]!.GetValue<string>().ShouldBe(Hts);
        after["agreement"]!.Changes().ShouldBe(["recorded", "corrected"]);
        var corrected = after["agreement"]!["history"]![1]!;
        corrected["fields"]!.AsArray().Select(f => f!.GetValue<string>()).ShouldBe(["parties", "zones"]);
        corrected["reason"]!.GetValue<string>().ShouldContain("annex");
        corrected["by"]!.GetValue<string>().ShouldBe(Credentials.TestDesk);
        after["agreement"]!["recordedBy"]!.GetValue<string>().ShouldBe(Credentials.TestDesk);

        BaselineActors(await Host.GetJsonAsync($"/api/proposals/{proposal}?asOf=2020-03-05")).ShouldContain(GivenTerritory.Opposition);
        var now = BaselineActors(await Host.GetJsonAsync($"/api/proposals/{proposal}"));
        now.ShouldContain(Hts);
        now.ShouldNotContain(GivenTerritory.Opposition);
        (await Ledger.EventCountAsync()).ShouldBe(3);
    }

    [Fact]
    public async Task a_retracted_agreement_stays_readable_but_counts_as_not_registered_from_then_on()
    {
        Ledger.Clock.Set(GivenTerritory.On(3, 5));
        var id = await Host.RegisteredAgreementAsync();
        var proposal = await Host.TabledProposalAsync(GivenTerritory.Proposal(b => b["baselineAgreementId"] = id));
        Ledger.Clock.Set(GivenTerritory.On(3, 7));

        var receipt = await Host.RevisedAsync($"/api/agreements/{id}/retraction", Revising.Retraction(1, "registered twice"));

        receipt["version"]!.GetValue<int>().ShouldBe(2);
        var retracted = (await AgreementAsync(id))["agreement"]!;
        retracted["retracted"]!.GetValue<bool>().ShouldBeTrue();
        retracted["retractionReason"]!.GetValue<string>().ShouldBe("registered twice");
        retracted.Changes().ShouldBe(["recorded", "retracted"]);
        (await AgreementAsync(id, "?asOf=2020-03-06"))["agreement"]!["retracted"]!.GetValue<bool>().ShouldBeFalse();
        (await Host.GetJsonAsync($"/api/proposals/{proposal}"))["againstBaseline"].ShouldBeNull();
        (await Host.GetJsonAsync($"/api/proposals/{proposal}?asOf=2020-03-06"))["againstBaseline"].ShouldNotBeNull();

        var problem = await Ledger.RefusedAsync("/api/proposals", GivenTerritory.Proposal(b => b["baselineAgreementId"] = id), HttpStatusCode.BadRequest);
        problem.ShouldNameField("baselineAgreementId", "no agreement");
        (await Ledger.RefusedAsync("/api/ceasefires", Ceasefires.GivenCeasefires.Ceasefire(b => b["implementsAgreementId"] = id.ToString()), HttpStatusCode.BadRequest))
            .ShouldNameField("implementsAgreementId", "retracted");
        (await Ledger.RefusedAsync($"/api/agreements/{id}/corrections", Correction(2, b => b["name"] = "Sochi"), HttpStatusCode.Conflict))
            ["detail"]!.GetValue<string>().ShouldContain("retracted");
        await Ledger.RefusedAsync($"/api/agreements/{id}/retraction", Revising.Retraction(2), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task a_stale_expected_version_is_409_and_appends_nothing()
    {
        var id = await Host.RegisteredAgreementAsync();
        await Host.RevisedAsync($"/api/agreements/{id}/corrections", Correction(1, b => b["name"] = "Sochi memorandum"));

        var stale = await Ledger.RefusedAsync($"/api/agreements/{id}/corrections", Correction(1, b => b["name"] = "Sochi memorandum (2018)"), HttpStatusCode.Conflict);
        await Ledger.RefusedAsync($"/api/agreements/{id}/retraction", Revising.Retraction(1), HttpStatusCode.Conflict);

        stale["detail"]!.GetValue<string>().ShouldContain("is at version 2, not 1");
        (await Ledger.EventCountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task only_the_client_that_registered_it_or_an_admin_may_revise_it()
    {
        var (status, receipt) = await Host.PostAsAsync("desk-moscow", Roles.Analyst, "/api/agreements", GivenTerritory.Agreement());
        status.ShouldBe(HttpStatusCode.Created);
        var id = receipt["id"]!.GetValue<Guid>();

        var (corrected, problem) = await Host.PostAsAsync("desk-ankara", Roles.Analyst, $"/api/agreements/{id}/corrections", Correction(1, b => b["name"] = "Sochi"));
        var (retracted, _) = await Host.PostAsAsync("desk-ankara", Roles.Analyst, $"/api/agreements/{id}/retraction", Revising.Retraction(1));

        corrected.ShouldBe(HttpStatusCode.Forbidden);
        retracted.ShouldBe(HttpStatusCode.Forbidden);
        problem["detail"]!.GetValue<string>().ShouldContain("desk-moscow");
        (await Ledger.EventCountAsync()).ShouldBe(1);
        (await Host.PostAsAsync("ops", Roles.Admin, $"/api/agreements/{id}/corrections", Correction(1, b => b["name"] = "Sochi"))).Status.ShouldBe(HttpStatusCode.OK);
        (await Host.PostAsAsync("desk-moscow", Roles.Analyst, $"/api/agreements/{id}/retraction", Revising.Retraction(2))).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_correction_that_changes_nothing_is_400_on_reason()
    {
        var id = await Host.RegisteredAgreementAsync();
        var name = GivenTerritory.Agreement()["name"]!.GetValue<string>();

        (await Ledger.RefusedAsync($"/api/agreements/{id}/corrections", Correction(1, b => b["name"] = name), HttpStatusCode.BadRequest))
            .ShouldNameField("reason", "changes nothing");
        (await Ledger.RefusedAsync($"/api/agreements/{id}/corrections", Correction(1, _ => { }), HttpStatusCode.BadRequest))
            .ShouldNameField("reason", "at least one field");
    }

    [Fact]
    public async Task revising_an_unknown_agreement_is_404()
    {
        await Ledger.RefusedAsync($"/api/agreements/{Guid.NewGuid()}/corrections", Correction(1, b => b["name"] = "Sochi"), HttpStatusCode.NotFound);
        await Ledger.RefusedAsync($"/api/agreements/{Guid.NewGuid()}/retraction", Revising.Retraction(1), HttpStatusCode.NotFound);
    }

    public static TheoryData<string, string, string, string?> BadCorrections()
    {
        var rows = new TheoryData<string, string, string, string?>();
        void AddRow(string @case, Action<JsonObject> change, string field, string? says = null) => rows.Add(@case, Correction(1, change).ToJsonString(), field, says);

        AddRow("name blank", b => b["name"] = " ", "name");
        AddRow("signed in the future", b => b["signedOn"] = "2031-01-01", "signedOn", "future");
        AddRow("no party", b => b["parties"] = new JsonArray(), "parties", "at least one party");
        AddRow("a party twice, spelled two ways", b => b["parties"] = new JsonArray(GivenTerritory.Russia, GivenTerritory.Russia.ToUpperInvariant()), "parties", "once");
        AddRow("a zone without an area", b => b["zones"] = new JsonArray(new JsonObject { ["name"] = "zone" }), "zones[0].area");
        AddRow("a line that is a polygon", b => b["lines"] = new JsonArray(new JsonObject { ["name"] = "line", ["line"] = GivenTerritory.Box(36.3, 35.5, 36.9, 35.6) }), "lines[0].line.type", "LineString");
        AddRow("no reason", b => b.Remove("reason"), "reason");
        AddRow("expectedVersion 0", b => b["expectedVersion"] = 0, "expectedVersion");
        return rows;
    }

    [Theory]
    [MemberData(nameof(BadCorrections))]
    public async Task a_bad_correction_is_400_naming_the_field_and_records_nothing(string @case, string body, string field, string? says)
    {
        Ledger.Clock.Set(GivenTerritory.On(3, 5));
        var id = await Host.RegisteredAgreementAsync();

        var problem = await Ledger.RefusedAsync(HttpMethod.Post, $"/api/agreements/{id}/corrections", body, HttpStatusCode.BadRequest, @case);

        problem.ShouldNameField(field, says, @case);
        (await AgreementAsync(id))["agreement"]!["version"]!.GetValue<int>().ShouldBe(1);
    }

    [Theory]
    [InlineData("Russian Federation", "russian federation")]
    [InlineData("Republic of Turkey", "REPUBLIC OF TURKEY ")]
    public async Task registering_a_party_twice_in_two_spellings_is_400(string first, string second)
    {
        var problem = await Ledger.RefusedAsync("/api/agreements", GivenTerritory.Agreement(b => b["parties"] = new JsonArray(first, second)), HttpStatusCode.BadRequest);

        problem.ShouldNameField("parties", "once");
    }
}
