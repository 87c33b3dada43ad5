using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Access;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;
using static IdlibLedger.Tests.Ceasefires.GivenCeasefires;

namespace IdlibLedger.Tests.Ceasefires;

/// <summary>
/// CorrectCorridor and RetractCorridor, and the closing rule: the corridor reads (the list and the one by id) at
/// (at, asOf) follow, a corrected route or opening is checked against the ceasefires again, and a corridor closes
/// no earlier than it opens.
/// </summary>
public sealed class correcting_and_retracting_a_corridor(LedgerFixture ledger) : CeasefireTest(ledger)
{
    private static JsonObject Correction(long expectedVersion, Action<JsonObject> fields)
    {
        var body = new JsonObject { ["expectedVersion"] = expectedVersion, ["reason"] = "as OCHA's access map shows it" };
        fields(body);
        return body;
    }

    private static JsonObject Retraction(long expectedVersion) => new() { ["expectedVersion"] = expectedVersion, ["reason"] = "opened twice by the same desk" };

    /// <summary>The ceasefire declared on 5 March, and the M4 corridor opened the same day, from 10 March, with no planned end.</summary>
    private async Task<(Guid Ceasefire, Guid Corridor)> OpenedAsync()
    {
        Ledger.Clock.Set(On(3, 5));
        var ceasefire = await Host.DeclaredCeasefireAsync();
        return (ceasefire, await Host.OpenedCorridorAsync());
    }

    [Fact]
    public async Task before_the_correction_the_original_corridor_after_it_the_corrected_one()
    {
        var (ceasefire, id) = await OpenedAsync();
        Ledger.Clock.Set(On(3, 15));

        var receipt = await Host.OkAsync($"/api/corridors/{id}/corrections", Correction(1, b =>
        {
            b["name"] = "Ariha–Saraqib corridor";
            b["closesAt"] = "2020-03-20T00:00:00Z";
        }));

        receipt["version"]!.GetValue<int>().ShouldBe(2);
        var before = await Host.GetJsonAsync($"/api/corridors/{id}?at=2020-03-21&asOf=2020-03-14");
        var after = await Host.GetJsonAsync($"/api/corridors/{id}?at=2020-03-21&asOf=2020-03-16");
        before["name"]!.GetValue<string>().ShouldBe("M4 humanitarian corridor");
        before["status"]!.GetValue<string>().ShouldBe("open");
        before["version"]!.GetValue<int>().ShouldBe(1);
        after["name"]!.GetValue<string>().ShouldBe("Ariha–Saraqib corridor");
        after["status"]!.GetValue<string>().ShouldBe("closed");
        after["closesAt"]!.GetValue<DateTimeOffset>().ShouldBe(On(3, 20, 0));
        after["ceasefireId"]!.GetValue<Guid>().ShouldBe(ceasefire);
        after["history"]![1]!["fields"]!.AsArray().Select(f => f!.GetValue<string>()).ShouldBe(["name", "closesAt"]);
        (await Host.CorridorAsync(id, "at=2020-03-21&asOf=2020-03-14"))["properties"]!["name"]!.GetValue<string>().ShouldBe("M4 humanitarian corridor");
        (await Host.CorridorStatusAsync(id, "at=2020-03-21&asOf=2020-03-14")).ShouldBe("open");
        (await Host.CorridorStatusAsync(id, "at=2020-03-21&asOf=2020-03-16")).ShouldBe("closed");
    }

    [Fact]
    public async Task a_corrected_route_or_opening_must_still_lie_under_a_ceasefire()
    {
        var (_, id) = await OpenedAsync();
        var north = GivenTerritory.Line((36.61, 35.81), (36.55, 35.95), (36.52, 36.20));

        (await Ledger.RefusedAsync($"/api/corridors/{id}/corrections", Correction(1, b => b["route"] = north), HttpStatusCode.Conflict, "route"))["detail"]!
            .GetValue<string>().ShouldContain("whole route");
        await Ledger.RefusedAsync($"/api/corridors/{id}/corrections", Correction(1, b => b["opensAt"] = "2020-03-05T12:00:00Z"), HttpStatusCode.Conflict, "opening");

        await Host.OkAsync($"/api/corridors/{id}/corrections", Correction(1, b => b["opensAt"] = "2020-03-08T06:00:00Z"));
        (await Host.CorridorStatusAsync(id, "at=2020-03-09")).ShouldBe("open");
    }

    [Fact]
    public async Task a_retracted_corridor_leaves_the_list_but_stays_readable_by_id()
    {
        var (_, id) = await OpenedAsync();
        Ledger.Clock.Set(On(3, 22));

        await Host.OkAsync($"/api/corridors/{id}/retraction", Retraction(1));

        (await Host.GetJsonAsync("/api/corridors"))["features"]!.AsArray().ShouldBeEmpty();
        (await Host.CorridorStatusAsync(id, "at=2020-03-15&asOf=2020-03-21")).ShouldBe("open");
        var corridor = await Host.GetJsonAsync($"/api/corridors/{id}");
        corridor["retracted"]!.GetValue<bool>().ShouldBeTrue();
        corridor["version"]!.GetValue<int>().ShouldBe(2);
        (await Host.GetJsonAsync($"/api/corridors/{id}?asOf=2020-03-21"))["retracted"]!.GetValue<bool>().ShouldBeFalse();
        await Ledger.RefusedAsync($"/api/corridors/{id}/corrections", Correction(2, b => b["name"] = "x"), HttpStatusCode.Conflict, "a correction");
        await Ledger.RefusedAsync($"/api/corridors/{id}/retraction", Retraction(2), HttpStatusCode.Conflict, "a second retraction");
        await Ledger.RefusedAsync($"/api/corridors/{id}/closure", new JsonObject { ["reason"] = "x" }, HttpStatusCode.Conflict, "a closure");
        await Host.GetJsonAsync($"/api/corridors/{id}?asOf=2020-03-04", 404);
    }

    [Fact]
    public async Task a_stale_expected_version_is_409_another_client_403_and_an_unknown_corridor_404()
    {
        var (_, id) = await OpenedAsync();
        await Host.OkAsync($"/api/corridors/{id}/corrections", Correction(1, b => b["to"] = "Saraqib (east)"));
        var before = await Ledger.EventCountAsync();
        using var otherDesk = Host.Client("desk-gaziantep", Roles.Analyst);

        await Ledger.RefusedAsync($"/api/corridors/{id}/corrections", Correction(1, b => b["to"] = "Saraqib"), HttpStatusCode.Conflict, "stale correction");
        await Ledger.RefusedAsync($"/api/corridors/{id}/retraction", Retraction(1), HttpStatusCode.Conflict, "stale retraction");
        using var notTheirs = await otherDesk.PostAsync($"/api/corridors/{id}/retraction", new StringContent(Retraction(2).ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        notTheirs.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await Ledger.RefusedAsync($"/api/corridors/{Guid.NewGuid()}/corrections", Correction(1, b => b["to"] = "Saraqib"), HttpStatusCode.NotFound, "unknown");
        await Host.GetJsonAsync($"/api/corridors/{Guid.NewGuid()}", 404);
        (await Ledger.EventCountAsync()).ShouldBe(before);
    }

    public static TheoryData<string, string, string> BadCorrections() => new()
    {
        { "nothing that changes", """{"name": "M4 humanitarian corridor", "from": "Ariha"}""", "reason" },
        { "a planned end before the opening", """{"closesAt": "2020-03-09T00:00:00Z"}""", "closesAt" },
        { "an opening after the planned end", """{"opensAt": "2020-03-10T00:00:00Z", "closesAt": "2020-03-09T00:00:00Z"}""", "closesAt" },
        { "a polygon for a route", """{"route": {"type": "Polygon", "coordinates": [[[36.3, 35.4], [36.9, 35.4], [36.9, 36.0], [36.3, 35.4]]]}}""", "route.type" },
        { "a blank name", """{"name": ""}""", "name" },
        { "no field at all", "{}", "reason" },
    };

    [Theory]
    [MemberData(nameof(BadCorrections))]
    public async Task a_bad_field_is_400_naming_it_and_nothing_is_stored(string @case, string fields, string field)
    {
        Ledger.Clock.Set(On(3, 5));
        await Host.DeclaredCeasefireAsync();
        var id = await Host.OpenedCorridorAsync(Corridor(closesAt: "2020-03-25T00:00:00Z"));
        var body = JsonNode.Parse(fields)!.AsObject();
        body["expectedVersion"] = 1;
        body["reason"] = "a correction";

        var problem = await Ledger.RefusedAsync($"/api/corridors/{id}/corrections", body, HttpStatusCode.BadRequest, @case);

        problem.ShouldNameField(field, null, @case);
    }

    [Theory]
    [InlineData("2020-03-09T23:59:59Z", "closedAt")]
    [InlineData(null, "closedAt")]
    public async Task a_corridor_cannot_close_before_it_opens(string? closedAt, string field)
    {
        var (_, id) = await OpenedAsync();
        var body = new JsonObject { ["reason"] = "shelling on the route" };
        if (closedAt is not null)
        {
            body["closedAt"] = closedAt;
        }

        var problem = await Ledger.RefusedAsync($"/api/corridors/{id}/closure", body, HttpStatusCode.BadRequest, closedAt ?? "now, 5 March");

        problem.ShouldNameField(field, "before the corridor opens");
        await Host.OkAsync($"/api/corridors/{id}/closure", new JsonObject { ["reason"] = "shelling on the route", ["closedAt"] = "2020-03-10T06:00:00Z" });
    }

    [Fact]
    public async Task a_correction_cannot_move_the_opening_after_a_recorded_closure()
    {
        var (_, id) = await OpenedAsync();
        Ledger.Clock.Set(On(3, 20));
        await Host.OkAsync($"/api/corridors/{id}/closure", new JsonObject { ["reason"] = "shelling on the route", ["closedAt"] = "2020-03-15T00:00:00Z" });

        var problem = await Ledger.RefusedAsync($"/api/corridors/{id}/corrections", Correction(2, b => b["opensAt"] = "2020-03-16T00:00:00Z"), HttpStatusCode.BadRequest);

        problem.ShouldNameField("opensAt", "closed");
    }
}
