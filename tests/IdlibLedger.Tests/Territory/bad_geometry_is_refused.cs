using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdlibLedger.Territory;
using IdlibLedger.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace IdlibLedger.Tests.Territory;

/// <summary>
/// docs/domain.md, "Geometry": invalid geometry is refused with the location of the defect, never repaired, and
/// nothing is appended. The same defects, wherever an area is posted.
/// </summary>
public sealed class bad_geometry_is_refused(LedgerFixture ledger) : LedgerTest(ledger)
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.ForgetTestRegionsAsync();
    }

    /// <summary>Where an area goes in each command: (url, the field's path, the body with that area).</summary>
    private static (string Url, string Field, JsonObject Body) Command(string command, JsonNode area) => command switch
    {
        "agreement" => ("/api/agreements", "zones[0].area", GivenTerritory.Agreement(b => b["zones"]![0]!["area"] = area)),
        "proposal" => ("/api/proposals", "areas[0].area", GivenTerritory.Proposal(b => b["areas"]![0]!["area"] = area)),
        "control change" => ("/api/control-changes", "area", GivenTerritory.ControlChange(GivenTerritory.Regime, area, "2020-02-10")),
        "region" => ("/api/regions", "area", GivenTerritory.Region(GivenTerritory.FreshRegionId(), area)),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, null),
    };

    private static readonly string[] Commands = ["agreement", "proposal", "control change", "region"];

    /// <summary>(command, defect): every defect on every command that takes an area.</summary>
    public static TheoryData<string, string> Defects()
    {
        var rows = new TheoryData<string, string>();
        foreach (var command in Commands)
        {
            foreach (var defect in new[] { "self-intersecting ring", "unclosed ring", "NaN", "1e999", "longitude 200" })
            {
                rows.Add(command, defect);
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(Defects))]
    public async Task a_defective_area_is_400_naming_where_and_records_nothing(string command, string defect)
    {
        var (area, path, says) = defect switch
        {
            "self-intersecting ring" => ((JsonNode)GivenTerritory.BowTie(), "", "Self-intersection at or near point (36.5 35.9)"),
            "unclosed ring" => (GivenTerritory.UnclosedRing(), ".coordinates[0]", "not closed"),
            "NaN" => (GivenTerritory.WithNaN(), ".coordinates[0][1][0]", "must be a number, not the string \"NaN\""),
            "1e999" => (GivenTerritory.Marked(), ".coordinates[0][1][0]", "finite"),
            "longitude 200" => (GivenTerritory.OutOfRange(), ".coordinates[0][1][0]", "longitude 200 is outside [-180, 180]"),
            _ => throw new ArgumentOutOfRangeException(nameof(defect), defect, null),
        };
        var (url, field, body) = Command(command, area);
        var text = defect == "1e999" ? GivenTerritory.NonFinite(body) : body.ToJsonString();
        if (defect == "1e999")
        {
            text.ShouldContain("[1e999,35.8]");
        }

        var problem = await Ledger.RefusedAsync(HttpMethod.Post, url, text, HttpStatusCode.BadRequest, $"{command}, {defect}");

        problem.ShouldNameField(field + path, says, $"{command}, {defect}");
        if (command == "region")
        {
            await Host.GetJsonAsync($"/api/regions/{body["id"]}", expectedStatus: 404);
        }
    }

    [Theory]
    [InlineData("agreement")]
    [InlineData("proposal")]
    [InlineData("control change")]
    [InlineData("region")]
    public async Task an_area_of_one_position_more_than_the_cap_is_400_and_records_nothing(string command)
    {
        var cap = Host.Services.GetRequiredService<GeometryLimits>().Rules.MaxVertices;
        var (url, field, body) = Command(command, GivenTerritory.PolygonOf(cap + 1));
        var text = body.ToJsonString();
        Encoding.UTF8.GetByteCount(text).ShouldBeLessThan(
            65_536,
            $"a polygon of {cap + 1} positions does not fit in the test host's 64 KiB body limit; set Ledger:MaxGeometryVertices (e.g. 200) in LedgerFixture to test the cap");

        var problem = await Ledger.RefusedAsync(HttpMethod.Post, url, text, HttpStatusCode.BadRequest, command);

        problem.ShouldNameField($"{field}.coordinates", $"at most {cap}", command);
    }

    [Theory]
    [InlineData("agreement")]
    [InlineData("proposal")]
    [InlineData("control change")]
    [InlineData("region")]
    public async Task an_area_within_the_cap_is_accepted(string command)
    {
        var cap = Host.Services.GetRequiredService<GeometryLimits>().Rules.MaxVertices;
        var (url, _, body) = Command(command, GivenTerritory.PolygonOf(Math.Min(cap, 2_000)));

        using var response = await Host.PostJsonAsync(url, body);

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task a_polygon_of_10001_positions_is_refused_by_the_body_limit_first_and_records_nothing()
    {
        // 10,001 positions take more than 64 KiB however tightly they are written, so the test host's body limit answers.
        var body = GivenTerritory.Agreement(b => b["zones"]![0]!["area"] = GivenTerritory.PolygonOf(10_001)).ToJsonString();
        Encoding.UTF8.GetByteCount(body).ShouldBeGreaterThan(65_536);

        var problem = await Ledger.RefusedAsync(HttpMethod.Post, "/api/agreements", body, HttpStatusCode.RequestEntityTooLarge);

        problem["detail"]!.GetValue<string>().ShouldContain("65536");
    }

    [Fact]
    public async Task a_point_where_an_area_belongs_is_400_naming_the_type()
    {
        var problem = await Ledger.RefusedAsync(
            "/api/control-changes", GivenTerritory.ControlChange(GivenTerritory.Regime, GivenTerritory.Point(36.6, 35.8), "2020-02-10"), HttpStatusCode.BadRequest);

        problem.ShouldNameField("area.type", "Polygon");
    }

    [Fact]
    public async Task a_ring_of_three_positions_is_400_naming_the_ring()
    {
        var triangle = GivenTerritory.Polygon((36.4, 35.8), (36.6, 35.8), (36.4, 35.8));

        var problem = await Ledger.RefusedAsync("/api/proposals", GivenTerritory.Proposal(b => b["areas"]![0]!["area"] = triangle), HttpStatusCode.BadRequest);

        problem.ShouldNameField("areas[0].area.coordinates[0]", "at least 4 positions");
    }

    [Fact]
    public async Task a_polygon_outside_the_area_of_interest_is_400_naming_the_position()
    {
        // Istanbul: in range, but far outside Syria.
        var istanbul = GivenTerritory.Polygon((28.9, 41.0), (29.1, 41.0), (29.1, 41.1), (28.9, 41.0));

        var problem = await Ledger.RefusedAsync("/api/agreements", GivenTerritory.Agreement(b => b["zones"]![0]!["area"] = istanbul), HttpStatusCode.BadRequest);

        problem.ShouldNameField("zones[0].area.coordinates[0][0]", "area of interest");
    }
}
