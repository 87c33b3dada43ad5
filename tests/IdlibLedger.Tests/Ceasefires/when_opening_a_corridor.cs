using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;
using static IdlibLedger.Tests.Ceasefires.GivenCeasefires;

namespace IdlibLedger.Tests.Ceasefires;

/// <summary>
/// The seed's rule: "opening humanitarian corridors … cannot happen without reaching a cease-fire". OpenCorridor is
/// refused (409, with a reason, nothing stored) unless a ceasefire in effect at <c>opensAt</c> covers the whole route.
/// A corridor reads scheduled, open, unprotected (its ceasefire collapsed) or closed.
/// </summary>
public sealed class when_opening_a_corridor(LedgerFixture ledger) : CeasefireTest(ledger)
{
    private async Task<Guid> DeclaredAsync()
    {
        Ledger.Clock.Set(On(3, 5));
        return await Host.DeclaredCeasefireAsync();
    }

    [Fact]
    public async Task without_a_ceasefire_a_corridor_is_409_with_a_reason_and_nothing_is_stored()
    {
        Ledger.Clock.Set(On(3, 5));

        var problem = await Ledger.RefusedAsync("/api/corridors", Corridor(), HttpStatusCode.Conflict);

        problem["detail"]!.GetValue<string>().ShouldContain("cannot open without");
        (await Ledger.EventCountAsync()).ShouldBe(0);
        (await Host.GetJsonAsync("/api/corridors"))["features"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task with_a_ceasefire_in_effect_covering_the_route_it_opens()
    {
        var ceasefire = await DeclaredAsync();

        using var response = await Host.PostJsonAsync("/api/corridors", Corridor());

        var receipt = await response.JsonAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, receipt.ToJsonString());
        var id = receipt["id"]!.GetValue<Guid>();
        response.Headers.Location!.ToString().ShouldBe($"/api/corridors/{id}");
        (await Ledger.EventCountAsync()).ShouldBe(2);

        var feature = await Host.CorridorAsync(id, "at=2020-03-15");
        feature["geometry"]!["type"]!.GetValue<string>().ShouldBe("LineString");
        GivenTerritory.Read(feature["geometry"]!).EqualsTopologically(GivenTerritory.Read(Route())).ShouldBeTrue();
        var properties = feature["properties"]!;
        properties["name"]!.GetValue<string>().ShouldBe("M4 humanitarian corridor");
        properties["ceasefireId"]!.GetValue<Guid>().ShouldBe(ceasefire);
        properties["status"]!.GetValue<string>().ShouldBe("open");
    }

    [Fact]
    public async Task a_route_partly_outside_the_ceasefires_area_is_409()
    {
        await DeclaredAsync();
        var count = await Ledger.EventCountAsync();
        // From Ariha north to Harim: the last position lies north of lat 36.0.
        var route = GivenTerritory.Line((36.61, 35.81), (36.55, 35.95), (36.52, 36.20));

        var problem = await Ledger.RefusedAsync("/api/corridors", Corridor(route), HttpStatusCode.Conflict);

        problem["detail"]!.GetValue<string>().ShouldContain("whole route");
        (await Ledger.EventCountAsync()).ShouldBe(count);
    }

    [Theory]
    [InlineData("2020-03-05T12:00:00Z", "before the ceasefire takes effect")]
    [InlineData("2020-04-06T00:00:00Z", "when it expires")]
    [InlineData("2020-04-20T00:00:00Z", "after it expired")]
    public async Task a_corridor_opening_when_the_ceasefire_is_not_in_effect_is_409(string opensAt, string @case)
    {
        await DeclaredAsync();

        await Ledger.RefusedAsync("/api/corridors", Corridor(opensAt: opensAt), HttpStatusCode.Conflict, @case);
    }

    [Fact]
    public async Task a_corridor_opening_after_the_ceasefire_collapsed_is_409()
    {
        var ceasefire = await DeclaredAsync();
        Ledger.Clock.Set(On(3, 21));
        await Host.AcceptedAsync($"/api/ceasefires/{ceasefire}/collapse", Collapse("2020-03-20T00:00:00Z"));

        await Ledger.RefusedAsync("/api/corridors", Corridor(opensAt: "2020-03-22T06:00:00Z"), HttpStatusCode.Conflict);
        (await Host.OpenedCorridorAsync(Corridor(opensAt: "2020-03-19T06:00:00Z"))).ShouldNotBe(Guid.Empty);
    }

    [Fact]
    public async Task a_ceasefire_over_another_area_does_not_cover_the_route()
    {
        Ledger.Clock.Set(On(3, 5));
        // A ceasefire over the western box only (lon 36.3–36.5): the route starts at lon 36.6.
        await Host.DeclaredCeasefireAsync(Ceasefire(b => b["area"] = GivenTerritory.Box(36.3, 35.4, 36.5, 36.0)));

        await Ledger.RefusedAsync("/api/corridors", Corridor(), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task a_corridor_is_scheduled_then_open_then_unprotected_after_the_collapse_then_closed()
    {
        var ceasefire = await DeclaredAsync();
        var corridor = await Host.OpenedCorridorAsync();
        Ledger.Clock.Set(On(3, 21));
        await Host.AcceptedAsync($"/api/ceasefires/{ceasefire}/collapse", Collapse("2020-03-20T00:00:00Z"));
        Ledger.Clock.Set(On(3, 26));
        await Host.AcceptedAsync($"/api/corridors/{corridor}/closure", new JsonObject { ["reason"] = "shelling on the route" });

        (await Host.CorridorStatusAsync(corridor, "at=2020-03-09")).ShouldBe("scheduled");
        (await Host.CorridorStatusAsync(corridor, "at=2020-03-10T06:00:00Z")).ShouldBe("open");
        (await Host.CorridorStatusAsync(corridor, "at=2020-03-15")).ShouldBe("open");
        (await Host.CorridorStatusAsync(corridor, "at=2020-03-25")).ShouldBe("unprotected");
        (await Host.CorridorStatusAsync(corridor, "at=2020-03-27")).ShouldBe("closed");
        (await Host.CorridorStatusAsync(corridor, "at=2020-03-25&asOf=2020-03-20")).ShouldBe("open");
        (await Host.CorridorStatusAsync(corridor, "at=2020-03-27&asOf=2020-03-25")).ShouldBe("unprotected");
    }

    [Fact]
    public async Task after_the_ceasefire_expires_an_open_ended_corridor_is_unprotected()
    {
        await DeclaredAsync();
        var corridor = await Host.OpenedCorridorAsync();

        (await Host.CorridorStatusAsync(corridor, "at=2020-04-10")).ShouldBe("unprotected");
    }

    [Fact]
    public async Task a_corridor_with_closes_at_is_closed_from_then()
    {
        await DeclaredAsync();
        var corridor = await Host.OpenedCorridorAsync(Corridor(closesAt: "2020-03-12T18:00:00Z"));

        (await Host.CorridorStatusAsync(corridor, "at=2020-03-12T17:00:00Z")).ShouldBe("open");
        (await Host.CorridorStatusAsync(corridor, "at=2020-03-12T18:00:00Z")).ShouldBe("closed");
    }

    [Fact]
    public async Task a_second_closure_is_409()
    {
        await DeclaredAsync();
        var corridor = await Host.OpenedCorridorAsync();
        Ledger.Clock.Set(On(3, 26));
        await Host.AcceptedAsync($"/api/corridors/{corridor}/closure", new JsonObject { ["reason"] = "shelling on the route" });

        var problem = await Ledger.RefusedAsync($"/api/corridors/{corridor}/closure", new JsonObject { ["reason"] = "again" }, HttpStatusCode.Conflict);

        problem["detail"]!.GetValue<string>().ShouldContain("already closed");
        (await Ledger.EventCountAsync()).ShouldBe(3);
    }

    [Fact]
    public async Task closing_an_unknown_corridor_is_404()
    {
        await Ledger.RefusedAsync($"/api/corridors/{Guid.NewGuid()}/closure", new JsonObject { ["reason"] = "shelling" }, HttpStatusCode.NotFound);
    }
}
