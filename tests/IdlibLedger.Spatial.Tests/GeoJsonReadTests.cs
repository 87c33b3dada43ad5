using System.Globalization;
using NetTopologySuite.Geometries;
using Shouldly;
using static IdlibLedger.Spatial.Tests.GeoJsonText;

namespace IdlibLedger.Spatial.Tests;

public sealed class GeoJsonReadTests
{
    // Around Idlib city (36.63 E, 35.93 N), inside the default area of interest.
    private const string Square = "POLYGON ((36.6 35.9, 36.7 35.9, 36.7 36.0, 36.6 36.0, 36.6 35.9))";

    private static GeometryReading Read(string json, GeometryKinds allowed = GeometryKinds.Areas, GeometryRules? rules = null) =>
        GeoJson.Read(Json(json), allowed, rules ?? GeometryRules.Default);

    private static GeometryReading ReadWkt(string wkt, GeometryKinds allowed = GeometryKinds.Areas, GeometryRules? rules = null) =>
        GeoJson.Read(JsonFromWkt(wkt), allowed, rules ?? GeometryRules.Default);

    private static GeometryDefect SingleDefect(GeometryReading reading)
    {
        reading.IsValid.ShouldBeFalse();
        reading.Geometry.ShouldBeNull();
        return reading.Defects.ShouldHaveSingleItem();
    }

    [Fact]
    public void a_valid_polygon_is_read_as_it_was_written_in_wgs84()
    {
        var reading = ReadWkt(Square);

        reading.IsValid.ShouldBeTrue();
        reading.Defects.ShouldBeEmpty();
        var polygon = reading.Geometry.ShouldBeOfType<Polygon>();
        polygon.SRID.ShouldBe(4326);
        polygon.EqualsExact(Wkt(Square)).ShouldBeTrue();
    }

    [Theory]
    [InlineData("POINT (36.63 35.93)", GeometryKinds.Point, typeof(Point))]
    [InlineData("LINESTRING (36.4 35.6, 36.6 35.9, 36.8 35.87)", GeometryKinds.Lines, typeof(LineString))]
    [InlineData("MULTILINESTRING ((36.4 35.6, 36.6 35.9), (36.7 35.8, 36.9 35.85, 37.0 35.7))", GeometryKinds.Lines, typeof(MultiLineString))]
    [InlineData(Square, GeometryKinds.Areas, typeof(Polygon))]
    [InlineData("POLYGON ((36.0 35.5, 37.0 35.5, 37.0 36.5, 36.0 36.5, 36.0 35.5), (36.4 35.8, 36.6 35.8, 36.6 36.0, 36.4 35.8))", GeometryKinds.Polygon, typeof(Polygon))]
    [InlineData("MULTIPOLYGON (((36.0 35.5, 36.5 35.5, 36.5 36.0, 36.0 35.5)), ((36.6 35.9, 36.7 35.9, 36.7 36.0, 36.6 36.0, 36.6 35.9), (36.62 35.92, 36.68 35.92, 36.65 35.98, 36.62 35.92)))", GeometryKinds.MultiPolygon, typeof(MultiPolygon))]
    public void each_kind_of_geometry_is_read_when_it_is_valid_and_allowed(string wkt, GeometryKinds allowed, Type type)
    {
        var reading = ReadWkt(wkt, allowed);

        reading.Defects.ShouldBeEmpty();
        reading.IsValid.ShouldBeTrue();
        reading.Geometry.ShouldBeOfType(type);
        reading.Geometry!.SRID.ShouldBe(Wgs84.Srid);
        reading.Geometry.EqualsExact(Wkt(wkt)).ShouldBeTrue();
    }

    [Fact]
    public void a_ring_is_kept_in_the_order_given_clockwise_or_not()
    {
        var clockwise = "POLYGON ((36.6 35.9, 36.6 36.0, 36.7 36.0, 36.7 35.9, 36.6 35.9))";

        ReadWkt(clockwise).Geometry!.EqualsExact(Wkt(clockwise)).ShouldBeTrue();
    }

    [Fact]
    public void an_altitude_is_kept()
    {
        var reading = Read("""{"type":"Point","coordinates":[36.63,35.93,412.5]}""", GeometryKinds.Point);

        reading.IsValid.ShouldBeTrue();
        reading.Geometry!.Coordinate.Z.ShouldBe(412.5);
    }

    [Fact]
    public void foreign_members_such_as_a_bbox_are_ignored()
    {
        var reading = Read("""{"type":"Point","bbox":[36.63,35.93,36.63,35.93],"coordinates":[36.63,35.93]}""", GeometryKinds.Point);

        reading.IsValid.ShouldBeTrue();
    }

    [Fact]
    public void a_self_intersecting_ring_is_refused_with_its_location()
    {
        // A bow-tie: the first and third edges cross at (36.5 35.9).
        var defect = SingleDefect(ReadWkt("POLYGON ((36.4 35.8, 36.6 36.0, 36.6 35.8, 36.4 36.0, 36.4 35.8))"));

        defect.Path.ShouldBe("");
        defect.Message.ShouldBe("Self-intersection at or near point (36.5 35.9)");
    }

    [Fact]
    public void a_hole_outside_its_shell_is_refused_with_its_location()
    {
        var defect = SingleDefect(ReadWkt(
            "POLYGON ((36.0 35.5, 37.0 35.5, 37.0 36.5, 36.0 36.5, 36.0 35.5), (37.5 35.6, 37.8 35.6, 37.8 35.9, 37.5 35.6))"));

        defect.Path.ShouldBe("");
        defect.Message.ShouldBe("Hole lies outside shell at or near point (37.5 35.6)");
    }

    [Fact]
    public void overlapping_polygons_of_a_multipolygon_are_refused_with_their_location()
    {
        var defect = SingleDefect(ReadWkt(
            "MULTIPOLYGON (((36.0 35.5, 36.5 35.5, 36.5 36.0, 36.0 36.0, 36.0 35.5)), ((36.25 35.75, 36.75 35.75, 36.75 36.25, 36.25 36.25, 36.25 35.75)))"));

        defect.Path.ShouldBe("");
        defect.Message.ShouldStartWith("Self-intersection at or near point (");
    }

    [Fact]
    public void a_line_whose_positions_are_all_the_same_is_refused_by_the_topology_check()
    {
        var defect = SingleDefect(Read("""{"type":"LineString","coordinates":[[36.6,35.9],[36.6,35.9]]}""", GeometryKinds.Lines));

        defect.Path.ShouldBe("");
        defect.Message.ShouldBe("Too few points in geometry component at or near point (36.6 35.9)");
    }

    [Fact]
    public void an_unclosed_ring_is_refused_at_the_ring_and_never_closed()
    {
        var defect = SingleDefect(Read("""
            {"type":"Polygon","coordinates":[[[36.6,35.9],[36.7,35.9],[36.7,36.0],[36.6,36.0],[36.6,35.95]]]}
            """));

        defect.Path.ShouldBe("coordinates[0]");
        defect.Message.ShouldBe("ring is not closed: first position (36.6 35.9) differs from last (36.6 35.95)");
    }

    [Fact]
    public void an_unclosed_hole_is_named_by_its_index()
    {
        var defect = SingleDefect(Read("""
            {"type":"Polygon","coordinates":[
              [[36.0,35.5],[37.0,35.5],[37.0,36.5],[36.0,36.5],[36.0,35.5]],
              [[36.4,35.8],[36.6,35.8],[36.6,36.0],[36.41,35.8]]]}
            """));

        defect.Path.ShouldBe("coordinates[1]");
        defect.Message.ShouldBe("ring is not closed: first position (36.4 35.8) differs from last (36.41 35.8)");
    }

    [Fact]
    public void an_unclosed_outer_ring_of_a_multipolygons_second_polygon_is_named_by_both_indexes()
    {
        var defect = SingleDefect(Read("""
            {"type":"MultiPolygon","coordinates":[
              [[[36.0,35.5],[36.5,35.5],[36.5,36.0],[36.0,35.5]]],
              [[[36.6,35.9],[36.7,35.9],[36.7,36.0],[36.6,36.0]]]]}
            """));

        defect.Path.ShouldBe("coordinates[1][0]");
        defect.Message.ShouldBe("ring is not closed: first position (36.6 35.9) differs from last (36.6 36)");
    }

    [Fact]
    public void a_ring_that_differs_only_in_its_altitude_is_not_closed()
    {
        var defect = SingleDefect(Read("""
            {"type":"Polygon","coordinates":[[[36.6,35.9,100],[36.7,35.9,100],[36.7,36.0,100],[36.6,35.9,120]]]}
            """));

        defect.Path.ShouldBe("coordinates[0]");
        defect.Message.ShouldBe("ring is not closed: first position (36.6 35.9 100) differs from last (36.6 35.9 120)");
    }

    [Fact]
    public void a_ring_of_three_positions_is_refused_at_the_ring()
    {
        var defect = SingleDefect(Read("""{"type":"Polygon","coordinates":[[[36.6,35.9],[36.7,35.9],[36.6,35.9]]]}"""));

        defect.Path.ShouldBe("coordinates[0]");
        defect.Message.ShouldBe("a polygon ring has at least 4 positions, the last repeating the first, not 3");
    }

    [Fact]
    public void a_line_of_one_position_is_refused()
    {
        var defect = SingleDefect(Read("""{"type":"LineString","coordinates":[[36.6,35.9]]}""", GeometryKinds.Lines));

        defect.Path.ShouldBe("coordinates");
        defect.Message.ShouldBe("a line string has at least 2 positions, not 1");
    }

    [Fact]
    public void a_short_line_in_a_multilinestring_is_named_by_its_index()
    {
        var defect = SingleDefect(Read("""{"type":"MultiLineString","coordinates":[[[36.6,35.9],[36.7,35.9]],[]]}""", GeometryKinds.Lines));

        defect.Path.ShouldBe("coordinates[1]");
        defect.Message.ShouldBe("a line string has at least 2 positions, not 0");
    }

    [Theory]
    [InlineData("""{"type":"Polygon","coordinates":[]}""", "must hold at least one ring")]
    [InlineData("""{"type":"MultiPolygon","coordinates":[]}""", "must hold at least one polygon")]
    [InlineData("""{"type":"MultiLineString","coordinates":[]}""", "must hold at least one line string")]
    public void an_empty_geometry_is_refused(string json, string message)
    {
        var defect = SingleDefect(Read(json, GeometryKinds.Areas | GeometryKinds.Lines));

        defect.Path.ShouldBe("coordinates");
        defect.Message.ShouldBe(message);
    }

    [Fact]
    public void nan_as_a_string_is_refused_at_its_axis()
    {
        var defect = SingleDefect(Read("""{"type":"LineString","coordinates":[[36.6,35.9],["NaN",35.95]]}""", GeometryKinds.Lines));

        defect.Path.ShouldBe("coordinates[1][0]");
        defect.Message.ShouldBe("must be a number, not the string \"NaN\"");
    }

    [Theory]
    [InlineData("1e999", 0)]
    [InlineData("-1e999", 1)]
    public void a_number_too_large_for_a_double_is_refused_as_not_finite_at_its_axis(string number, int axis)
    {
        var position = axis == 0 ? $"[{number},35.93]" : $"[36.63,{number}]";

        var defect = SingleDefect(Read($$"""{"type":"Point","coordinates":{{position}}}""", GeometryKinds.Point));

        defect.Path.ShouldBe($"coordinates[{axis}]");
        defect.Message.ShouldBe("coordinates must be finite numbers");
    }

    [Fact]
    public void an_infinite_altitude_is_refused_at_axis_2()
    {
        var defect = SingleDefect(Read("""{"type":"Polygon","coordinates":[[[36.6,35.9],[36.7,35.9,1e400],[36.7,36.0],[36.6,35.9]]]}"""));

        defect.Path.ShouldBe("coordinates[0][1][2]");
        defect.Message.ShouldBe("coordinates must be finite numbers");
    }

    [Fact]
    public void a_longitude_out_of_range_is_refused_at_its_axis()
    {
        var defect = SingleDefect(Read("""{"type":"Polygon","coordinates":[[[36.6,35.9],[200,35.9],[36.7,36.0],[36.6,35.9]]]}"""));

        defect.Path.ShouldBe("coordinates[0][1][0]");
        defect.Message.ShouldBe("longitude 200 is outside [-180, 180]");
    }

    [Fact]
    public void a_latitude_out_of_range_is_refused_at_its_axis()
    {
        var defect = SingleDefect(Read("""{"type":"Point","coordinates":[36.6,-91]}""", GeometryKinds.Point));

        defect.Path.ShouldBe("coordinates[1]");
        defect.Message.ShouldBe("latitude -91 is outside [-90, 90]");
    }

    [Theory]
    [InlineData("[36.6]", 1)]
    [InlineData("[36.6,35.9,100,7]", 4)]
    [InlineData("[]", 0)]
    public void a_position_without_two_or_three_numbers_is_refused_as_a_whole(string position, int count)
    {
        var defect = SingleDefect(Read($$"""{"type":"LineString","coordinates":[[36.6,35.9],{{position}}]}""", GeometryKinds.Lines));

        defect.Path.ShouldBe("coordinates[1]");
        defect.Message.ShouldBe($"a position has 2 or 3 numbers [longitude, latitude(, altitude)], not {count}");
    }

    [Fact]
    public void a_position_outside_the_area_of_interest_is_refused_with_the_bounds()
    {
        // Istanbul: a real place, far from Syria.
        var defect = SingleDefect(Read("""{"type":"Point","coordinates":[28.97,41.01]}""", GeometryKinds.Point));

        defect.Path.ShouldBe("coordinates");
        defect.Message.ShouldBe("position (28.97 41.01) is outside the area of interest: longitude 35 to 43, latitude 32 to 37.5");
    }

    [Fact]
    public void the_area_of_interest_is_the_one_the_rules_give()
    {
        var idlibOnly = GeometryRules.Default with { MinLongitude = 36.0, MaxLongitude = 37.0, MinLatitude = 35.5, MaxLatitude = 36.5 };

        var defect = SingleDefect(ReadWkt("LINESTRING (36.5 35.9, 37.2 35.9)", GeometryKinds.Lines, idlibOnly));

        defect.Path.ShouldBe("coordinates[1]");
        defect.Message.ShouldBe("position (37.2 35.9) is outside the area of interest: longitude 36 to 37, latitude 35.5 to 36.5");
        ReadWkt("LINESTRING (36.5 35.9, 36.9 35.9)", GeometryKinds.Lines, idlibOnly).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void too_many_vertices_are_refused_with_the_count_and_the_cap()
    {
        var defect = SingleDefect(ReadWkt(Square, rules: GeometryRules.Default with { MaxVertices = 4 }));

        defect.Path.ShouldBe("coordinates");
        defect.Message.ShouldBe("the geometry has 5 positions; at most 4 are allowed");
    }

    [Fact]
    public void the_vertex_cap_counts_every_ring_and_every_polygon()
    {
        const string twoPolygons = "MULTIPOLYGON (((36.0 35.5, 36.5 35.5, 36.5 36.0, 36.0 35.5)), ((36.6 35.9, 36.7 35.9, 36.7 36.0, 36.6 36.0, 36.6 35.9), (36.62 35.92, 36.68 35.92, 36.65 35.98, 36.62 35.92)))";

        ReadWkt(twoPolygons, rules: GeometryRules.Default with { MaxVertices = 13 }).IsValid.ShouldBeTrue();
        SingleDefect(ReadWkt(twoPolygons, rules: GeometryRules.Default with { MaxVertices = 12 }))
            .Message.ShouldBe("the geometry has 13 positions; at most 12 are allowed");
    }

    [Fact]
    public void a_kind_not_allowed_is_refused_at_the_type_naming_the_allowed_ones()
    {
        var defect = SingleDefect(ReadWkt("POINT (36.63 35.93)", GeometryKinds.Areas));

        defect.Path.ShouldBe("type");
        defect.Message.ShouldBe("a Point is not accepted here: expected one of Polygon, MultiPolygon");
    }

    [Fact]
    public void a_single_allowed_kind_is_named_alone()
    {
        var defect = SingleDefect(ReadWkt(Square, GeometryKinds.Point));

        defect.Path.ShouldBe("type");
        defect.Message.ShouldBe("a Polygon is not accepted here: expected Point");
    }

    [Theory]
    [InlineData("""{"type":"polygon","coordinates":[]}""", "\"polygon\" is not a GeoJSON geometry type accepted here (names are case-sensitive): expected one of Polygon, MultiPolygon")]
    [InlineData("""{"type":"GeometryCollection","geometries":[]}""", "\"GeometryCollection\" is not a GeoJSON geometry type accepted here (names are case-sensitive): expected one of Polygon, MultiPolygon")]
    [InlineData("""{"type":8,"coordinates":[]}""", "must be a string, expected one of Polygon, MultiPolygon; not a number")]
    [InlineData("""{"coordinates":[]}""", "is required: expected one of Polygon, MultiPolygon")]
    public void a_type_that_is_not_a_geometry_type_is_refused_at_the_type(string json, string message)
    {
        var reading = Read(json);

        reading.Geometry.ShouldBeNull();
        reading.Defects[0].ShouldBe(new GeometryDefect("type", message));
    }

    [Theory]
    [InlineData("[36.6, 35.9]", "an array")]
    [InlineData("\"POLYGON ((36.6 35.9, 36.7 35.9, 36.7 36, 36.6 35.9))\"", "the string \"POLYGON ((36.6 35.9, 36.7 35.9, 36.7 36,…\"")]
    [InlineData("null", "null")]
    public void a_geometry_that_is_not_an_object_is_refused_as_a_whole(string json, string what)
    {
        var defect = SingleDefect(Read(json));

        defect.Path.ShouldBe("");
        defect.Message.ShouldBe($"a geometry is a GeoJSON object with \"type\" and \"coordinates\", not {what}");
    }

    [Fact]
    public void missing_coordinates_are_refused()
    {
        var defect = SingleDefect(Read("""{"type":"Polygon"}"""));

        defect.ShouldBe(new GeometryDefect("coordinates", "is required"));
    }

    [Theory]
    [InlineData("""{"type":"Polygon","coordinates":"36.6 35.9"}""", "coordinates", "must be an array of rings, not the string \"36.6 35.9\"")]
    [InlineData("""{"type":"Polygon","coordinates":{"lon":36.6}}""", "coordinates", "must be an array of rings, not an object")]
    [InlineData("""{"type":"MultiPolygon","coordinates":[null]}""", "coordinates[0]", "must be an array of rings, not null")]
    [InlineData("""{"type":"Polygon","coordinates":[7]}""", "coordinates[0]", "must be an array of positions, not a number")]
    [InlineData("""{"type":"LineString","coordinates":[[36.6,35.9],{"lon":36.7,"lat":35.9}]}""", "coordinates[1]", "a position is an array [longitude, latitude], not an object")]
    [InlineData("""{"type":"Point","coordinates":[36.6,true]}""", "coordinates[1]", "must be a number, not a boolean")]
    public void coordinates_of_the_wrong_shape_are_refused_where_they_go_wrong(string json, string path, string message)
    {
        var defect = SingleDefect(Read(json, GeometryKinds.Areas | GeometryKinds.Lines | GeometryKinds.Point));

        defect.ShouldBe(new GeometryDefect(path, message));
    }

    [Fact]
    public void a_polygon_given_the_coordinates_of_a_line_is_refused_at_each_number_where_a_position_should_be()
    {
        var reading = Read("""{"type":"Polygon","coordinates":[[36.6,35.9],[36.7,35.9],[36.7,36.0],[36.6,35.9]]}""");

        reading.Geometry.ShouldBeNull();
        reading.Defects.Select(d => d.Path).ShouldBe(["coordinates[0][0]", "coordinates[0][1]", "coordinates[1][0]", "coordinates[1][1]",
            "coordinates[2][0]", "coordinates[2][1]", "coordinates[3][0]", "coordinates[3][1]"]);
        reading.Defects[0].Message.ShouldBe("a position is an array [longitude, latitude], not a number");
    }

    [Fact]
    public void a_point_nested_one_level_too_deep_is_refused_at_the_array_where_a_number_should_be()
    {
        var defect = SingleDefect(Read("""{"type":"Point","coordinates":[[36.6,35.9]]}""", GeometryKinds.Point));

        defect.ShouldBe(new GeometryDefect("coordinates[0]", "must be a number, not an array"));
    }

    [Fact]
    public void every_defect_found_in_the_json_is_reported_in_document_order()
    {
        var reading = Read("""
            {"type":"MultiPolygon","coordinates":[
              [[[36.0,35.5],[36.5,"35.5"],[36.5,36.0],[36.0,35.6]]],
              [[[36.6,35.9],[1e999,35.9],[36.7,36.0],[28.97,41.01],[36.6,35.9]],
               [[36.62,35.92],[36.68,35.92],[36.62,35.92]]]]}
            """, GeometryKinds.Areas, GeometryRules.Default with { MaxVertices = 10 });

        reading.Geometry.ShouldBeNull();
        reading.Defects.ShouldBe(
        [
            new("coordinates[0][0][1][1]", "must be a number, not the string \"35.5\""),
            new("coordinates[0][0]", "ring is not closed: first position (36 35.5) differs from last (36 35.6)"),
            new("coordinates[1][0][1][0]", "coordinates must be finite numbers"),
            new("coordinates[1][0][3]", "position (28.97 41.01) is outside the area of interest: longitude 35 to 43, latitude 32 to 37.5"),
            new("coordinates[1][1]", "a polygon ring has at least 4 positions, the last repeating the first, not 3"),
            new("coordinates", "the geometry has 12 positions; at most 10 are allowed"),
        ]);
    }

    [Fact]
    public void a_kind_not_allowed_still_has_its_coordinates_checked()
    {
        var reading = Read("""{"type":"LineString","coordinates":[[36.6,35.9],[36.7,"x"]]}""", GeometryKinds.Areas);

        reading.Defects.Select(d => d.Path).ShouldBe(["type", "coordinates[1][1]"]);
    }

    [Fact]
    public void the_topology_is_not_checked_while_the_json_has_defects()
    {
        // A bow-tie with one ring too many positions for the cap: only the cap is reported, not the crossing.
        var reading = ReadWkt("POLYGON ((36.4 35.8, 36.6 36.0, 36.6 35.8, 36.4 36.0, 36.4 35.8))", rules: GeometryRules.Default with { MaxVertices = 4 });

        reading.Defects.ShouldHaveSingleItem().Path.ShouldBe("coordinates");
    }

    [Fact]
    public void a_geometry_with_thousands_of_defects_lists_the_first_hundred_and_counts_the_rest()
    {
        // Web Mercator metres sent as degrees: every longitude is out of range.
        var positions = string.Join(",", Enumerable.Range(0, 250).Select(i => string.Create(CultureInfo.InvariantCulture, $"[{4_070_000 + i},{4_290_000 + i}]")));

        var reading = Read($$"""{"type":"LineString","coordinates":[{{positions}}]}""", GeometryKinds.Lines);

        reading.Defects.Count.ShouldBe(101);
        reading.Defects[0].ShouldBe(new GeometryDefect("coordinates[0][0]", "longitude 4070000 is outside [-180, 180]"));
        reading.Defects[99].Path.ShouldBe("coordinates[99][0]");
        reading.Defects[100].ShouldBe(new GeometryDefect("", "150 more defects are not listed (the first 100 are)"));
    }

    [Fact]
    public void the_vertex_cap_is_reported_even_past_the_hundredth_defect()
    {
        var positions = string.Join(",", Enumerable.Range(0, 150).Select(_ => "[200,35.9]"));

        var reading = Read($$"""{"type":"LineString","coordinates":[{{positions}}]}""", GeometryKinds.Lines, GeometryRules.Default with { MaxVertices = 100 });

        reading.Defects.ShouldContain(new GeometryDefect("coordinates", "the geometry has 150 positions; at most 100 are allowed"));
        reading.Defects.ShouldContain(new GeometryDefect("", "50 more defects are not listed (the first 100 are)"));
    }

    [Fact]
    public void messages_are_the_same_whatever_the_servers_culture()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");

            SingleDefect(ReadWkt("POLYGON ((36.4 35.8, 36.6 36.0, 36.6 35.8, 36.4 36.0, 36.4 35.8))"))
                .Message.ShouldBe("Self-intersection at or near point (36.5 35.9)");
            SingleDefect(Read("""{"type":"Point","coordinates":[28.97,41.01]}""", GeometryKinds.Point, GeometryRules.Default with { MaxLatitude = 37.25 }))
                .Message.ShouldBe("position (28.97 41.01) is outside the area of interest: longitude 35 to 43, latitude 32 to 37.25");
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void rules_are_required()
    {
        Should.Throw<ArgumentNullException>(() => GeoJson.Read(JsonFromWkt(Square), GeometryKinds.Areas, null!));
    }

    [Fact]
    public void the_default_rules_are_syria_with_a_margin_and_ten_thousand_vertices()
    {
        GeometryRules.Default.ShouldBe(new GeometryRules
        {
            MaxVertices = 10_000, MinLongitude = 35.0, MaxLongitude = 43.0, MinLatitude = 32.0, MaxLatitude = 37.5,
        });
        GeometryKinds.Areas.ShouldBe(GeometryKinds.Polygon | GeometryKinds.MultiPolygon);
        GeometryKinds.Lines.ShouldBe(GeometryKinds.LineString | GeometryKinds.MultiLineString);
    }
}
