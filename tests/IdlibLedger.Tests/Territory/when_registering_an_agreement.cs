using System.Net;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Territory;

/// <summary>RegisterAgreement: a baseline such as the Sochi memorandum (17 September 2018), with its zones and lines.</summary>
public sealed class when_registering_an_agreement(LedgerFixture ledger) : LedgerTest(ledger)
{
    [Fact]
    public async Task a_sochi_like_memorandum_is_registered_and_read_back_with_its_zone_areas()
    {
        using var response = await Host.PostJsonAsync("/api/agreements", GivenTerritory.Agreement());

        var receipt = await response.JsonAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, receipt.ToJsonString());
        var id = receipt["id"]!.GetValue<Guid>();
        response.Headers.Location!.ToString().ShouldBe($"/api/agreements/{id}");
        (await Ledger.EventCountAsync()).ShouldBe(1);

        var details = await Host.GetJsonAsync($"/api/agreements/{id}");
        var agreement = details["agreement"]!;
        agreement["signedOn"]!.GetValue<string>().ShouldBe("2018-09-17");
        agreement["parties"]!.AsArray().Select(p => p!.GetValue<string>()).ShouldBe([GivenTerritory.Russia, GivenTerritory.Turkey]);
        agreement["zones"]!.AsArray().Count.ShouldBe(2);
        agreement["zones"]![0]!["heldBy"]!.GetValue<string>().ShouldBe(GivenTerritory.Opposition);
        agreement["lines"]![0]!["name"]!.GetValue<string>().ShouldBe("Sochi line");

        var areas = details["zoneAreas"]!.AsArray();
        areas.Count.ShouldBe(2);
        areas[0]!["name"]!.GetValue<string>().ShouldBe("Idlib de-escalation zone");
        areas[0]!["heldBy"]!.GetValue<string>().ShouldBe(GivenTerritory.Opposition);
        areas[0]!["areaKm2"]!.GetValue<double>().ShouldBe(GivenTerritory.BoxKm2(36.3, 35.5, 36.9, 36.2), 0.01);
        areas[1]!["areaKm2"]!.GetValue<double>().ShouldBe(GivenTerritory.BoxKm2(36.5, 35.5, 36.9, 35.65), 0.01);
    }

    [Fact]
    public async Task as_of_before_its_registration_it_is_404()
    {
        Ledger.Clock.Set(GivenTerritory.On(3, 5));
        var id = await Host.RegisteredAgreementAsync();

        await Host.GetJsonAsync($"/api/agreements/{id}?asOf=2020-03-04", expectedStatus: 404);
        (await Host.GetJsonAsync($"/api/agreements/{id}?asOf=2020-03-05"))["agreement"]!["id"]!.GetValue<Guid>().ShouldBe(id);
    }

    [Fact]
    public async Task an_unknown_agreement_is_404()
    {
        var problem = await Host.GetJsonAsync($"/api/agreements/{Guid.NewGuid()}", expectedStatus: 404);

        problem["detail"]!.GetValue<string>().ShouldContain("no agreement");
    }

    [Fact]
    public async Task a_retry_with_the_same_id_is_not_appended_twice()
    {
        var body = GivenTerritory.Agreement(b => b["id"] = Guid.NewGuid());

        using var first = await Host.PostJsonAsync("/api/agreements", body);
        using var retry = await Host.PostJsonAsync("/api/agreements", body);

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        retry.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await retry.JsonAsync())["alreadyRecorded"]!.GetValue<bool>().ShouldBeTrue();
        (await Ledger.EventCountAsync()).ShouldBe(1);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("signedOn")]
    [InlineData("parties")]
    [InlineData("zones")]
    public async Task a_missing_field_is_400_naming_it_and_records_nothing(string field)
    {
        var problem = await Ledger.RefusedAsync("/api/agreements", GivenTerritory.Agreement(b => b.Remove(field)), HttpStatusCode.BadRequest, field);

        problem.ShouldNameField(field, null, field);
    }

    [Fact]
    public async Task a_zone_without_an_area_is_400_naming_it()
    {
        var problem = await Ledger.RefusedAsync(
            "/api/agreements", GivenTerritory.Agreement(b => b["zones"]![0]!.AsObject().Remove("area")), HttpStatusCode.BadRequest);

        problem.ShouldNameField("zones[0].area");
    }

    [Fact]
    public async Task a_line_that_is_a_polygon_is_400_naming_its_type()
    {
        var problem = await Ledger.RefusedAsync(
            "/api/agreements", GivenTerritory.Agreement(b => b["lines"]![0]!["line"] = GivenTerritory.Box(36.3, 35.5, 36.9, 35.6)), HttpStatusCode.BadRequest);

        problem.ShouldNameField("lines[0].line.type", "LineString");
    }

    [Fact]
    public async Task signed_in_the_future_is_400()
    {
        Ledger.Clock.Set(GivenTerritory.On(2, 26));

        var problem = await Ledger.RefusedAsync("/api/agreements", GivenTerritory.Agreement(b => b["signedOn"] = "2020-03-05"), HttpStatusCode.BadRequest);

        problem.ShouldNameField("signedOn", "future");
    }

    [Fact]
    public async Task zones_come_back_as_the_geometry_that_was_sent()
    {
        var id = await Host.RegisteredAgreementAsync();

        var zone = (await Host.GetJsonAsync($"/api/agreements/{id}"))["agreement"]!["zones"]![0]!;

        GivenTerritory.Read(zone["area"]!).EqualsTopologically(GivenTerritory.BoxWkt(36.3, 35.5, 36.9, 36.2)).ShouldBeTrue();
        zone["kind"]!.GetValue<string>().ShouldBe("de-escalation");
    }
}
