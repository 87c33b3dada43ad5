using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Access;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;
using static IdlibLedger.Tests.Ceasefires.GivenCeasefires;

namespace IdlibLedger.Tests.Ceasefires;

/// <summary>
/// CorrectCeasefire and RetractCeasefire: the ceasefire's status and violations at (at, asOf) follow — a read at an
/// asOf before the correction uses the original area and period — and the <c>ceasefires</c> table corridors are
/// checked against follows at once; a retracted ceasefire leaves the list and covers nothing.
/// </summary>
public sealed class correcting_and_retracting_a_ceasefire(LedgerFixture ledger) : CeasefireTest(ledger)
{
    // Inside the declared box (lon 36.3–36.9, lat 35.4–36.0), and Harim, north of it but inside the corrected one (to lat 36.3).
    private static readonly (double Lon, double Lat) MaaratAlNuman = (36.67, 35.65);
    private static readonly (double Lon, double Lat) Ariha = (36.61, 35.81);
    private static readonly (double Lon, double Lat) Harim = (36.52, 36.20);

    /// <summary>A route from Ariha north to Harim: outside the declared area, inside the corrected one.</summary>
    private static JsonObject NorthernRoute() => GivenTerritory.Line((36.61, 35.81), (36.55, 35.95), (36.52, 36.20));

    private static JsonObject Correction(long expectedVersion, Action<JsonObject> fields)
    {
        var body = new JsonObject { ["expectedVersion"] = expectedVersion, ["reason"] = "the protocol's text as published by the Russian MoD" };
        fields(body);
        return body;
    }

    private static JsonObject Retraction(long expectedVersion) => new() { ["expectedVersion"] = expectedVersion, ["reason"] = "declared twice by the same desk" };

    /// <summary>
    /// Declared on 5 March; three regime attacks recorded on 20 March (Ma'arrat al-Nu'man 2 killed, Ariha 1 killed under
    /// a lower-case spelling of the party, Harim 9 killed, outside the declared area); on 25 March the area is corrected
    /// to take in Harim, the end moved to 20 April and the terms reworded.
    /// </summary>
    private async Task<Guid> CorrectedCeasefireAsync()
    {
        Ledger.Clock.Set(On(3, 5));
        var id = await Host.DeclaredCeasefireAsync();
        Ledger.Clock.Set(On(3, 20));
        await Host.ReportedAttackAsync(Attack(Regime, "2020-03-10T08:00:00Z", MaaratAlNuman.Lon, MaaratAlNuman.Lat, killed: 2));
        await Host.ReportedAttackAsync(Attack("syrian arab army", "2020-03-14T08:00:00Z", Ariha.Lon, Ariha.Lat, killed: 1));
        await Host.ReportedAttackAsync(Attack(Regime, "2020-03-12T08:00:00Z", Harim.Lon, Harim.Lat, killed: 9));

        Ledger.Clock.Set(On(3, 25));
        var receipt = await Host.OkAsync($"/api/ceasefires/{id}/corrections", Correction(1, body =>
        {
            body["area"] = GivenTerritory.Box(36.3, 35.4, 36.9, 36.3);
            body["effectiveUntil"] = "2020-04-20T00:00:00Z";
            body["terms"] = "Cessation of all military actions in the Idlib de-escalation area";
        }));
        receipt["version"]!.GetValue<int>().ShouldBe(2);
        return id;
    }

    [Fact]
    public async Task before_the_correction_the_original_area_and_period_after_it_the_corrected_ones()
    {
        var id = await CorrectedCeasefireAsync();

        var before = await Host.CeasefireAsync(id, "at=2020-04-10&asOf=2020-03-21");
        var after = await Host.CeasefireAsync(id, "at=2020-04-10&asOf=2020-03-26");

        before["version"]!.GetValue<int>().ShouldBe(1);
        before["effectiveUntil"]!.GetValue<DateTimeOffset>().ShouldBe(On(4, 6, 0));
        before["status"]!.GetValue<string>().ShouldBe("expired");
        before["violationCount"]!.GetValue<int>().ShouldBe(2, "Ma'arrat and Ariha; Harim lay outside the declared area");
        before["violationKilled"]!.Estimate().ShouldBe((3, 3, 3));
        before["terms"]!.GetValue<string>().ShouldContain("line of contact");

        after["version"]!.GetValue<int>().ShouldBe(2);
        after["effectiveUntil"]!.GetValue<DateTimeOffset>().ShouldBe(On(4, 20, 0));
        after["status"]!.GetValue<string>().ShouldBe("violated");
        after["violationCount"]!.GetValue<int>().ShouldBe(3);
        after["violationKilled"]!.Estimate().ShouldBe((12, 12, 12));
        after["areaKm2"]!.GetValue<double>().ShouldBeGreaterThan(before["areaKm2"]!.GetValue<double>());
        var correction = after["history"]!.AsArray()[1]!;
        correction["change"]!.GetValue<string>().ShouldBe("corrected");
        correction["by"]!.GetValue<string>().ShouldBe(Credentials.TestDesk);
        correction["fields"]!.AsArray().Select(f => f!.GetValue<string>()).ShouldBe(["effectiveUntil", "area", "terms"]);
        (await Host.GetJsonAsync("/api/ceasefires?at=2020-04-10&asOf=2020-03-21"))["items"]![0]!["status"]!.GetValue<string>().ShouldBe("expired");
        (await Host.GetJsonAsync("/api/ceasefires?at=2020-04-10&asOf=2020-03-26"))["items"]![0]!["status"]!.GetValue<string>().ShouldBe("violated");
    }

    [Fact]
    public async Task a_corridor_is_checked_against_the_corrected_area_and_a_retracted_ceasefire_covers_nothing()
    {
        Ledger.Clock.Set(On(3, 5));
        var id = await Host.DeclaredCeasefireAsync();
        await Ledger.RefusedAsync("/api/corridors", Corridor(NorthernRoute()), HttpStatusCode.Conflict, "before the correction");

        await Host.OkAsync($"/api/ceasefires/{id}/corrections", Correction(1, body => body["area"] = GivenTerritory.Box(36.3, 35.4, 36.9, 36.3)));
        var corridor = await Host.OpenedCorridorAsync(Corridor(NorthernRoute()));

        Ledger.Clock.Set(On(3, 12));
        await Host.OkAsync($"/api/ceasefires/{id}/retraction", Retraction(2));
        Ledger.Clock.Set(On(3, 13));

        await Ledger.RefusedAsync("/api/corridors", Corridor(), HttpStatusCode.Conflict, "after the retraction");
        (await Host.CorridorStatusAsync(corridor, "at=2020-03-11T00:00:00Z&asOf=2020-03-11")).ShouldBe("open");
        (await Host.CorridorStatusAsync(corridor, "at=2020-03-11T00:00:00Z")).ShouldBe("unprotected");
        (await Ledger.ScalarAsync($"select count(*) from {LedgerFixture.Schema}.{IdlibLedger.Ceasefires.CeasefireTable.Name}")).ShouldBe(0L);
    }

    [Fact]
    public async Task a_retracted_ceasefire_leaves_the_list_but_stays_readable_by_id()
    {
        var id = await CorrectedCeasefireAsync();
        Ledger.Clock.Set(On(3, 28));

        var receipt = await Host.OkAsync($"/api/ceasefires/{id}/retraction", Retraction(2));

        receipt["version"]!.GetValue<int>().ShouldBe(3);
        (await Host.GetJsonAsync("/api/ceasefires"))["items"]!.AsArray().ShouldBeEmpty();
        (await Host.GetJsonAsync("/api/ceasefires?asOf=2020-03-27"))["items"]!.AsArray().Count.ShouldBe(1);
        (await Host.GetJsonAsync("/api/ceasefires?asOf=2020-03-21"))["items"]![0]!["version"]!.GetValue<int>().ShouldBe(1);
        var ceasefire = await Host.CeasefireAsync(id);
        ceasefire["retracted"]!.GetValue<bool>().ShouldBeTrue();
        ceasefire["retractionReason"]!.GetValue<string>().ShouldContain("declared twice");
        ceasefire["history"]!.AsArray().Select(h => h!["change"]!.GetValue<string>()).ShouldBe(["recorded", "corrected", "retracted"]);
        (await Host.CeasefireAsync(id, "asOf=2020-03-27"))["retracted"]!.GetValue<bool>().ShouldBeFalse();

        (await Ledger.RefusedAsync($"/api/ceasefires/{id}/corrections", Correction(3, b => b["terms"] = "x"), HttpStatusCode.Conflict))["detail"]!
            .GetValue<string>().ShouldContain("retracted");
        await Ledger.RefusedAsync($"/api/ceasefires/{id}/retraction", Retraction(3), HttpStatusCode.Conflict, "a second retraction");
        await Ledger.RefusedAsync($"/api/ceasefires/{id}/extension", Extension("2020-05-06T00:00:00Z", extendedAt: "2020-03-27T00:00:00Z"), HttpStatusCode.Conflict, "an extension");
    }

    [Fact]
    public async Task a_stale_expected_version_is_409_and_appends_nothing()
    {
        var id = await CorrectedCeasefireAsync();

        var problem = await Ledger.RefusedAsync($"/api/ceasefires/{id}/corrections", Correction(1, b => b["terms"] = "another desk, unaware"), HttpStatusCode.Conflict);
        await Ledger.RefusedAsync($"/api/ceasefires/{id}/retraction", Retraction(1), HttpStatusCode.Conflict, "retraction");

        problem["detail"]!.GetValue<string>().ShouldContain("is at version 2, not 1");
    }

    [Fact]
    public async Task another_client_may_not_correct_or_retract_it_but_an_admin_may()
    {
        Ledger.Clock.Set(On(3, 5));
        var id = await Host.DeclaredCeasefireAsync();
        var before = await Ledger.EventCountAsync();
        using var otherDesk = Host.Client("desk-gaziantep", Roles.Analyst);
        using var admin = Host.Client("ops", Roles.Admin);

        using var correction = await otherDesk.PostAsync($"/api/ceasefires/{id}/corrections", Json(Correction(1, b => b["terms"] = "x")));
        using var retraction = await otherDesk.PostAsync($"/api/ceasefires/{id}/retraction", Json(Retraction(1)));

        correction.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        retraction.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Ledger.EventCountAsync()).ShouldBe(before);
        using var byAdmin = await admin.PostAsync($"/api/ceasefires/{id}/corrections", Json(Correction(1, b => b["terms"] = "x")));
        byAdmin.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_correction_that_changes_nothing_is_400_on_reason()
    {
        Ledger.Clock.Set(On(3, 5));
        var id = await Host.DeclaredCeasefireAsync();

        var problem = await Ledger.RefusedAsync($"/api/ceasefires/{id}/corrections",
            Correction(1, b => { b["parties"] = new JsonArray(Regime, Opposition); b["effectiveFrom"] = EffectiveFrom; }), HttpStatusCode.BadRequest);

        problem.ShouldNameField("reason", "changes nothing");
    }

    [Fact]
    public async Task correcting_an_unknown_ceasefire_is_404()
    {
        await Ledger.RefusedAsync($"/api/ceasefires/{Guid.NewGuid()}/corrections", Correction(1, b => b["terms"] = "x"), HttpStatusCode.NotFound, "correction");
        await Ledger.RefusedAsync($"/api/ceasefires/{Guid.NewGuid()}/retraction", Retraction(1), HttpStatusCode.NotFound, "retraction");
    }

    public static TheoryData<string, string, string> BadCorrections() => new()
    {
        { "the same party twice, in another case", """{"parties": ["Syrian Arab Army", "syrian arab army "]}""", "parties[1]" },
        { "an end before the declared start", """{"effectiveUntil": "2020-03-01T00:00:00Z"}""", "effectiveUntil" },
        { "a start after the declared end", """{"effectiveFrom": "2020-05-01T00:00:00Z"}""", "effectiveFrom" },
        { "an agreement the ledger does not hold", $$"""{"implementsAgreementId": "{{Guid.NewGuid()}}"}""", "implementsAgreementId" },
        { "an unknown region", """{"region": "atlantis"}""", "region" },
        { "an area and a region", """{"region": "idlib", "area": {"type": "Polygon", "coordinates": [[[36.3, 35.4], [36.9, 35.4], [36.9, 36.0], [36.3, 36.0], [36.3, 35.4]]]}}""", "region" },
        { "a line for an area", """{"area": {"type": "LineString", "coordinates": [[36.3, 35.4], [36.9, 35.4]]}}""", "area.type" },
        { "an empty list of parties", """{"parties": []}""", "parties" },
        { "a blank declaredBy", """{"declaredBy": " "}""", "declaredBy" },
        { "no field at all", "{}", "reason" },
    };

    [Theory]
    [MemberData(nameof(BadCorrections))]
    public async Task a_bad_field_is_400_naming_it_and_nothing_is_stored(string @case, string fields, string field)
    {
        Ledger.Clock.Set(On(3, 5));
        var id = await Host.DeclaredCeasefireAsync();
        var body = JsonNode.Parse(fields)!.AsObject();
        body["expectedVersion"] = 1;
        body["reason"] = "a correction";

        var problem = await Ledger.RefusedAsync($"/api/ceasefires/{id}/corrections", body, HttpStatusCode.BadRequest, @case);

        problem.ShouldNameField(field, null, @case);
        (await Host.CeasefireAsync(id))["version"]!.GetValue<int>().ShouldBe(1);
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
}
