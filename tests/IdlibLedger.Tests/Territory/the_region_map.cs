using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Territory;

/// <summary>GET /api/region-map: the base layer of a page, every region as known at asOf in one FeatureCollection.</summary>
public sealed class the_region_map(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static DateTimeOffset Utc(int month, int day) => new(2026, month, day, 12, 0, 0, TimeSpan.Zero);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.ForgetTestRegionsAsync();
    }

    private static JsonObject? Feature(JsonObject map, string id) =>
        map["features"]!.AsArray().Select(f => f!.AsObject()).SingleOrDefault(f => f["properties"]!["id"]!.GetValue<string>() == id);

    private static double FirstLongitude(JsonObject feature) =>
        feature["geometry"]!["coordinates"]![0]![0]![0]![0]!.GetValue<double>();

    [Fact]
    public async Task a_corrected_region_is_drawn_as_it_was_before_and_as_corrected_after()
    {
        var id = GivenTerritory.FreshRegionId();
        Ledger.Clock.Set(Utc(1, 10));
        await Host.CreatedRegionAsync(id);
        Ledger.Clock.Set(Utc(1, 20));
        await Host.RevisedAsync($"/api/regions/{id}/corrections", new JsonObject
        {
            ["expectedVersion"] = 1, ["reason"] = "the boundary as surveyed", ["name"] = "Surveyed box", ["area"] = GivenTerritory.Box(36.1, 35.6, 36.3, 35.8),
        });

        var before = await Host.GetJsonAsync("/api/region-map?asOf=2026-01-15");
        var after = await Host.GetJsonAsync("/api/region-map?asOf=2026-01-25");

        before["type"]!.GetValue<string>().ShouldBe("FeatureCollection");
        before["asOf"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2026, 1, 15, 23, 59, 59, 999, 999, TimeSpan.Zero));
        var old = Feature(before, id).ShouldNotBeNull();
        old["properties"]!["name"]!.GetValue<string>().ShouldBe($"Test region {id}");
        old["properties"]!["level"]!.GetValue<string>().ShouldBe("custom");
        old["properties"]!["pcode"].ShouldBeNull();
        old["properties"]!["areaKm2"]!.GetValue<double>().ShouldBeGreaterThan(300);
        old["geometry"]!["type"]!.GetValue<string>().ShouldBe("MultiPolygon");
        FirstLongitude(old).ShouldBe(36.5);

        var corrected = Feature(after, id).ShouldNotBeNull();
        corrected["properties"]!["name"]!.GetValue<string>().ShouldBe("Surveyed box");
        FirstLongitude(corrected).ShouldBe(36.1);
    }

    [Fact]
    public async Task a_retracted_region_is_gone_from_the_map_after_its_retraction()
    {
        var id = GivenTerritory.FreshRegionId();
        Ledger.Clock.Set(Utc(2, 10));
        await Host.CreatedRegionAsync(id);
        Ledger.Clock.Set(Utc(2, 20));
        await Host.RevisedAsync($"/api/regions/{id}/retraction", Revising.Retraction(1, "registered twice under two ids"));

        Feature(await Host.GetJsonAsync("/api/region-map?asOf=2026-02-15"), id).ShouldNotBeNull();
        Feature(await Host.GetJsonAsync("/api/region-map?asOf=2026-02-25"), id).ShouldBeNull();
        Feature(await Host.GetJsonAsync("/api/region-map"), id).ShouldBeNull();
    }

    [Fact]
    public async Task a_level_keeps_the_regions_of_that_level_only()
    {
        var id = GivenTerritory.FreshRegionId();
        await Host.CreatedRegionAsync(id);

        var custom = await Host.GetJsonAsync("/api/region-map?level=custom");
        var governorates = await Host.GetJsonAsync("/api/region-map?level=governorate");
        var all = await Host.GetJsonAsync("/api/region-map");

        Feature(custom, id).ShouldNotBeNull();
        Feature(governorates, id).ShouldBeNull();
        Feature(all, id).ShouldNotBeNull();
        custom["features"]!.AsArray().ShouldAllBe(f => f!["properties"]!["level"]!.GetValue<string>() == "custom");
        governorates["features"]!.AsArray().ShouldAllBe(f => f!["properties"]!["level"]!.GetValue<string>() == "governorate");
        all["features"]!.AsArray().Count.ShouldBe(
            (await Task.WhenAll(new[] { "governorate", "district", "sub-district", "custom" }.Select(l => Host.GetJsonAsync($"/api/region-map?level={l}"))))
            .Sum(m => m["features"]!.AsArray().Count));
        if (LedgerFixture.SharedData is not null)
        {
            var idlib = Feature(governorates, "idlib").ShouldNotBeNull();
            idlib["properties"]!["pcode"]!.GetValue<string>().ShouldBe("SY07");
            // The OCHA units: 14 governorates, Idlib's 5 districts and 26 sub-districts.
            all["features"]!.AsArray().Count(f => f!["properties"]!["level"]!.GetValue<string>() != "custom").ShouldBe(45);
        }
    }

    [Theory]
    [InlineData("/api/region-map?level=province", "level")]
    [InlineData("/api/region-map?asOf=yesterday", "asOf")]
    public async Task bad_input_is_refused_naming_the_parameter(string url, string field) =>
        (await Host.GetJsonAsync(url, expectedStatus: 400)).ShouldNameField(field);
}
