using IdlibLedger.Territory.ControlMap;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Overlay;
using NetTopologySuite.Operation.OverlayNG;
using Shouldly;
using static IdlibLedger.Tests.Territory.GivenTerritory;

namespace IdlibLedger.Tests.Territory;

/// <summary>
/// <see cref="ControlMap"/> without HTTP: gains applied in order, each taking its ground from every other actor, so no
/// two actors ever overlap; front lines where two actors' areas touch.
/// </summary>
public sealed class the_control_map_fold
{
    private const string A = "Syrian Arab Army";
    private const string B = "Syrian National Army";
    private const string C = "Hayat Tahrir al-Sham";

    private static readonly Geometry West = Wkt("POLYGON ((36.5 35.6, 36.7 35.6, 36.7 35.8, 36.5 35.8, 36.5 35.6))");
    private static readonly Geometry East = Wkt("POLYGON ((36.6 35.6, 36.8 35.6, 36.8 35.8, 36.6 35.8, 36.6 35.6))");

    private static ControlMap Map(params (string, Geometry)[] gains) => ControlMap.From(gains);

    private static void ShouldBeTheSameGround(Geometry actual, string wkt) =>
        actual.EqualsTopologically(Wkt(wkt)).ShouldBeTrue($"{actual} is not {wkt}");

    [Fact]
    public void a_first_gain_gives_the_actor_the_area()
    {
        var map = Map((A, West));

        map.Held.Keys.ShouldBe([A]);
        map.Held[A].ShouldBeOfType<MultiPolygon>();
        map.Held[A].EqualsTopologically(West).ShouldBeTrue();
    }

    [Fact]
    public void a_later_gain_takes_the_overlap_from_the_earlier_holder()
    {
        var map = Map((A, West), (B, East));

        ShouldBeTheSameGround(map.Held[A], "POLYGON ((36.5 35.6, 36.6 35.6, 36.6 35.8, 36.5 35.8, 36.5 35.6))");
        map.Held[B].EqualsTopologically(East).ShouldBeTrue();
    }

    [Fact]
    public void the_order_of_the_gains_decides_who_holds_the_overlap()
    {
        var map = Map((B, East), (A, West));

        map.Held[A].EqualsTopologically(West).ShouldBeTrue();
        ShouldBeTheSameGround(map.Held[B], "POLYGON ((36.7 35.6, 36.8 35.6, 36.8 35.8, 36.7 35.8, 36.7 35.6))");
    }

    [Fact]
    public void no_two_actors_overlap_and_together_they_hold_the_union()
    {
        var map = Map(
            (A, West),
            (B, East),
            (C, Wkt("POLYGON ((36.55 35.65, 36.75 35.65, 36.75 35.75, 36.55 35.75, 36.55 35.65))")),
            (A, Wkt("POLYGON ((36.7 35.7, 36.8 35.7, 36.8 35.8, 36.7 35.8, 36.7 35.7))")));

        var held = map.Held.ToList();
        for (var i = 0; i < held.Count; i++)
        {
            for (var j = i + 1; j < held.Count; j++)
            {
                OverlayNGRobust.Overlay(held[i].Value, held[j].Value, SpatialFunction.Intersection).Area
                    .ShouldBe(0, 1e-12, $"{held[i].Key} and {held[j].Key} overlap");
            }
        }

        held.Sum(h => h.Value.Area).ShouldBe(Wkt("POLYGON ((36.5 35.6, 36.8 35.6, 36.8 35.8, 36.5 35.8, 36.5 35.6))").Area, 1e-9);
    }

    [Fact]
    public void an_actor_that_loses_all_its_ground_leaves_the_map()
    {
        var map = Map((A, West), (B, Wkt("POLYGON ((36.4 35.5, 36.9 35.5, 36.9 35.9, 36.4 35.9, 36.4 35.5))")));

        map.Held.Keys.ShouldBe([B]);
    }

    [Fact]
    public void an_actors_gains_merge_into_one_area()
    {
        var map = Map((A, West), (A, East));

        ShouldBeTheSameGround(map.Held[A], "POLYGON ((36.5 35.6, 36.8 35.6, 36.8 35.8, 36.5 35.8, 36.5 35.6))");
    }

    [Fact]
    public void a_gain_splitting_an_area_leaves_a_multipolygon()
    {
        var map = Map(
            (A, Wkt("POLYGON ((36.5 35.6, 36.8 35.6, 36.8 35.8, 36.5 35.8, 36.5 35.6))")),
            (B, Wkt("POLYGON ((36.6 35.5, 36.7 35.5, 36.7 35.9, 36.6 35.9, 36.6 35.5))")));

        map.Held[A].NumGeometries.ShouldBe(2);
        ShouldBeTheSameGround(map.Held[A], "MULTIPOLYGON (((36.5 35.6, 36.6 35.6, 36.6 35.8, 36.5 35.8, 36.5 35.6)), ((36.7 35.6, 36.8 35.6, 36.8 35.8, 36.7 35.8, 36.7 35.6)))");
    }

    [Fact]
    public void copying_a_map_leaves_the_original_as_it_was()
    {
        var map = Map((A, West));

        var copy = map.Copy();
        copy.Gain(B, East);

        map.Held.Keys.ShouldBe([A]);
        map.Held[A].EqualsTopologically(West).ShouldBeTrue();
        copy.Held.Keys.ShouldBe([A, B]);
    }

    [Fact]
    public void within_a_region_each_area_is_clipped_to_it()
    {
        var map = Map((A, West), (B, East));
        var region = Wkt("POLYGON ((36.55 35.6, 36.65 35.6, 36.65 35.8, 36.55 35.8, 36.55 35.6))");

        var within = map.Within(region).ToDictionary(a => a.Actor, a => a.Area);

        ShouldBeTheSameGround(within[A], "POLYGON ((36.55 35.6, 36.6 35.6, 36.6 35.8, 36.55 35.8, 36.55 35.6))");
        ShouldBeTheSameGround(within[B], "POLYGON ((36.6 35.6, 36.65 35.6, 36.65 35.8, 36.6 35.8, 36.6 35.6))");
        map.Within(Wkt("POLYGON ((36.9 35.6, 37.0 35.6, 37.0 35.8, 36.9 35.8, 36.9 35.6))")).ShouldBeEmpty();
        map.Within(null).Count.ShouldBe(2);
    }

    [Fact]
    public void the_front_line_runs_where_two_actors_touch()
    {
        var map = Map((A, West), (B, East));

        var front = ControlMap.FrontLines(map.Within(null)).ShouldHaveSingleItem();

        (front.A, front.B).ShouldBe((A, B));
        ShouldBeTheSameGround(front.Line, "LINESTRING (36.6 35.6, 36.6 35.8)");
        IdlibLedger.Spatial.Metric.LengthKm(front.Line).ShouldBeInRange(21.5, 23.0);
    }

    [Fact]
    public void actors_that_do_not_touch_have_no_front_line()
    {
        var map = Map((A, Wkt("POLYGON ((36.5 35.6, 36.6 35.6, 36.6 35.8, 36.5 35.8, 36.5 35.6))")), (B, Wkt("POLYGON ((36.7 35.6, 36.8 35.6, 36.8 35.8, 36.7 35.8, 36.7 35.6))")));

        ControlMap.FrontLines(map.Within(null)).ShouldBeEmpty();
    }

    [Fact]
    public void three_actors_meeting_have_one_front_line_per_touching_pair()
    {
        var map = Map(
            (A, Wkt("POLYGON ((36.5 35.6, 36.6 35.6, 36.6 35.8, 36.5 35.8, 36.5 35.6))")),
            (B, Wkt("POLYGON ((36.6 35.6, 36.7 35.6, 36.7 35.8, 36.6 35.8, 36.6 35.6))")),
            (C, Wkt("POLYGON ((36.7 35.6, 36.8 35.6, 36.8 35.8, 36.7 35.8, 36.7 35.6))")));

        var pairs = ControlMap.FrontLines(map.Within(null)).Select(f => $"{f.A} | {f.B}").Order(StringComparer.Ordinal).ToList();

        // Actors come in ordinal order: "Hayat…" < "Syrian Arab…" < "Syrian National…".
        pairs.ShouldBe([$"{C} | {B}", $"{A} | {B}"], ignoreOrder: true);
    }

    [Fact]
    public void shares_are_areas_over_the_region_largest_first()
    {
        var map = Map((A, West), (B, East));
        var regionKm2 = IdlibLedger.Spatial.Metric.AreaKm2(Wkt("POLYGON ((36.5 35.6, 36.8 35.6, 36.8 35.8, 36.5 35.8, 36.5 35.6))"));

        var shares = ControlMap.Shares(map.Within(null), regionKm2);

        shares.Select(s => s.Actor).ShouldBe([B, A]);
        shares.Sum(s => s.Share).ShouldBe(1.0, 1e-5);
        shares[0].Share.ShouldBe(2.0 / 3, 0.01);
        shares[1].AreaKm2.ShouldBe(BoxKm2(36.5, 35.6, 36.6, 35.8), 0.001);
        ControlMap.Shares(map.Within(null), 0).ShouldAllBe(s => s.Share == 0);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(3, 40)]
    [InlineData(4, 40)]
    [InlineData(5, 200)]
    public void gaining_many_at_once_holds_what_gaining_them_one_by_one_holds(int seed, int held)
    {
        // Random boxes by three actors (one in two spellings), some covering others whole, onto a map already holding some.
        var random = new Random(seed);
        (string, Geometry) RandomGain()
        {
            var (x, y, size) = (36.3 + (random.NextDouble() * 0.6), 35.5 + (random.NextDouble() * 0.6), 0.02 + (random.NextDouble() * 0.2));
            var actor = random.Next(4) switch { 0 => A, 1 => "syrian arab army ", 2 => B, _ => C };
            return (actor, Wkt(FormattableString.Invariant($"POLYGON (({x} {y}, {x + size} {y}, {x + size} {y + size}, {x} {y + size}, {x} {y}))")));
        }

        var before = Map([.. Enumerable.Range(0, held).Select(_ => RandomGain())]);
        var gains = Enumerable.Range(0, 60).Select(_ => RandomGain()).ToList();
        var oneByOne = before.Copy();
        foreach (var (actor, area) in gains)
        {
            oneByOne.Gain(actor, area);
        }

        var atOnce = before.Copy();
        atOnce.GainAll(gains);

        atOnce.Held.Keys.ShouldBe(oneByOne.Held.Keys, ignoreOrder: true);
        foreach (var (actor, area) in oneByOne.Held)
        {
            // The same ground, up to the rounding of overlays done in another order.
            var differs = OverlayNGRobust.Overlay(area, atOnce.Held[actor], SpatialFunction.SymDifference).Area;
            differs.ShouldBeLessThan(1e-9 * Math.Max(area.Area, 1e-6), actor);
        }
    }
}
