using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Access;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Territory;

/// <summary>
/// CorrectRegion and RetractRegion, and the reads that measure by a region at two asOf values: 1 March (before the
/// revision, recorded on 5 March) and 6 March (after it). The region (lon 36.5–36.7) is registered on 11 February with
/// the regime's gain of lon 36.5–36.8 on 10 January, and an attack at lon 36.65 on 10 February is reported on 27 February.
/// </summary>
public sealed class when_correcting_or_retracting_regions(LedgerFixture ledger) : LedgerTest(ledger)
{
    private const string Before = "2020-03-01";
    private const string After = "2020-03-06";

    private string _region = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.ForgetTestRegionsAsync();
    }

    private async Task RegionWithGroundAndAnAttackAsync()
    {
        Ledger.Clock.Set(GivenTerritory.On(2, 11));
        _region = GivenTerritory.FreshRegionId();
        using (var registered = await Host.PostJsonAsync("/api/regions", GivenTerritory.Region(_region, GivenTerritory.Box(36.5, 35.6, 36.7, 35.8))))
        {
            registered.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        await Host.RecordedControlChangeAsync(GivenTerritory.Regime, GivenTerritory.Box(36.5, 35.6, 36.8, 35.8), "2020-01-10");
        Ledger.Clock.Set(GivenTerritory.On(2, 27));
        await Host.ReportedAttackAsync(Given.Report(b => b["location"] = GivenTerritory.Point(36.65, 35.7)));
        Ledger.Clock.Set(GivenTerritory.On(3, 5));
    }

    private static JsonObject Retraction(long expectedVersion = 1) => new() { ["expectedVersion"] = expectedVersion, ["reason"] = "registered twice under two ids" };

    private async Task<JsonObject> ShareAsync(string asOf) => await Host.GetJsonAsync($"/api/control-map/share?region={_region}&at=2020-02-20&asOf={asOf}");

    private async Task<long> AttacksInRegionAsync(string asOf) =>
        (await Host.GetJsonAsync($"/api/attacks?region={_region}&asOf={asOf}"))["totalItems"]!.GetValue<long>();

    private async Task<int> KilledInRegionAsync(string asOf) =>
        (await Host.GetJsonAsync($"/api/casualties/totals?region={_region}&asOf={asOf}"))["killed"]!["best"]!.GetValue<int>();

    [Fact]
    public async Task a_corrected_area_is_measured_as_of_after_the_correction_and_the_original_before()
    {
        await RegionWithGroundAndAnAttackAsync();

        var receipt = await Host.OkAsync($"/api/regions/{_region}/corrections", new JsonObject
        {
            ["expectedVersion"] = 1, ["reason"] = "the district boundary runs at 36.6", ["area"] = GivenTerritory.Box(36.5, 35.6, 36.6, 35.8), ["name"] = "Western strip",
        });

        receipt["version"]!.GetValue<int>().ShouldBe(2);
        (await ShareAsync(Before))["areaKm2"]!.GetValue<double>().ShouldBe(GivenTerritory.BoxKm2(36.5, 35.6, 36.7, 35.8), 0.01);
        var after = await ShareAsync(After);
        after["areaKm2"]!.GetValue<double>().ShouldBe(GivenTerritory.BoxKm2(36.5, 35.6, 36.6, 35.8), 0.01);
        after["regionName"]!.GetValue<string>().ShouldBe("Western strip");
        after["shares"]![0]!["share"]!.GetValue<double>().ShouldBe(1.0, 0.001);
        (await AttacksInRegionAsync(Before)).ShouldBe(1);
        (await AttacksInRegionAsync(After)).ShouldBe(0);
        (await KilledInRegionAsync(Before)).ShouldBe(5);
        (await KilledInRegionAsync(After)).ShouldBe(0);
        var map = await Host.GetJsonAsync($"/api/control-map?region={_region}&at=2020-02-20&asOf={After}");
        map["features"]![0]!["properties"]!["areaKm2"]!.GetValue<double>().ShouldBe(GivenTerritory.BoxKm2(36.5, 35.6, 36.6, 35.8), 0.01);
    }

    [Fact]
    public async Task totals_by_admin_unit_use_the_unit_as_known_at_as_of()
    {
        // A district-level region near Aleppo, outside the OCHA districts (Idleb's only), holding an attack.
        Ledger.Clock.Set(GivenTerritory.On(2, 11));
        _region = GivenTerritory.FreshRegionId();
        var district = GivenTerritory.Region(_region, GivenTerritory.Box(37.1, 36.15, 37.2, 36.25));
        district["level"] = "district";
        district["name"] = "Test district near Aleppo";
        using (var registered = await Host.PostJsonAsync("/api/regions", district))
        {
            registered.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        Ledger.Clock.Set(GivenTerritory.On(2, 27));
        await Host.ReportedAttackAsync(Given.Report(b => b["location"] = GivenTerritory.Point(37.15, 36.2)));
        Ledger.Clock.Set(GivenTerritory.On(3, 5));

        await Host.OkAsync($"/api/regions/{_region}/corrections", new JsonObject
        {
            ["expectedVersion"] = 1, ["reason"] = "the boundary runs at 37.12", ["area"] = GivenTerritory.Box(37.1, 36.15, 37.12, 36.25),
        });

        async Task<IEnumerable<string>> KeysAsync(string asOf) =>
            (await Host.GetJsonAsync($"/api/casualties/totals?groupBy=district&from=2020-01-01&asOf={asOf}"))["groups"]!.AsArray()
                .Select(g => g!["key"]!.GetValue<string>());
        (await KeysAsync(Before)).ShouldContain("Test district near Aleppo");
        (await KeysAsync(After)).ShouldNotContain("Test district near Aleppo");
    }

    [Fact]
    public async Task the_region_reads_as_known_at_as_of_with_its_version_and_history()
    {
        await RegionWithGroundAndAnAttackAsync();
        await Host.OkAsync($"/api/regions/{_region}/corrections", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "OCHA's spelling", ["name"] = "Western strip" });

        var original = (await Host.GetJsonAsync($"/api/regions/{_region}?asOf={Before}"))["features"]![0]!["properties"]!;
        var corrected = (await Host.GetJsonAsync($"/api/regions/{_region}?asOf={After}"))["features"]![0]!["properties"]!;

        original["version"]!.GetValue<int>().ShouldBe(1);
        original["name"]!.GetValue<string>().ShouldBe($"Test region {_region}");
        corrected["version"]!.GetValue<int>().ShouldBe(2);
        corrected["name"]!.GetValue<string>().ShouldBe("Western strip");
        corrected["history"]![1]!["fields"]!.AsArray().Select(f => f!.GetValue<string>()).ShouldBe(["name"]);
        corrected["retracted"]!.GetValue<bool>().ShouldBeFalse();
        (await Host.GetJsonAsync($"/api/regions/western-strip?asOf={After}"))["features"]![0]!["properties"]!["id"]!.GetValue<string>().ShouldBe(_region);
        await Host.GetJsonAsync($"/api/regions/western-strip?asOf={Before}", expectedStatus: 404);
        // Before its registration, the region reads (and measures) as first registered.
        (await Host.GetJsonAsync($"/api/regions/{_region}?asOf=2020-02-10"))["features"]![0]!["properties"]!["version"]!.GetValue<int>().ShouldBe(1);
        await Host.GetJsonAsync("/api/regions/atlantis?asOf=2020-02-10", expectedStatus: 404);
    }

    [Fact]
    public async Task a_retracted_region_leaves_every_read_from_its_retraction_on_but_stays_readable_by_id_and_taken()
    {
        await RegionWithGroundAndAnAttackAsync();

        await Host.OkAsync($"/api/regions/{_region}/retraction", Retraction());

        (await ShareAsync(Before))["shares"]!.AsArray().ShouldHaveSingleItem();
        await Host.GetJsonAsync($"/api/control-map/share?region={_region}&at=2020-02-20&asOf={After}", expectedStatus: 404);
        await Host.GetJsonAsync($"/api/control-map/share?region={_region}", expectedStatus: 404);
        (await AttacksInRegionAsync(Before)).ShouldBe(1);
        (await Host.GetJsonAsync($"/api/attacks?region={_region}&asOf={After}", expectedStatus: 400)).ShouldNameField("region");
        using (var client = Host.Client())
        {
            JsonNode.Parse(await client.GetStringAsync("/api/regions"))!.AsArray().ShouldNotContain(r => r!["id"]!.GetValue<string>() == _region);
        }

        var retracted = (await Host.GetJsonAsync($"/api/regions/{_region}"))["features"]![0]!["properties"]!;
        retracted["retracted"]!.GetValue<bool>().ShouldBeTrue();
        retracted["version"]!.GetValue<int>().ShouldBe(2);
        retracted["retractionReason"]!.GetValue<string>().ShouldBe("registered twice under two ids");
        (await Host.GetJsonAsync($"/api/regions/{_region}?asOf={Before}"))["features"]![0]!["properties"]!["retracted"]!.GetValue<bool>().ShouldBeFalse();
        (await Ledger.RefusedAsync("/api/regions", GivenTerritory.Region(_region, GivenTerritory.Box(36.5, 35.6, 36.7, 35.8)), HttpStatusCode.Conflict))
            ["detail"]!.GetValue<string>().ShouldContain(_region);
        await Ledger.RefusedAsync($"/api/regions/{_region}/corrections", new JsonObject { ["expectedVersion"] = 2, ["reason"] = "x", ["name"] = "y" }, HttpStatusCode.Conflict);
        await Ledger.RefusedAsync($"/api/regions/{_region}/retraction", Retraction(2), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task a_stale_version_an_unknown_id_and_a_correction_changing_nothing_are_refused()
    {
        await RegionWithGroundAndAnAttackAsync();
        await Host.OkAsync($"/api/regions/{_region}/corrections", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "x", ["level"] = "district" });

        (await Ledger.RefusedAsync($"/api/regions/{_region}/corrections", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "x", ["name"] = "y" }, HttpStatusCode.Conflict))
            ["detail"]!.GetValue<string>().ShouldContain("version 2");
        await Ledger.RefusedAsync($"/api/regions/{_region}/retraction", Retraction(1), HttpStatusCode.Conflict);
        await Ledger.RefusedAsync("/api/regions/atlantis/corrections", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "x", ["name"] = "y" }, HttpStatusCode.NotFound);
        await Ledger.RefusedAsync("/api/regions/atlantis/retraction", Retraction(), HttpStatusCode.NotFound);
        (await Ledger.RefusedAsync($"/api/regions/{_region}/corrections",
            new JsonObject { ["expectedVersion"] = 2, ["reason"] = "x", ["level"] = "district", ["area"] = GivenTerritory.Box(36.5, 35.6, 36.7, 35.8) }, HttpStatusCode.BadRequest))
            .ShouldNameField("reason", "changes nothing");
    }

    [Theory]
    [InlineData("""{"expectedVersion": 1, "reason": "x", "area": {"type": "Polygon", "coordinates": [[[36.4, 35.8], [36.6, 36.0], [36.6, 35.8], [36.4, 36.0], [36.4, 35.8]]]}}""", "area")]
    [InlineData("""{"expectedVersion": 1, "reason": "x", "name": ""}""", "name")]
    [InlineData("""{"expectedVersion": 1, "reason": "x", "level": "a level far longer than the forty characters a level may have"}""", "level")]
    [InlineData("""{"expectedVersion": 1, "name": "y"}""", "reason")]
    [InlineData("""{"expectedVersion": 0, "reason": "x", "name": "y"}""", "expectedVersion")]
    public async Task a_bad_field_is_400_naming_it_and_records_nothing(string body, string field)
    {
        await RegionWithGroundAndAnAttackAsync();

        var problem = await Ledger.RefusedAsync(HttpMethod.Post, $"/api/regions/{_region}/corrections", body, HttpStatusCode.BadRequest, field);

        problem.ShouldNameField(field, null, body);
        (await Host.GetJsonAsync($"/api/regions/{_region}"))["features"]![0]!["properties"]!["version"]!.GetValue<int>().ShouldBe(1);
    }

    [Fact]
    public async Task only_an_admin_may_correct_or_retract_a_region()
    {
        await RegionWithGroundAndAnAttackAsync();
        var before = await Ledger.AllEventCountAsync();

        using var analyst = Host.Client("desk-amman", Roles.Analyst);
        using var correction = await analyst.PostAsync($"/api/regions/{_region}/corrections",
            new StringContent("""{"expectedVersion": 1, "reason": "x", "name": "y"}""", System.Text.Encoding.UTF8, "application/json"));
        using var retraction = await analyst.PostAsync($"/api/regions/{_region}/retraction",
            new StringContent("""{"expectedVersion": 1, "reason": "x"}""", System.Text.Encoding.UTF8, "application/json"));

        correction.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        retraction.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Ledger.AllEventCountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task an_ocha_region_corrected_or_retracted_stays_so_after_a_restart()
    {
        if (LedgerFixture.SharedData is null)
        {
            return;
        }

        const string schema = "ledger_ocha_revisions";
        await Ledger.ExecuteAsync($"drop schema if exists {schema} cascade");
        try
        {
            await using (var first = await Ledger.StartHostAsync(schema, null))
            {
                await first.OkAsync("/api/regions/sy0702/retraction", Retraction());
                await first.OkAsync("/api/regions/sy0703/corrections", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "local spelling", ["name"] = "Ariha district" });
            }

            await using var second = await Ledger.StartHostAsync(schema, null);
            (await second.GetJsonAsync("/api/regions/sy0702"))["features"]![0]!["properties"]!["retracted"]!.GetValue<bool>().ShouldBeTrue();
            await second.GetJsonAsync("/api/control-map/share?region=sy0702", expectedStatus: 404);
            var corrected = (await second.GetJsonAsync("/api/regions/sy0703"))["features"]![0]!["properties"]!;
            corrected["name"]!.GetValue<string>().ShouldBe("Ariha district");
            corrected["version"]!.GetValue<int>().ShouldBe(2);
            using var client = second.Client();
            var listed = JsonNode.Parse(await client.GetStringAsync("/api/regions"))!.AsArray();
            listed.ShouldNotContain(r => r!["id"]!.GetValue<string>() == "sy0702");
            listed.Single(r => r!["id"]!.GetValue<string>() == "sy0703")!["name"]!.GetValue<string>().ShouldBe("Ariha district");
            ((long)(await Ledger.ScalarAsync($"select count(*) from {schema}.mt_events where type = 'region_registered' and data ->> 'regionId' in ('sy0702', 'sy0703')"))!)
                .ShouldBe(2);
        }
        finally
        {
            await Ledger.ExecuteAsync($"drop schema if exists {schema} cascade");
        }
    }
}
