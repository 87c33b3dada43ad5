using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using NetTopologySuite.Operation.Overlay;
using NetTopologySuite.Operation.OverlayNG;
using Shouldly;

namespace IdlibLedger.Tests.Territory;

/// <summary>
/// RecordControlChange and the control map at (at, asOf): one area per actor, never overlapping, with the front
/// lines between them. Actor A (the regime) gains box 1 on 10 January 2020; actor B (the opposition) gains a box
/// overlapping box 1's eastern half on 10 February.
/// </summary>
public sealed class control_map_at_and_as_of(LedgerFixture ledger) : LedgerTest(ledger)
{
    private const string A = GivenTerritory.Regime;
    private const string B = GivenTerritory.Opposition;

    // Box 1 (A, 10 Jan) spans lon 36.5–36.7; box 2 (B, 10 Feb) lon 36.6–36.8: they share lon 36.6–36.7.
    private static readonly double[] Box1 = [36.5, 35.6, 36.7, 35.8];
    private static readonly double[] Box2 = [36.6, 35.6, 36.8, 35.8];

    private static JsonObject Box(double[] b) => GivenTerritory.Box(b[0], b[1], b[2], b[3]);

    private static double Km2(double[] b) => GivenTerritory.BoxKm2(b[0], b[1], b[2], b[3]);

    /// <summary>Both changes, recorded on 11 February (before the late report of <see cref="LateChangeAsync"/>).</summary>
    private async Task TwoChangesAsync()
    {
        Ledger.Clock.Set(GivenTerritory.On(2, 11));
        await Host.RecordedControlChangeAsync(A, Box(Box1), "2020-01-10");
        await Host.RecordedControlChangeAsync(B, Box(Box2), "2020-02-10");
    }

    /// <summary>A takes back lon 36.7–36.8 on 15 February; the ledger learns it on 5 March.</summary>
    private async Task LateChangeAsync()
    {
        Ledger.Clock.Set(GivenTerritory.On(3, 5));
        await Host.RecordedControlChangeAsync(A, GivenTerritory.Box(36.7, 35.6, 36.8, 35.8), "2020-02-15");
    }

    private static List<JsonNode> Features(JsonObject map, string kind) =>
        [.. map["features"]!.AsArray().Select(f => f!).Where(f => f["properties"]!["kind"]!.GetValue<string>() == kind)];

    private static Dictionary<string, JsonNode> Areas(JsonObject map) =>
        Features(map, "control-area").ToDictionary(f => f["properties"]!["actor"]!.GetValue<string>());

    [Fact]
    public async Task a_control_change_is_recorded()
    {
        using var response = await Host.PostJsonAsync("/api/control-changes", GivenTerritory.ControlChange(A, Box(Box1), "2020-01-10"));

        var receipt = await response.JsonAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, receipt.ToJsonString());
        response.Headers.Location!.ToString().ShouldBe($"/api/control-changes/{receipt["id"]}");
        (await Ledger.EventCountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task between_the_two_changes_the_map_shows_only_the_earlier_lines()
    {
        await TwoChangesAsync();

        var map = await Host.GetJsonAsync("/api/control-map?at=2020-01-20");

        map["type"]!.GetValue<string>().ShouldBe("FeatureCollection");
        var areas = Areas(map);
        areas.Keys.ShouldBe([A]);
        areas[A]["properties"]!["areaKm2"]!.GetValue<double>().ShouldBe(Km2(Box1), 0.01);
        GivenTerritory.Read(areas[A]["geometry"]!).EqualsTopologically(GivenTerritory.BoxWkt(Box1[0], Box1[1], Box1[2], Box1[3])).ShouldBeTrue();
        Features(map, "front-line").ShouldBeEmpty();
    }

    [Fact]
    public async Task before_the_first_change_the_map_is_empty()
    {
        await TwoChangesAsync();

        var map = await Host.GetJsonAsync("/api/control-map?at=2020-01-09");

        map["features"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task after_the_second_change_b_holds_the_overlap_and_a_front_line_separates_them()
    {
        await TwoChangesAsync();

        var map = await Host.GetJsonAsync("/api/control-map?at=2020-02-20");

        var areas = Areas(map);
        areas.Keys.Order(StringComparer.Ordinal).ShouldBe([A, B]);
        areas[A]["properties"]!["areaKm2"]!.GetValue<double>().ShouldBe(GivenTerritory.BoxKm2(36.5, 35.6, 36.6, 35.8), 0.01);
        areas[B]["properties"]!["areaKm2"]!.GetValue<double>().ShouldBe(Km2(Box2), 0.01);
        GivenTerritory.Read(areas[A]["geometry"]!).EqualsTopologically(GivenTerritory.BoxWkt(36.5, 35.6, 36.6, 35.8)).ShouldBeTrue();

        var front = Features(map, "front-line").ShouldHaveSingleItem();
        front["properties"]!["between"]!.AsArray().Select(a => a!.GetValue<string>()).Order(StringComparer.Ordinal).ShouldBe([A, B]);
        // The meridian 36.6 from 35.6 to 35.8: 0.2° of latitude, about 22 km.
        front["properties"]!["lengthKm"]!.GetValue<double>().ShouldBeInRange(21.5, 23.0);
        var line = GivenTerritory.Read(front["geometry"]!);
        line.Coordinates.ShouldAllBe(c => Math.Abs(c.X - 36.6) < 1e-9);
    }

    [Fact]
    public async Task no_two_actors_overlap_and_their_areas_add_up_to_the_union()
    {
        await TwoChangesAsync();

        var map = await Host.GetJsonAsync("/api/control-map?at=2020-02-20");

        var areas = Areas(map);
        var a = GivenTerritory.Read(areas[A]["geometry"]!);
        var b = GivenTerritory.Read(areas[B]["geometry"]!);
        OverlayNGRobust.Overlay(a, b, SpatialFunction.Intersection).Area.ShouldBe(0, 1e-12);
        var sum = areas.Values.Sum(f => f["properties"]!["areaKm2"]!.GetValue<double>());
        sum.ShouldBe(GivenTerritory.BoxKm2(36.5, 35.6, 36.8, 35.8), 0.01);
    }

    [Fact]
    public async Task a_late_change_is_hidden_as_of_before_its_recording_and_shown_after()
    {
        await TwoChangesAsync();
        await LateChangeAsync();

        var before = Areas(await Host.GetJsonAsync("/api/control-map?at=2020-02-20&asOf=2020-03-01"));
        var after = Areas(await Host.GetJsonAsync("/api/control-map?at=2020-02-20&asOf=2020-03-06"));

        before[B]["properties"]!["areaKm2"]!.GetValue<double>().ShouldBe(Km2(Box2), 0.01);
        before[A]["properties"]!["areaKm2"]!.GetValue<double>().ShouldBe(GivenTerritory.BoxKm2(36.5, 35.6, 36.6, 35.8), 0.01);
        after[B]["properties"]!["areaKm2"]!.GetValue<double>().ShouldBe(GivenTerritory.BoxKm2(36.6, 35.6, 36.7, 35.8), 0.01);
        after[A]["properties"]!["areaKm2"]!.GetValue<double>().ShouldBe(
            GivenTerritory.BoxKm2(36.5, 35.6, 36.6, 35.8) + GivenTerritory.BoxKm2(36.7, 35.6, 36.8, 35.8), 0.01);
    }

    [Fact]
    public async Task a_late_change_does_not_show_at_a_moment_before_it_took_effect()
    {
        await TwoChangesAsync();
        await LateChangeAsync();

        var map = Areas(await Host.GetJsonAsync("/api/control-map?at=2020-02-14&asOf=2020-03-06"));

        map[B]["properties"]!["areaKm2"]!.GetValue<double>().ShouldBe(Km2(Box2), 0.01);
    }

    [Fact]
    public async Task the_map_echoes_at_as_of_and_region()
    {
        await TwoChangesAsync();

        var map = await Host.GetJsonAsync("/api/control-map?at=2020-02-20&asOf=2020-03-01T10:00:00Z&region=idlib");

        map["at"]!.GetValue<DateTimeOffset>().Date.ShouldBe(new DateTime(2020, 2, 20));
        map["asOf"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 3, 1, 10, 0, 0, TimeSpan.Zero));
        map["region"]!.GetValue<string>().ShouldBe("idlib");
        foreach (var area in Features(map, "control-area"))
        {
            area["properties"]!["share"]!.GetValue<double>().ShouldBeInRange(0.0, 1.0);
        }
    }

    [Theory]
    [InlineData("/api/control-map?at=garbage", "at")]
    [InlineData("/api/control-map?asOf=2020-13-45", "asOf")]
    public async Task a_bad_time_is_400_naming_it(string url, string parameter)
    {
        var problem = await Ledger.RefusedAsync(HttpMethod.Get, url, null, HttpStatusCode.BadRequest, url);

        problem.ShouldNameField(parameter, null, url);
    }

    [Fact]
    public async Task the_map_of_an_unknown_region_is_404()
    {
        await Ledger.RefusedAsync(HttpMethod.Get, "/api/control-map?region=atlantis", null, HttpStatusCode.NotFound);
    }

    // ---- shares -----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task the_shares_of_idlib_are_fractions_of_the_governorate_that_add_up_to_at_most_one()
    {
        await TwoChangesAsync();
        var idlibKm2 = (await Host.GetJsonAsync("/api/regions/idlib"))["features"]![0]!["properties"]!["areaKm2"]!.GetValue<double>();

        var shares = await Host.GetJsonAsync("/api/control-map/share?region=idlib&at=2020-02-20");

        shares["region"]!.GetValue<string>().ShouldBe("idlib");
        shares["areaKm2"]!.GetValue<double>().ShouldBe(idlibKm2, 0.001);
        var list = shares["shares"]!.AsArray();
        list.Select(s => s!["actor"]!.GetValue<string>()).Order(StringComparer.Ordinal).ShouldBe([A, B]);
        list.ShouldAllBe(s => s!["share"]!.GetValue<double>() > 0 && s["share"]!.GetValue<double>() <= 1);
        list.Sum(s => s!["share"]!.GetValue<double>()).ShouldBeLessThanOrEqualTo(1.0);
        var b = list.Single(s => s!["actor"]!.GetValue<string>() == B)!;
        b["areaKm2"]!.GetValue<double>().ShouldBe(Km2(Box2), 0.01);
        b["share"]!.GetValue<double>().ShouldBe(Km2(Box2) / idlibKm2, 1e-5);
        shares["unheldKm2"]!.GetValue<double>().ShouldBe(idlibKm2 - list.Sum(s => s!["areaKm2"]!.GetValue<double>()), 0.01);
    }

    [Fact]
    public async Task the_shares_of_an_unknown_region_are_404()
    {
        var problem = await Ledger.RefusedAsync(HttpMethod.Get, "/api/control-map/share?region=atlantis", null, HttpStatusCode.NotFound);

        problem["detail"]!.GetValue<string>().ShouldContain("atlantis");
    }

    [Theory]
    [InlineData("/api/control-map/share")]
    [InlineData("/api/control-map/share?region=")]
    public async Task the_shares_without_a_region_are_400_naming_it(string url)
    {
        var problem = await Ledger.RefusedAsync(HttpMethod.Get, url, null, HttpStatusCode.BadRequest, url);

        problem.ShouldNameField("region");
    }

    // ---- who holds a point ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(36.55, 35.7, "2020-01-20", "2020-03-06", A)]
    [InlineData(36.65, 35.7, "2020-01-20", "2020-03-06", A)]
    [InlineData(36.75, 35.7, "2020-01-20", "2020-03-06", null)]
    [InlineData(36.55, 35.7, "2020-02-20", "2020-03-06", A)]
    [InlineData(36.65, 35.7, "2020-02-20", "2020-03-06", B)]
    [InlineData(36.75, 35.7, "2020-02-20", "2020-03-01", B)]
    [InlineData(36.75, 35.7, "2020-02-20", "2020-03-06", A)]
    [InlineData(36.65, 35.7, "2020-01-09", "2020-03-06", null)]
    [InlineData(36.30, 36.1, "2020-02-20", "2020-03-06", null)]
    public async Task the_holder_of_a_point_is_the_actor_whose_area_covers_it_then(double lon, double lat, string at, string asOf, string? actor)
    {
        await TwoChangesAsync();
        await LateChangeAsync();

        var holder = await Host.GetJsonAsync(FormattableString.Invariant($"/api/control-map/holder?lon={lon}&lat={lat}&at={at}&asOf={asOf}"));

        var held = holder["actor"]?.GetValue<string>();
        held.ShouldBe(actor, $"({lon} {lat}) at {at} as of {asOf}");
        holder["longitude"]!.GetValue<double>().ShouldBe(lon);
        holder["latitude"]!.GetValue<double>().ShouldBe(lat);
    }

    [Theory]
    [InlineData("/api/control-map/holder?lat=35.7", "lon")]
    [InlineData("/api/control-map/holder?lon=200&lat=35.7", "lon")]
    [InlineData("/api/control-map/holder?lon=36.6&lat=-91", "lat")]
    [InlineData("/api/control-map/holder?lon=36.6&lat=35.7&at=garbage", "at")]
    [InlineData("/api/control-map/holder?lon=36.6&lat=35.7&asOf=2020-13-45", "asOf")]
    public async Task a_bad_holder_query_is_400_naming_the_parameter(string url, string parameter)
    {
        var problem = await Ledger.RefusedAsync(HttpMethod.Get, url, null, HttpStatusCode.BadRequest, url);

        problem.ShouldNameField(parameter, null, url);
    }

    // ---- bad control changes ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("actor")]
    [InlineData("area")]
    [InlineData("occurredAt")]
    [InlineData("sources")]
    [InlineData("reportedBy")]
    public async Task a_control_change_without_a_required_field_is_400_naming_it(string field)
    {
        var body = GivenTerritory.ControlChange(A, Box(Box1), "2020-01-10");
        body.Remove(field);

        var problem = await Ledger.RefusedAsync("/api/control-changes", body, HttpStatusCode.BadRequest, field);

        problem.ShouldNameField(field, null, field);
    }

    [Fact]
    public async Task a_control_change_in_the_future_is_400()
    {
        Ledger.Clock.Set(GivenTerritory.On(2, 11));

        var problem = await Ledger.RefusedAsync("/api/control-changes", GivenTerritory.ControlChange(A, Box(Box1), "2020-02-20"), HttpStatusCode.BadRequest);

        problem.ShouldNameField("occurredAt", "future");
    }
}
