using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;
using static IdlibLedger.Tests.Ceasefires.GivenCeasefires;

namespace IdlibLedger.Tests.Ceasefires;

/// <summary>
/// docs/domain.md, "Violations": an attack by a party to the ceasefire, inside its area, inside its period,
/// is a violation — detected, not typed in. Every other combination (not a party, outside the area, before or after
/// the period) is not. Violations are read as known at <c>asOf</c>.
/// </summary>
public sealed class when_attacks_fall_under_a_ceasefire(LedgerFixture ledger) : CeasefireTest(ledger)
{
    // Places inside the ceasefire's box (lon 36.3–36.9, lat 35.4–36.0) and one outside it.
    private static readonly (double Lon, double Lat) MaaratAlNuman = (36.67, 35.65);
    private static readonly (double Lon, double Lat) Saraqib = (36.80, 35.86);
    private static readonly (double Lon, double Lat) Ariha = (36.61, 35.81);
    private static readonly (double Lon, double Lat) KafrNabl = (36.56, 35.61);
    private static readonly (double Lon, double Lat) HarimOutside = (36.52, 36.20);

    private sealed record Scenario(Guid Ceasefire, Guid RegimeInside, Guid OppositionInside, IReadOnlyList<Guid> NotViolations);

    /// <summary>
    /// The ceasefire (recorded 5 March) and six attacks (recorded 10 April): two violations — the regime at Ma'arrat
    /// al-Nu'man on 10 March (2/3/4 killed) and the opposition at Saraqib on 15 March (1 killed) — and four that are
    /// not, each with many more killed so that counting one of them would show in the sums.
    /// </summary>
    private async Task<Scenario> SixAttacksAsync()
    {
        Ledger.Clock.Set(On(3, 5));
        var ceasefire = await Host.DeclaredCeasefireAsync();

        Ledger.Clock.Set(On(4, 10));
        var regime = await Host.ReportedAttackAsync(Attack(Regime, "2020-03-10T08:00:00Z", MaaratAlNuman.Lon, MaaratAlNuman.Lat, 2, 3, 4));
        var opposition = await Host.ReportedAttackAsync(Attack(Opposition, "2020-03-15T16:30:00Z", Saraqib.Lon, Saraqib.Lat, killed: 1));
        Guid[] not =
        [
            await Host.ReportedAttackAsync(Attack(NotAParty, "2020-03-12T10:00:00Z", Ariha.Lon, Ariha.Lat, killed: 7)),
            await Host.ReportedAttackAsync(Attack(Regime, "2020-03-12T10:00:00Z", HarimOutside.Lon, HarimOutside.Lat, killed: 9)),
            await Host.ReportedAttackAsync(Attack(Regime, "2020-03-05T23:00:00Z", KafrNabl.Lon, KafrNabl.Lat, killed: 11)),
            await Host.ReportedAttackAsync(Attack(Regime, "2020-04-07T10:00:00Z", KafrNabl.Lon, KafrNabl.Lat, killed: 13)),
        ];
        return new Scenario(ceasefire, regime, opposition, not);
    }

    [Fact]
    public async Task a_ceasefire_is_declared_for_an_area_and_a_period()
    {
        Ledger.Clock.Set(On(3, 5));

        using var response = await Host.PostJsonAsync("/api/ceasefires", Ceasefire());

        var receipt = await response.JsonAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, receipt.ToJsonString());
        var id = receipt["id"]!.GetValue<Guid>();
        response.Headers.Location!.ToString().ShouldBe($"/api/ceasefires/{id}");
        (await Ledger.EventCountAsync()).ShouldBe(1);

        var ceasefire = await Host.CeasefireAsync(id, "at=2020-03-08");
        ceasefire["id"]!.GetValue<Guid>().ShouldBe(id);
        ceasefire["declaredBy"]!.GetValue<string>().ShouldBe("Russian Federation and Republic of Turkey");
        ceasefire["parties"]!.AsArray().Select(p => p!.GetValue<string>()).ShouldBe([Regime, Opposition]);
        ceasefire["effectiveFrom"]!.GetValue<DateTimeOffset>().ShouldBe(DateTimeOffset.Parse(EffectiveFrom, System.Globalization.CultureInfo.InvariantCulture));
        ceasefire["effectiveUntil"]!.GetValue<DateTimeOffset>().ShouldBe(DateTimeOffset.Parse(EffectiveUntil, System.Globalization.CultureInfo.InvariantCulture));
        ceasefire["areaSource"]!.GetValue<string>().ShouldBe("posted");
        ceasefire["areaKm2"]!.GetValue<double>().ShouldBe(GivenTerritory.BoxKm2(Area[0], Area[1], Area[2], Area[3]), 0.01);
        ceasefire["status"]!.GetValue<string>().ShouldBe("in-effect");
        ceasefire["violationCount"]!.GetValue<int>().ShouldBe(0);
        ceasefire["lastViolation"].ShouldBeNull();
    }

    [Fact]
    public async Task exactly_the_attacks_by_a_party_inside_the_area_and_the_period_are_violations()
    {
        var given = await SixAttacksAsync();

        var ceasefire = await Host.CeasefireAsync(given.Ceasefire, "at=2020-04-01");

        ceasefire["status"]!.GetValue<string>().ShouldBe("violated");
        ceasefire["violationCount"]!.GetValue<int>().ShouldBe(2, ceasefire.ToJsonString());
        DetectedAttacks(ceasefire).ShouldBe([given.RegimeInside, given.OppositionInside]);
        foreach (var not in given.NotViolations)
        {
            DetectedAttacks(ceasefire).ShouldNotContain(not);
        }

        var last = ceasefire["lastViolation"]!;
        last["attackId"]!.GetValue<Guid>().ShouldBe(given.OppositionInside);
        last["by"]!.GetValue<string>().ShouldBe(Opposition);
        last["kind"]!.GetValue<string>().ShouldBe("detected");
        last["occurredAt"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 3, 15, 16, 30, 0, TimeSpan.Zero));
        ceasefire["violationKilled"]!.Estimate().ShouldBe((3, 4, 5));
    }

    [Fact]
    public async Task the_list_of_ceasefires_shows_it_with_its_violations()
    {
        var given = await SixAttacksAsync();

        var list = await Host.GetJsonAsync("/api/ceasefires?at=2020-04-01");

        var item = list["items"]!.AsArray().Single()!;
        item["id"]!.GetValue<Guid>().ShouldBe(given.Ceasefire);
        item["status"]!.GetValue<string>().ShouldBe("violated");
        item["violationCount"]!.GetValue<int>().ShouldBe(2);
        item["violationKilled"]!.Estimate().ShouldBe((3, 4, 5));
    }

    [Fact]
    public async Task violations_count_up_to_at_only()
    {
        var given = await SixAttacksAsync();

        var between = await Host.CeasefireAsync(given.Ceasefire, "at=2020-03-12");

        between["violationCount"]!.GetValue<int>().ShouldBe(1);
        between["lastViolation"]!["attackId"]!.GetValue<Guid>().ShouldBe(given.RegimeInside);
        between["violationKilled"]!.Estimate().ShouldBe((2, 3, 4));
        (await Host.StatusAsync(given.Ceasefire, "at=2020-03-09")).ShouldBe("in-effect");
    }

    [Fact]
    public async Task after_the_period_it_is_expired_and_an_attack_after_it_is_no_violation()
    {
        var given = await SixAttacksAsync();

        var after = await Host.CeasefireAsync(given.Ceasefire, "at=2020-04-10");

        after["status"]!.GetValue<string>().ShouldBe("expired");
        after["violationCount"]!.GetValue<int>().ShouldBe(2);
        after["violationKilled"]!.Estimate().ShouldBe((3, 4, 5));
    }

    [Fact]
    public async Task the_period_is_half_open_from_effective_from_until_effective_until()
    {
        Ledger.Clock.Set(On(3, 5));
        var ceasefire = await Host.DeclaredCeasefireAsync();
        Ledger.Clock.Set(On(4, 10));
        var atTheStart = await Host.ReportedAttackAsync(Attack(Regime, EffectiveFrom, KafrNabl.Lon, KafrNabl.Lat, killed: 1));
        var atTheEnd = await Host.ReportedAttackAsync(Attack(Regime, EffectiveUntil, KafrNabl.Lon, KafrNabl.Lat, killed: 1));

        var status = await Host.CeasefireAsync(ceasefire, "at=2020-04-10");

        DetectedAttacks(status).ShouldBe([atTheStart]);
        DetectedAttacks(status).ShouldNotContain(atTheEnd);
    }

    [Fact]
    public async Task a_violation_recorded_late_appears_only_as_of_after_its_recording()
    {
        Ledger.Clock.Set(On(3, 5));
        var ceasefire = await Host.DeclaredCeasefireAsync();
        Ledger.Clock.Set(On(3, 20));
        await Host.ReportedAttackAsync(Attack(Regime, "2020-03-10T08:00:00Z", MaaratAlNuman.Lon, MaaratAlNuman.Lat, 2, 3, 4));
        var opposition = await Host.ReportedAttackAsync(Attack(Opposition, "2020-03-15T16:30:00Z", Saraqib.Lon, Saraqib.Lat, killed: 1));

        // Queried on 20 March, before the ledger learns of the attack of 18 March.
        var before = await Host.CeasefireAsync(ceasefire, "at=2020-03-25&asOf=2020-03-20");

        Ledger.Clock.Set(On(3, 30));
        var late = await Host.ReportedAttackAsync(Attack(Regime, "2020-03-18T05:00:00Z", KafrNabl.Lon, KafrNabl.Lat, killed: 6));

        before["violationCount"]!.GetValue<int>().ShouldBe(2);
        var stillBefore = await Host.CeasefireAsync(ceasefire, "at=2020-03-25&asOf=2020-03-29");
        stillBefore["violationCount"]!.GetValue<int>().ShouldBe(2);
        stillBefore["lastViolation"]!["attackId"]!.GetValue<Guid>().ShouldBe(opposition);
        stillBefore["violationKilled"]!.Estimate().ShouldBe((3, 4, 5));
        DetectedAttacks(stillBefore).ShouldNotContain(late);

        var after = await Host.CeasefireAsync(ceasefire, "at=2020-03-25&asOf=2020-03-30");
        after["violationCount"]!.GetValue<int>().ShouldBe(3);
        after["lastViolation"]!["attackId"]!.GetValue<Guid>().ShouldBe(late);
        after["violationKilled"]!.Estimate().ShouldBe((9, 10, 11));
        (await Host.CeasefireAsync(ceasefire, "at=2020-03-25"))["violationCount"]!.GetValue<int>().ShouldBe(3);
    }

    [Fact]
    public async Task a_retracted_attack_stops_being_a_violation_as_of_its_retraction()
    {
        Ledger.Clock.Set(On(3, 5));
        var ceasefire = await Host.DeclaredCeasefireAsync();
        Ledger.Clock.Set(On(3, 20));
        var attack = await Host.ReportedAttackAsync(Attack(Regime, "2020-03-10T08:00:00Z", MaaratAlNuman.Lon, MaaratAlNuman.Lat, killed: 2));
        Ledger.Clock.Set(On(3, 22));
        await Host.AcceptedAsync($"/api/attacks/{attack}/retraction", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "the shelling was outside the area" });

        var asReported = await Host.CeasefireAsync(ceasefire, "at=2020-03-25&asOf=2020-03-21");
        var asRetracted = await Host.CeasefireAsync(ceasefire, "at=2020-03-25&asOf=2020-03-23");

        asReported["status"]!.GetValue<string>().ShouldBe("violated");
        asReported["violationCount"]!.GetValue<int>().ShouldBe(1);
        asRetracted["status"]!.GetValue<string>().ShouldBe("in-effect");
        asRetracted["violationCount"]!.GetValue<int>().ShouldBe(0);
    }

    [Fact]
    public async Task as_of_before_its_declaration_the_ceasefire_is_unknown()
    {
        Ledger.Clock.Set(On(3, 5));
        var ceasefire = await Host.DeclaredCeasefireAsync();

        await Host.GetJsonAsync($"/api/ceasefires/{ceasefire}?asOf=2020-03-04", expectedStatus: 404);
        (await Host.GetJsonAsync("/api/ceasefires?asOf=2020-03-04"))["items"]!.AsArray().ShouldBeEmpty();
    }
}
