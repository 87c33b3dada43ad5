using System.Text.Json;
using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;
using Shouldly;
using static IdlibLedger.Spatial.Tests.GeoJsonText;

namespace IdlibLedger.Spatial.Tests;

public sealed class GeoJsonWriteTests
{
    [Fact]
    public void a_point_is_written_longitude_first_with_no_crs()
    {
        GeoJson.ToJson(Wgs84.Point(36.63, 35.93)).GetRawText().ShouldBe("""{"type":"Point","coordinates":[36.63,35.93]}""");
    }

    [Fact]
    public void coordinates_are_written_in_full_precision()
    {
        var json = GeoJson.ToJson(Wgs84.Point(36.123456789012, 35.987654321098));

        json.GetProperty("coordinates")[0].GetDouble().ShouldBe(36.123456789012);
        json.GetProperty("coordinates")[1].GetDouble().ShouldBe(35.987654321098);
    }

    [Fact]
    public void rings_are_written_the_rfc_7946_way_outer_counter_clockwise_holes_clockwise()
    {
        var clockwise = Wkt("POLYGON ((36.0 35.5, 36.0 36.5, 37.0 36.5, 37.0 35.5, 36.0 35.5), (36.4 35.8, 36.6 35.8, 36.6 36.0, 36.4 35.8))");

        var written = (Polygon)GeoJson.FromJson(GeoJson.ToJson(clockwise));

        Orientation.IsCCW(written.ExteriorRing.CoordinateSequence).ShouldBeTrue();
        Orientation.IsCCW(written.GetInteriorRingN(0).CoordinateSequence).ShouldBeFalse();
        written.EqualsTopologically(clockwise).ShouldBeTrue();
    }

    [Theory]
    [InlineData("POINT (36.63 35.93)")]
    [InlineData("LINESTRING (36.4 35.6, 36.6 35.9, 36.8 35.87)")]
    [InlineData("MULTILINESTRING ((36.4 35.6, 36.6 35.9), (36.7 35.8, 36.9 35.85, 37.0 35.7))")]
    [InlineData("POLYGON ((36.6 35.9, 36.7 35.9, 36.7 36.0, 36.6 36.0, 36.6 35.9))")]
    [InlineData("MULTIPOLYGON (((36.0 35.5, 36.5 35.5, 36.5 36.0, 36.0 35.5)), ((36.6 35.9, 36.7 35.9, 36.7 36.0, 36.6 36.0, 36.6 35.9), (36.62 35.92, 36.65 35.98, 36.68 35.92, 36.62 35.92)))")]
    public void what_is_written_reads_back_as_the_same_geometry_in_wgs84(string wkt)
    {
        var geometry = Wkt(wkt);

        var json = GeoJson.ToJson(geometry);
        var back = GeoJson.FromJson(json);

        back.GeometryType.ShouldBe(geometry.GeometryType);
        back.SRID.ShouldBe(Wgs84.Srid);
        back.EqualsTopologically(geometry).ShouldBeTrue();
        json.TryGetProperty("crs", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("POINT (36.63 35.93)", GeometryKinds.Point)]
    [InlineData("MULTILINESTRING ((36.4 35.6, 36.6 35.9), (36.7 35.8, 36.9 35.85, 37.0 35.7))", GeometryKinds.Lines)]
    [InlineData("MULTIPOLYGON (((36.0 35.5, 36.5 35.5, 36.5 36.0, 36.0 35.5)), ((36.6 35.9, 36.7 35.9, 36.7 36.0, 36.6 36.0, 36.6 35.9)))", GeometryKinds.Areas)]
    public void what_is_written_passes_the_checked_reading(string wkt, GeometryKinds kinds)
    {
        GeoJson.Read(GeoJson.ToJson(Wkt(wkt)), kinds, GeometryRules.Default).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void an_altitude_is_written_and_read_back()
    {
        var back = GeoJson.FromJson(GeoJson.ToJson(Wkt("POINT Z (36.63 35.93 412.5)")));

        back.Coordinate.Z.ShouldBe(412.5);
    }

    [Fact]
    public void a_trusted_geometry_is_read_without_checks()
    {
        // The ledger wrote it, so the bow-tie comes back as it is; only Read refuses it.
        var back = GeoJson.FromJson(Json("""{"type":"Polygon","coordinates":[[[36.4,35.8],[36.6,36.0],[36.6,35.8],[36.4,36.0],[36.4,35.8]]]}"""));

        back.IsValid.ShouldBeFalse();
        back.SRID.ShouldBe(Wgs84.Srid);
    }

    [Fact]
    public void null_is_not_a_geometry()
    {
        Should.Throw<JsonException>(() => GeoJson.FromJson(Json("null")));
    }

    [Fact]
    public void a_projected_geometry_is_not_written_as_geojson()
    {
        var utm = Metric.ToUtm37N(Wgs84.Point(36.63, 35.93));

        Should.Throw<ArgumentException>(() => GeoJson.ToJson(utm)).Message.ShouldContain("SRID 32637");
    }

    [Fact]
    public void a_feature_collection_holds_each_geometry_with_its_properties_named_as_given()
    {
        var area = Wkt("POLYGON ((36.6 35.9, 36.7 35.9, 36.7 36.0, 36.6 36.0, 36.6 35.9))");
        var line = Wkt("LINESTRING (36.4 35.6, 36.6 35.9)");

        var text = GeoJson.FeatureCollection(
        [
            (area, new Dictionary<string, object?> { ["actor"] = "Syrian Arab Army", ["areaKm2"] = 100.123, ["region"] = null }),
            (line, new Dictionary<string, object?> { ["kind"] = "front-line", ["between"] = new[] { "a", "b" }, ["source"] = new { Outlet = "UN", Page = 3 } }),
        ]);

        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        root.GetProperty("type").GetString().ShouldBe("FeatureCollection");
        var features = root.GetProperty("features");
        features.GetArrayLength().ShouldBe(2);

        var first = features[0];
        first.GetProperty("type").GetString().ShouldBe("Feature");
        GeoJson.FromJson(first.GetProperty("geometry")).EqualsTopologically(area).ShouldBeTrue();
        first.GetProperty("properties").GetRawText().ShouldBe("""{"actor":"Syrian Arab Army","areaKm2":100.123,"region":null}""");

        var second = features[1];
        GeoJson.FromJson(second.GetProperty("geometry")).EqualsExact(line).ShouldBeTrue();
        second.GetProperty("properties").GetRawText().ShouldBe("""{"kind":"front-line","between":["a","b"],"source":{"outlet":"UN","page":3}}""");
    }

    [Fact]
    public void a_feature_collection_keeps_names_in_any_script()
    {
        var text = GeoJson.FeatureCollection([(Wgs84.Point(36.63, 35.93), new Dictionary<string, object?> { ["name"] = "إدلب" })]);

        using var document = JsonDocument.Parse(text);
        document.RootElement.GetProperty("features")[0].GetProperty("properties").GetProperty("name").GetString().ShouldBe("إدلب");
    }

    [Fact]
    public void an_empty_feature_collection_is_still_a_feature_collection()
    {
        GeoJson.FeatureCollection([]).ShouldBe("""{"type":"FeatureCollection","features":[]}""");
    }
}
