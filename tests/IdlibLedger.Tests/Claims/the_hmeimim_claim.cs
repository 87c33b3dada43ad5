using System.Net;
using IdlibLedger.Attacks.Claims;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;
using static IdlibLedger.Tests.Claims.GivenClaims;

namespace IdlibLedger.Tests.Claims;

/// <summary>
/// docs/domain.md, "Claims and disputes", on the seed: the Russian delegation claims Hmeimim Air Base was attacked; the
/// Turkish delegation disputes it — Hmeimim is south-west of Idlib, the regime's attacks in Idlib's south-east. The
/// ledger grades the claim contested and states where the claim lies from the nearest recorded activity.
/// </summary>
public sealed class the_hmeimim_claim(LedgerFixture ledger) : LedgerTest(ledger)
{
    /// <summary>Harim, in Idlib's north: a regime attack of the same period, farther from Hmeimim.</summary>
    private static readonly (double Lon, double Lat) Harim = (36.52, 36.20);

    /// <summary>Jableh, 5 km from Hmeimim: an attack of another period (August 2019).</summary>
    private static readonly (double Lon, double Lat) Jableh = (35.93, 35.36);

    private sealed record Seed(Guid Claim, Guid Maarat);

    /// <summary>
    /// On 26 February 2020 the ledger records (9:00) the claim, then (10:00) the regime's attack at Ma'arrat al-Nu'man on
    /// 20 February, one at Harim on 21 February and one near Hmeimim in August 2019; then (11:00) Turkey's dispute.
    /// </summary>
    private async Task<Seed> SeedAsync(bool disputed = true)
    {
        Ledger.Clock.Set(On(2, 26, 9));
        var claim = await Host.ReportedAttackAsync(HmeimimClaim());
        Ledger.Clock.Set(On(2, 26, 10));
        var maarat = await Host.ReportedAttackAsync(RegimeAttack(MaaratAlNuman, "2020-02-20", "Regime air strikes on Ma'arrat al-Nu'man"));
        await Host.ReportedAttackAsync(RegimeAttack(Harim, "2020-02-21", "Regime shelling near Harim"));
        await Host.ReportedAttackAsync(RegimeAttack(Jableh, "2019-08-01", "Shelling near Jableh, months earlier"));
        if (disputed)
        {
            Ledger.Clock.Set(On(2, 26, 11));
            using var dispute = await Host.PostJsonAsync($"/api/attacks/{claim}/disputes", Dispute());
            dispute.StatusCode.ShouldBe(HttpStatusCode.OK, await dispute.Content.ReadAsStringAsync());
        }

        return new Seed(claim, maarat);
    }

    [Fact]
    public async Task turkeys_dispute_makes_the_claim_contested()
    {
        var seed = await SeedAsync();

        var details = await Host.GetJsonAsync($"/api/attacks/{seed.Claim}");

        details["grading"]!.GetValue<string>().ShouldBe("contested");
        var report = details["report"]!;
        report["facts"]!["claimedBy"]!.GetValue<string>().ShouldBe(RussianDelegation);
        var dispute = report["disputes"]!.AsArray().Single()!;
        dispute["party"]!.GetValue<string>().ShouldBe(TurkishDelegation);
        dispute["reason"]!.GetValue<string>().ShouldContain("south-west");
        dispute["counterEvidence"]!.AsArray().Count.ShouldBe(1);
        report["history"]!.AsArray().Select(h => h!["change"]!.GetValue<string>()).ShouldBe(["reported", "disputed"]);
        report["version"]!.GetValue<int>().ShouldBe(2);
        (await Ledger.EventCountAsync()).ShouldBe(5);
    }

    [Fact]
    public async Task the_claim_lies_south_west_of_the_regimes_activity_in_the_south_east()
    {
        var seed = await SeedAsync();

        var claim = (await Host.GetJsonAsync($"/api/attacks/{seed.Claim}"))["claim"]!;

        claim["claimedBy"]!.GetValue<string>().ShouldBe(RussianDelegation);
        var nearest = claim["nearestActivity"]!;
        nearest["attackId"]!.GetValue<Guid>().ShouldBe(seed.Maarat, "the nearest attack of the period, not Harim (farther) nor Jableh (another period)");
        nearest["perpetrator"]!.GetValue<string>().ShouldBe(GivenTerritory.Regime);
        nearest["claimLies"]!.GetValue<string>().ShouldBe("south-west of the activity");
        nearest["claimBearingFromActivityDegrees"]!.GetValue<double>().ShouldBeInRange(202.5, 247.5);
        var toActivity = nearest["bearingToActivityDegrees"]!.GetValue<double>();
        toActivity.ShouldBeInRange(22.5, 67.5);
        ClaimPlausibility.Compass(toActivity).ShouldBe("north-east");

        var expectedKm = HaversineKm(Hmeimim, MaaratAlNuman);
        expectedKm.ShouldBeInRange(60, 80, "Hmeimim to Ma'arrat al-Nu'man is about 71 km");
        nearest["distanceKm"]!.GetValue<double>().ShouldBe(expectedKm, 0.5);
        nearest["location"]![0]!.GetValue<double>().ShouldBe(MaaratAlNuman.Lon, 1e-9);
        nearest["location"]![1]!.GetValue<double>().ShouldBe(MaaratAlNuman.Lat, 1e-9);
    }

    [Fact]
    public async Task the_distance_is_stated_for_the_claim_before_any_dispute_too()
    {
        var seed = await SeedAsync(disputed: false);

        var details = await Host.GetJsonAsync($"/api/attacks/{seed.Claim}");

        details["grading"]!.GetValue<string>().ShouldBe("weak");
        details["claim"]!["nearestActivity"]!["distanceKm"]!.GetValue<double>().ShouldBe(HaversineKm(Hmeimim, MaaratAlNuman), 0.5);
    }

    [Fact]
    public async Task as_of_before_the_dispute_the_claim_is_not_contested()
    {
        var seed = await SeedAsync();

        var before = await Host.GetJsonAsync($"/api/attacks/{seed.Claim}?asOf=2020-02-26T10:30:00Z");

        before["grading"]!.GetValue<string>().ShouldBe("weak");
        before["report"]!["version"]!.GetValue<int>().ShouldBe(1);
    }

    [Fact]
    public async Task as_of_before_the_activity_was_recorded_there_is_no_nearest_activity()
    {
        var seed = await SeedAsync();

        var claim = (await Host.GetJsonAsync($"/api/attacks/{seed.Claim}?asOf=2020-02-26T09:30:00Z"))["claim"]!;

        claim["claimedBy"]!.GetValue<string>().ShouldBe(RussianDelegation);
        claim["nearestActivity"].ShouldBeNull();
    }

    [Fact]
    public async Task an_attack_that_is_not_a_claim_has_no_claim_check()
    {
        var seed = await SeedAsync();

        var details = await Host.GetJsonAsync($"/api/attacks/{seed.Maarat}");

        details["claim"].ShouldBeNull();
        details["grading"]!.GetValue<string>().ShouldBe("weak");
    }

    [Fact]
    public async Task the_nearest_activity_is_the_nearest_in_kilometres_not_in_degrees()
    {
        Ledger.Clock.Set(On(2, 26, 9));
        var claim = await Host.ReportedAttackAsync(HmeimimClaim());
        // 0.9° of longitude east of Hmeimim (about 82 km at lat 35.4) and 0.85° of latitude north of it (about 95 km):
        // nearer in degrees, the northern one is farther on the ground.
        (double Lon, double Lat) east = (Hmeimim.Lon + 0.9, Hmeimim.Lat);
        (double Lon, double Lat) north = (Hmeimim.Lon, Hmeimim.Lat + 0.85);
        var eastward = await Host.ReportedAttackAsync(RegimeAttack(east, "2020-02-20", "Shelling east of Hmeimim"));
        await Host.ReportedAttackAsync(RegimeAttack(north, "2020-02-20", "Shelling north of Hmeimim"));
        HaversineKm(Hmeimim, east).ShouldBeLessThan(HaversineKm(Hmeimim, north) - 10);

        var nearest = (await Host.GetJsonAsync($"/api/attacks/{claim}"))["claim"]!["nearestActivity"]!;

        nearest["attackId"]!.GetValue<Guid>().ShouldBe(eastward, nearest.ToJsonString());
        nearest["distanceKm"]!.GetValue<double>().ShouldBe(HaversineKm(Hmeimim, east), 0.5);
    }

    [Theory]
    [InlineData(0, "north")]
    [InlineData(22.4, "north")]
    [InlineData(22.6, "north-east")]
    [InlineData(45, "north-east")]
    [InlineData(66.8, "north-east")]
    [InlineData(90, "east")]
    [InlineData(135, "south-east")]
    [InlineData(180, "south")]
    [InlineData(202.6, "south-west")]
    [InlineData(225, "south-west")]
    [InlineData(247.2, "south-west")]
    [InlineData(247.6, "west")]
    [InlineData(270, "west")]
    [InlineData(315, "north-west")]
    [InlineData(337.4, "north-west")]
    [InlineData(337.6, "north")]
    [InlineData(359.9, "north")]
    [InlineData(360, "north")]
    [InlineData(-45, "north-west")]
    [InlineData(405, "north-east")]
    public void compass_names_the_eight_point_sector_of_a_bearing(double bearing, string name) =>
        ClaimPlausibility.Compass(bearing).ShouldBe(name);
}
