using NetTopologySuite.Geometries;
using Shouldly;
using static IdlibLedger.Spatial.Tests.GeoJsonText;

namespace IdlibLedger.Spatial.Tests;

public sealed class MetricTests
{
    private const double R = 6371.0088;

    // Hmeimim Air Base (Latakia) and Saraqib (Idlib), lon/lat.
    private static readonly Point Hmeimim = Wgs84.Point(35.949, 35.401);
    private static readonly Point Saraqib = Wgs84.Point(36.80, 35.864);
    private static readonly Point IdlibCity = Wgs84.Point(36.633, 35.930);

    private static double Rad(double degrees) => degrees * Math.PI / 180;

    [Fact]
    public void the_central_meridian_of_zone_37_on_the_equator_is_the_false_easting()
    {
        var utm = (Point)Metric.ToUtm37N(Wgs84.Point(39, 0));

        utm.X.ShouldBe(500_000, 1e-6);
        utm.Y.ShouldBe(0, 1e-6);
        utm.SRID.ShouldBe(32637);
        utm.SRID.ShouldBe(Metric.Utm37NSrid);
    }

    [Fact]
    public void idlib_projects_west_of_the_central_meridian_about_four_thousand_km_north()
    {
        var utm = (Point)Metric.ToUtm37N(IdlibCity);

        // 36.633 E is 2.4 degrees west of 39 E: about 210 km at this latitude.
        utm.X.ShouldBe(500_000 - (R * 1000 * Rad(39 - 36.633) * Math.Cos(Rad(35.93))), 2_000);
        utm.Y.ShouldBe(3_977_000, 5_000);
    }

    [Fact]
    public void projecting_leaves_the_wgs84_geometry_as_it_was()
    {
        var square = Wkt("POLYGON ((36.6 35.9, 36.7 35.9, 36.7 36.0, 36.6 36.0, 36.6 35.9))");

        var utm = Metric.ToUtm37N(square);

        square.EqualsExact(Wkt("POLYGON ((36.6 35.9, 36.7 35.9, 36.7 36.0, 36.6 36.0, 36.6 35.9))")).ShouldBeTrue();
        square.SRID.ShouldBe(Wgs84.Srid);
        utm.SRID.ShouldBe(Metric.Utm37NSrid);
        var corner = (Point)Metric.ToUtm37N(Wgs84.Point(36.6, 35.9));
        utm.Coordinates[0].Equals2D(corner.Coordinate).ShouldBeTrue();
        // The envelope is recomputed in metres (0.1 degree is about 9 km by 11 km, a little rotated by grid convergence).
        utm.EnvelopeInternal.MinX.ShouldBe(corner.X, 300);
        utm.EnvelopeInternal.Height.ShouldBe(11_100, 300);
    }

    [Fact]
    public void only_wgs84_geometries_are_projected()
    {
        var utm = Metric.ToUtm37N(IdlibCity);

        Should.Throw<ArgumentException>(() => Metric.ToUtm37N(utm));
    }

    [Fact]
    public void the_area_of_a_tenth_of_a_degree_square_near_idlib_is_about_100_km2()
    {
        var square = Wkt("POLYGON ((36.6 35.9, 36.7 35.9, 36.7 36.0, 36.6 36.0, 36.6 35.9))");
        // The area between two meridians and two parallels on a sphere: R² Δλ (sin φ2 − sin φ1).
        var expected = R * R * Rad(0.1) * (Math.Sin(Rad(36.0)) - Math.Sin(Rad(35.9)));

        var km2 = Metric.AreaKm2(square);

        km2.ShouldBe(100.2, 0.5);
        (Math.Abs(km2 - expected) / expected).ShouldBeLessThan(0.005);
    }

    [Fact]
    public void the_area_does_not_depend_on_the_rings_orientation()
    {
        var counterClockwise = Metric.AreaKm2(Wkt("POLYGON ((36.6 35.9, 36.7 35.9, 36.7 36.0, 36.6 36.0, 36.6 35.9))"));
        var clockwise = Metric.AreaKm2(Wkt("POLYGON ((36.6 35.9, 36.6 36.0, 36.7 36.0, 36.7 35.9, 36.6 35.9))"));

        clockwise.ShouldBe(counterClockwise, 1e-9);
    }

    [Fact]
    public void holes_are_taken_out_and_polygons_added_up()
    {
        var square = Metric.AreaKm2(Wkt("POLYGON ((36.0 35.5, 37.0 35.5, 37.0 36.5, 36.0 36.5, 36.0 35.5))"));
        var hole = Metric.AreaKm2(Wkt("POLYGON ((36.4 35.8, 36.6 35.8, 36.6 36.0, 36.4 36.0, 36.4 35.8))"));
        var other = Metric.AreaKm2(Wkt("POLYGON ((37.5 35.0, 37.8 35.0, 37.8 35.3, 37.5 35.0))"));

        var both = Metric.AreaKm2(Wkt(
            "MULTIPOLYGON (((36.0 35.5, 37.0 35.5, 37.0 36.5, 36.0 36.5, 36.0 35.5), (36.4 35.8, 36.6 35.8, 36.6 36.0, 36.4 36.0, 36.4 35.8)), ((37.5 35.0, 37.8 35.0, 37.8 35.3, 37.5 35.0)))"));

        both.ShouldBe(square - hole + other, 1e-6);
    }

    [Fact]
    public void points_and_lines_have_no_area()
    {
        Metric.AreaKm2(IdlibCity).ShouldBe(0);
        Metric.AreaKm2(Wkt("LINESTRING (36.4 35.6, 36.6 35.9)")).ShouldBe(0);
    }

    [Fact]
    public void the_length_of_a_tenth_of_a_degree_along_a_meridian_and_a_parallel_is_in_km()
    {
        var meridian = Metric.LengthKm(Wkt("LINESTRING (36.6 35.9, 36.6 36.0)"));
        var parallel = Metric.LengthKm(Wkt("LINESTRING (36.6 35.9, 36.7 35.9)"));

        (Math.Abs(meridian - (R * Rad(0.1))) / (R * Rad(0.1))).ShouldBeLessThan(0.005);
        (Math.Abs(parallel - (R * Math.Cos(Rad(35.9)) * Rad(0.1))) / (R * Math.Cos(Rad(35.9)) * Rad(0.1))).ShouldBeLessThan(0.005);
    }

    [Fact]
    public void a_multilinestring_is_as_long_as_its_lines_together()
    {
        var together = Metric.LengthKm(Wkt("MULTILINESTRING ((36.4 35.6, 36.6 35.9), (36.7 35.8, 36.9 35.85, 37.0 35.7))"));

        together.ShouldBe(
            Metric.LengthKm(Wkt("LINESTRING (36.4 35.6, 36.6 35.9)")) + Metric.LengthKm(Wkt("LINESTRING (36.7 35.8, 36.9 35.85, 37.0 35.7)")),
            1e-9);
    }

    [Fact]
    public void hmeimim_to_saraqib_is_about_90_km_to_the_north_east()
    {
        var (km, bearing) = Metric.DistanceAndBearing(Hmeimim, Saraqib);

        // Checked with other formulas: the spherical law of cosines, and the bearing from the local east/north components.
        var (lat1, lat2, dLon) = (Rad(Hmeimim.Y), Rad(Saraqib.Y), Rad(Saraqib.X - Hmeimim.X));
        var lawOfCosines = R * Math.Acos((Math.Sin(lat1) * Math.Sin(lat2)) + (Math.Cos(lat1) * Math.Cos(lat2) * Math.Cos(dLon)));
        var east = Math.Cos(lat2) * Math.Sin(dLon);
        var north = (Math.Cos(lat1) * Math.Sin(lat2)) - (Math.Sin(lat1) * Math.Cos(lat2) * Math.Cos(dLon));
        var expectedBearing = Math.Atan2(east, north) * 180 / Math.PI;

        km.ShouldBe(lawOfCosines, 1e-6);
        km.ShouldBe(92.6, 1.0);
        bearing.ShouldBe(expectedBearing, 1e-9);
        bearing.ShouldBe(56, 1.5);
    }

    [Fact]
    public void hmeimim_lies_south_west_of_idlib()
    {
        var (_, bearing) = Metric.DistanceAndBearing(IdlibCity, Hmeimim);

        bearing.ShouldBeInRange(180, 270);
    }

    [Theory]
    [InlineData(36.0, 35.0, 36.0, 36.0, 0)]
    [InlineData(0.0, 0.0, 1.0, 0.0, 90)]
    [InlineData(36.0, 36.0, 36.0, 35.0, 180)]
    [InlineData(0.0, 0.0, -1.0, 0.0, 270)]
    public void bearings_start_at_north_and_turn_clockwise(double fromLon, double fromLat, double toLon, double toLat, double expected)
    {
        Metric.DistanceAndBearing(Wgs84.Point(fromLon, fromLat), Wgs84.Point(toLon, toLat)).BearingDegrees.ShouldBe(expected, 1e-9);
    }

    [Fact]
    public void one_degree_of_latitude_is_the_mean_radius_times_pi_over_180()
    {
        Metric.DistanceAndBearing(Wgs84.Point(36, 35), Wgs84.Point(36, 36)).Km.ShouldBe(R * Math.PI / 180, 1e-9);
    }

    [Fact]
    public void a_point_is_at_no_distance_from_itself()
    {
        Metric.DistanceAndBearing(IdlibCity, Wgs84.Point(36.633, 35.930)).ShouldBe((0.0, 0.0));
    }
}
