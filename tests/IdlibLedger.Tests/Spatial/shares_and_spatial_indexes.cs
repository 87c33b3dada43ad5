using System.Globalization;
using System.Text.Json.Nodes;
using IdlibLedger.Demo;
using IdlibLedger.Territory.ControlMap;
using IdlibLedger.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace IdlibLedger.Tests.Spatial;

public sealed class shares_and_spatial_indexes(LedgerFixture ledger) : LedgerTest(ledger)
{
    /// <summary>The government's side of the M4/M5 in the demo's Russian map: a polygon the test knows as WKT.</summary>
    private const string KnownPolygonWkt =
        "POLYGON((36.10 35.30, 37.30 35.30, 37.30 36.40, 36.98 36.40, 36.94 36.15, 36.88 36.00, 36.80 35.85, 36.62 35.81, 36.45 35.79, 36.32 35.80, 36.10 35.83, 36.10 35.30))";

    private static JsonObject GeoJsonPolygon(string wkt)
    {
        var ring = new JsonArray();
        foreach (var pair in wkt[(wkt.IndexOf("((", StringComparison.Ordinal) + 2)..wkt.IndexOf("))", StringComparison.Ordinal)].Split(','))
        {
            var xy = pair.Trim().Split(' ');
            ring.Add(new JsonArray(double.Parse(xy[0], CultureInfo.InvariantCulture), double.Parse(xy[1], CultureInfo.InvariantCulture)));
        }

        return new JsonObject { ["type"] = "Polygon", ["coordinates"] = new JsonArray(ring) };
    }

    private static void RequireSharedData() =>
        LedgerFixture.SharedData.ShouldNotBeNull("the OCHA boundaries of ../shared/data are needed (set LEDGER_SHARED_DATA)");

    [Fact]
    public async Task a_proposals_share_of_the_idlib_governorate_matches_postgis_geography_areas()
    {
        RequireSharedData();
        using var response = await Host.PostJsonAsync("/api/proposals", new JsonObject
        {
            ["proposer"] = "Russian Federation",
            ["addressedTo"] = new JsonArray("Republic of Turkey"),
            ["region"] = "idlib",
            ["tabledAt"] = "2020-02-26",
            ["areas"] = new JsonArray(new JsonObject { ["actor"] = "Syrian Arab Army", ["area"] = GeoJsonPolygon(KnownPolygonWkt) }),
        });
        var id = (await response.JsonAsync())["id"]!.GetValue<Guid>();

        var details = await Host.GetJsonAsync($"/api/proposals/{id}");
        var share = details["shares"]!.AsArray().Single(s => s!["actor"]!.GetValue<string>() == "Syrian Arab Army")!["share"]!.GetValue<double>();

        // Independent: PostGIS measures on the spheroid (geography), the service in UTM 37N with NetTopologySuite.
        var expected = Convert.ToDouble(await Ledger.ScalarAsync(
            $"select ST_Area(ST_Intersection(r.area, ST_GeomFromText('{KnownPolygonWkt}', 4326))::geography) / ST_Area(r.area::geography) " +
            $"from {LedgerFixture.Schema}.regions r where r.id = 'idlib'"), CultureInfo.InvariantCulture);
        share.ShouldBe(expected, 0.005);
        share.ShouldBeInRange(0.55, 0.65);
    }

    [Fact]
    public async Task the_demo_proposal_gives_the_government_about_60_percent_of_idlib_and_was_rejected()
    {
        RequireSharedData();
        (await Host.Services.GetRequiredService<DemoDataLoader>().LoadIntoEmptyLedgerAsync(CancellationToken.None)).ShouldBeTrue();

        var proposals = await Host.GetJsonAsync("/api/proposals?status=rejected");

        var proposal = proposals["items"]!.AsArray().Single()!;
        proposal["proposer"]!.GetValue<string>().ShouldBe("Russian Federation");
        var regime = proposal["shares"]!.AsArray().Single(s => s!["actor"]!.GetValue<string>() == "Syrian Arab Army")!;
        regime["share"]!.GetValue<double>().ShouldBe(0.60, 0.02);
        var now = await Host.GetJsonAsync("/api/control-map/share?region=idlib&at=2020-02-26");
        now["shares"]!.AsArray().Single(s => s!["actor"]!.GetValue<string>() == "Syrian Arab Army")!["share"]!.GetValue<double>().ShouldBeLessThan(0.5);
    }

    [Fact]
    public async Task who_held_a_point_is_answered_by_the_gist_index_on_control_areas()
    {
        var plan = await ExplainAsync(ControlMapReader.HolderSql(LedgerFixture.Schema)
            .Replace("@lon", "36.8", StringComparison.Ordinal).Replace("@lat", "35.5", StringComparison.Ordinal)
            .Replace("@at", "now()", StringComparison.Ordinal).Replace("@as_of", "now()", StringComparison.Ordinal));

        plan.ShouldContain("ix_control_changes_area");
        plan.ShouldMatch("(Index Scan|Bitmap Index Scan)");
    }

    [Fact]
    public async Task attacks_inside_a_polygon_are_found_by_the_gist_index_on_their_locations()
    {
        var plan = await ExplainAsync(
            $"select attack_id from {LedgerFixture.Schema}.attack_timeline t " +
            "where ST_Intersects(t.location, ST_GeomFromText('POLYGON((36.5 35.5, 37 35.5, 37 36, 36.5 36, 36.5 35.5))', 4326))");

        plan.ShouldContain("ix_attack_timeline_location");
        plan.ShouldMatch("(Index Scan|Bitmap Index Scan)");
    }

    /// <summary>
    /// The plan PostgreSQL would run. Sequential scans are switched off for the statement: on a test-sized table
    /// the planner rightly prefers them, and the question here is whether an index can answer at all.
    /// </summary>
    private async Task<string> ExplainAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Ledger.ConnectionString);
        await connection.OpenAsync();
        await using (var off = new Npgsql.NpgsqlCommand("set enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }

        await using var explain = new Npgsql.NpgsqlCommand("explain " + sql, connection);
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }

}
