using System.Text.Json;
using IdlibLedger.Ceasefires;
using Shouldly;

namespace IdlibLedger.Tests.Ceasefires;

/// <summary>
/// The status rules on their own, without HTTP: <see cref="Ceasefire.StatusAt"/>, <see cref="Ceasefire.InEffectAt"/>
/// and <see cref="CorridorReads.StatusAt"/>. The ceasefire runs from 6 March to 6 April 2020.
/// </summary>
public sealed class the_status_rules
{
    private static readonly DateTimeOffset From = Day(3, 6);
    private static readonly DateTimeOffset Until = Day(4, 6);

    private static DateTimeOffset Day(int month, int day, int hour = 0) => new(2020, month, day, hour, 0, 0, TimeSpan.Zero);

    private static Ceasefire Declared(DateTimeOffset? until = null, DateTimeOffset? collapsedAt = null, bool openEnded = false)
    {
        using var area = JsonDocument.Parse("""{"type": "Polygon", "coordinates": [[[36.3, 35.4], [36.9, 35.4], [36.9, 36.0], [36.3, 36.0], [36.3, 35.4]]]}""");
        DateTimeOffset? effectiveUntil = openEnded ? null : until ?? Until;
        var id = Guid.NewGuid();
        var declared = new CeasefireDeclared(
            id, "Russian Federation and Republic of Turkey", ["Syrian Arab Army", "Syrian National Army"], area.RootElement.Clone(), "posted",
            From, effectiveUntil, null, null);
        return new Ceasefire(id, 1, declared, effectiveUntil, collapsedAt, collapsedAt is null ? null : "offensive", [], Day(3, 5));
    }

    private static Corridor Opened(Guid ceasefire, DateTimeOffset? closesAt = null, DateTimeOffset? closedAt = null)
    {
        using var route = JsonDocument.Parse("""{"type": "LineString", "coordinates": [[36.6, 35.7], [36.7, 35.8]]}""");
        var opened = new CorridorOpened(Guid.NewGuid(), "M4", route.RootElement.Clone(), "Ariha", "Saraqib", Day(3, 10), closesAt, ceasefire);
        var corridor = new Corridor(opened.CorridorId, 1, opened, null, null);
        return closedAt is { } closed ? corridor.Apply(new CorridorClosed(corridor.Id, closed, "shelling")) : corridor;
    }

    [Theory]
    [InlineData(3, 5, 23, 0, CeasefireState.Declared)]
    [InlineData(3, 6, 0, 0, CeasefireState.InEffect)]
    [InlineData(3, 20, 0, 0, CeasefireState.InEffect)]
    [InlineData(3, 20, 0, 2, CeasefireState.Violated)]
    [InlineData(4, 5, 23, 2, CeasefireState.Violated)]
    [InlineData(4, 6, 0, 0, CeasefireState.Expired)]
    [InlineData(4, 6, 0, 2, CeasefireState.Expired)]
    [InlineData(12, 31, 0, 0, CeasefireState.Expired)]
    public void a_ceasefire_is_declared_in_effect_violated_then_expired(int month, int day, int hour, int violations, CeasefireState status) =>
        Declared().StatusAt(Day(month, day, hour), violations).ShouldBe(status);

    [Theory]
    [InlineData(3, 19, 23, CeasefireState.InEffect)]
    [InlineData(3, 20, 0, CeasefireState.Collapsed)]
    [InlineData(4, 10, 0, CeasefireState.Collapsed)]
    [InlineData(3, 5, 0, CeasefireState.Declared)]
    public void a_collapse_within_the_period_reads_collapsed_from_then_on(int month, int day, int hour, CeasefireState status) =>
        Declared(collapsedAt: Day(3, 20)).StatusAt(Day(month, day, hour), 0).ShouldBe(status);

    [Fact]
    public void a_collapse_after_the_expiry_leaves_it_expired()
    {
        var ceasefire = Declared(collapsedAt: Day(4, 20));

        ceasefire.StatusAt(Day(4, 10), 0).ShouldBe(CeasefireState.Expired);
        ceasefire.StatusAt(Day(4, 25), 0).ShouldBe(CeasefireState.Expired);
        ceasefire.EndsAt.ShouldBe(Until);
    }

    [Fact]
    public void an_open_ended_ceasefire_holds_until_it_collapses()
    {
        Declared(openEnded: true).StatusAt(Day(12, 31), 0).ShouldBe(CeasefireState.InEffect);
        Declared(openEnded: true).InEffectAt(Day(12, 31)).ShouldBeTrue();
        Declared(openEnded: true).EndsAt.ShouldBeNull();

        var collapsed = Declared(openEnded: true, collapsedAt: Day(5, 1));
        collapsed.StatusAt(Day(12, 31), 1).ShouldBe(CeasefireState.Collapsed);
        collapsed.EndsAt.ShouldBe(Day(5, 1));
    }

    [Theory]
    [InlineData(3, 5, 23, false)]
    [InlineData(3, 6, 0, true)]
    [InlineData(4, 5, 23, true)]
    [InlineData(4, 6, 0, false)]
    public void in_effect_is_the_half_open_period(int month, int day, int hour, bool inEffect) =>
        Declared().InEffectAt(Day(month, day, hour)).ShouldBe(inEffect);

    [Theory]
    [InlineData(3, 19, 23, true)]
    [InlineData(3, 20, 0, false)]
    public void a_collapse_ends_the_period(int month, int day, int hour, bool inEffect) =>
        Declared(collapsedAt: Day(3, 20)).InEffectAt(Day(month, day, hour)).ShouldBe(inEffect);

    [Fact]
    public void an_extension_moves_the_end()
    {
        var extended = Declared().Apply(new CeasefireExtended(Guid.NewGuid(), Day(5, 6), "talks"));

        extended.InEffectAt(Day(4, 20)).ShouldBeTrue();
        extended.StatusAt(Day(4, 20), 0).ShouldBe(CeasefireState.InEffect);
        extended.StatusAt(Day(5, 6), 0).ShouldBe(CeasefireState.Expired);
        extended.Version.ShouldBe(2);
    }

    [Theory]
    [InlineData(3, 9, CorridorStatus.Scheduled)]
    [InlineData(3, 10, CorridorStatus.Open)]
    [InlineData(4, 5, CorridorStatus.Open)]
    [InlineData(4, 6, CorridorStatus.Unprotected)]
    public void a_corridor_is_scheduled_then_open_then_unprotected_once_its_ceasefire_expires(int month, int day, CorridorStatus status)
    {
        var ceasefire = Declared();

        CorridorReads.StatusAt(Opened(ceasefire.Id), ceasefire, Day(month, day)).ShouldBe(status);
    }

    [Theory]
    [InlineData(3, 19, CorridorStatus.Open)]
    [InlineData(3, 20, CorridorStatus.Unprotected)]
    [InlineData(3, 24, CorridorStatus.Unprotected)]
    [InlineData(3, 25, CorridorStatus.Closed)]
    public void a_corridor_is_unprotected_after_its_ceasefire_collapses_and_closed_after_its_closure(int month, int day, CorridorStatus status)
    {
        var ceasefire = Declared(collapsedAt: Day(3, 20));

        CorridorReads.StatusAt(Opened(ceasefire.Id, closedAt: Day(3, 25)), ceasefire, Day(month, day)).ShouldBe(status);
    }

    [Fact]
    public void a_corridor_closes_at_the_earlier_of_closes_at_and_its_closure()
    {
        var ceasefire = Declared();

        Opened(ceasefire.Id, closesAt: Day(3, 15), closedAt: Day(3, 12)).EndsAt.ShouldBe(Day(3, 12));
        Opened(ceasefire.Id, closesAt: Day(3, 15), closedAt: Day(3, 18)).EndsAt.ShouldBe(Day(3, 15));
        CorridorReads.StatusAt(Opened(ceasefire.Id, closesAt: Day(3, 15)), ceasefire, Day(3, 15)).ShouldBe(CorridorStatus.Closed);
        CorridorReads.StatusAt(Opened(ceasefire.Id, closesAt: Day(3, 15)), ceasefire, Day(3, 14)).ShouldBe(CorridorStatus.Open);
    }

    [Fact]
    public void a_corridor_whose_ceasefire_is_unknown_is_unprotected()
    {
        CorridorReads.StatusAt(Opened(Guid.NewGuid()), null, Day(3, 12)).ShouldBe(CorridorStatus.Unprotected);
    }
}
