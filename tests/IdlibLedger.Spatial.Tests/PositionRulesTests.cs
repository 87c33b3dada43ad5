using System.Globalization;
using Shouldly;

namespace IdlibLedger.Spatial.Tests;

public sealed class PositionRulesTests
{
    [Theory]
    [InlineData(36.78, 35.93)]
    [InlineData(0.0, 0.0)]
    [InlineData(180.0, 90.0)]
    [InlineData(-180.0, -90.0)]
    [InlineData(-180.0, 90.0)]
    [InlineData(180.0, -90.0)]
    public void a_position_in_range_has_no_defect(double longitude, double latitude)
    {
        PositionRules.Check([longitude, latitude]).ShouldBeNull();
    }

    [Theory]
    [InlineData(36.78, 35.93, 412.0)]
    [InlineData(36.78, 35.93, -430.5)]
    [InlineData(180.0, 90.0, 0.0)]
    public void a_position_with_an_altitude_has_no_defect(double longitude, double latitude, double altitude)
    {
        PositionRules.Check([longitude, latitude, altitude]).ShouldBeNull();
    }

    [Theory]
    [InlineData(0, double.NaN, 35.93)]
    [InlineData(1, 36.78, double.NaN)]
    [InlineData(0, double.PositiveInfinity, 35.93)]
    [InlineData(0, double.NegativeInfinity, 35.93)]
    [InlineData(1, 36.78, double.PositiveInfinity)]
    [InlineData(1, 36.78, double.NegativeInfinity)]
    public void a_number_that_is_not_finite_is_named_by_its_axis(int axis, double longitude, double latitude)
    {
        var defect = PositionRules.Check([longitude, latitude]).ShouldNotBeNull();

        defect.Axis.ShouldBe(axis);
        defect.Message.ShouldBe("coordinates must be finite numbers");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void an_altitude_that_is_not_finite_is_named_as_axis_2(double altitude)
    {
        var defect = PositionRules.Check([36.78, 35.93, altitude]).ShouldNotBeNull();

        defect.Axis.ShouldBe(2);
        defect.Message.ShouldBe("coordinates must be finite numbers");
    }

    [Fact]
    public void a_non_finite_number_is_found_before_a_range_is_checked()
    {
        // Longitude 200 is out of range, but the infinite latitude is the first thing wrong with the position.
        var defect = PositionRules.Check([200, double.PositiveInfinity]).ShouldNotBeNull();

        defect.Axis.ShouldBe(1);
        defect.Message.ShouldBe("coordinates must be finite numbers");
    }

    [Theory]
    [InlineData(200.0)]
    [InlineData(180.000001)]
    [InlineData(-180.000001)]
    [InlineData(-361.0)]
    public void a_longitude_outside_plus_minus_180_is_axis_0(double longitude)
    {
        var defect = PositionRules.Check([longitude, 35.93]).ShouldNotBeNull();

        defect.Axis.ShouldBe(0);
        defect.Message.ShouldStartWith("longitude ");
        defect.Message.ShouldEndWith(" is outside [-180, 180]");
    }

    [Theory]
    [InlineData(-91.0)]
    [InlineData(90.000001)]
    [InlineData(-90.000001)]
    [InlineData(180.0)]
    public void a_latitude_outside_plus_minus_90_is_axis_1(double latitude)
    {
        var defect = PositionRules.Check([36.78, latitude]).ShouldNotBeNull();

        defect.Axis.ShouldBe(1);
        defect.Message.ShouldStartWith("latitude ");
        defect.Message.ShouldEndWith(" is outside [-90, 90]");
    }

    [Fact]
    public void the_message_quotes_the_wrong_number()
    {
        PositionRules.Check([200, 35.93])!.Message.ShouldBe("longitude 200 is outside [-180, 180]");
        PositionRules.Check([36.78, -91])!.Message.ShouldBe("latitude -91 is outside [-90, 90]");
    }

    [Fact]
    public void the_message_is_the_same_whatever_the_servers_culture()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");

            PositionRules.Check([200.5, 35.93])!.Message.ShouldBe("longitude 200.5 is outside [-180, 180]");
            PositionRules.Check([36.78, -90.5])!.Message.ShouldBe("latitude -90.5 is outside [-90, 90]");
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void latitude_and_longitude_swapped_past_90_is_caught_as_the_latitude()
    {
        // [lat, lon] by mistake for a point in the far east: the "latitude" 120 is out of range.
        var defect = PositionRules.Check([35.93, 120.0]).ShouldNotBeNull();

        defect.Axis.ShouldBe(1);
    }

    [Fact]
    public void the_longitude_is_checked_before_the_latitude()
    {
        var defect = PositionRules.Check([200, -91]).ShouldNotBeNull();

        defect.Axis.ShouldBe(0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(5)]
    public void a_position_without_2_or_3_numbers_is_the_whole_position(int count)
    {
        var position = Enumerable.Repeat(10.0, count).ToArray();

        var defect = PositionRules.Check(position).ShouldNotBeNull();

        defect.Axis.ShouldBe(-1);
        defect.Message.ShouldBe($"a position has 2 or 3 numbers [longitude, latitude(, altitude)], not {count}");
    }

    [Fact]
    public void the_count_is_checked_before_the_numbers()
    {
        var defect = PositionRules.Check([double.NaN]).ShouldNotBeNull();

        defect.Axis.ShouldBe(-1);
    }

    [Fact]
    public void a_missing_position_is_a_programming_error()
    {
        Should.Throw<ArgumentNullException>(() => PositionRules.Check(null!));
    }

    [Fact]
    public void any_list_of_numbers_can_be_checked()
    {
        PositionRules.Check(new List<double> { 36.78, 35.93 }).ShouldBeNull();
        PositionRules.Check(new List<double> { 36.78, 95 })!.Axis.ShouldBe(1);
    }
}

public sealed class Wgs84Tests
{
    [Fact]
    public void a_point_is_in_wgs84_with_the_longitude_as_x()
    {
        var point = Wgs84.Point(36.78, 35.93);

        point.SRID.ShouldBe(4326);
        point.SRID.ShouldBe(Wgs84.Srid);
        point.X.ShouldBe(36.78);
        point.Y.ShouldBe(35.93);
        point.Coordinate.X.ShouldBe(36.78);
        point.Coordinate.Y.ShouldBe(35.93);
    }

    [Fact]
    public void a_point_keeps_its_coordinates_exactly()
    {
        var point = Wgs84.Point(36.123456789012, -35.987654321098);

        point.X.ShouldBe(36.123456789012);
        point.Y.ShouldBe(-35.987654321098);
    }

    [Fact]
    public void a_point_has_no_altitude()
    {
        double.IsNaN(Wgs84.Point(36.78, 35.93).Coordinate.Z).ShouldBeTrue();
    }

    [Fact]
    public void the_factory_makes_every_geometry_in_wgs84()
    {
        Wgs84.Factory.SRID.ShouldBe(4326);
        Wgs84.Factory.CreatePoint(new NetTopologySuite.Geometries.Coordinate(1, 2)).SRID.ShouldBe(4326);
    }

    [Fact]
    public void points_at_the_edges_are_made_as_given()
    {
        var east = Wgs84.Point(180, 90);
        var west = Wgs84.Point(-180, -90);

        (east.X, east.Y).ShouldBe((180.0, 90.0));
        (west.X, west.Y).ShouldBe((-180.0, -90.0));
    }
}
