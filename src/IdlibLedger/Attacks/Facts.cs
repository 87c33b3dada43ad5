using System.Text.Json.Serialization;

namespace IdlibLedger.Attacks;

/// <summary>A GeoJSON Point (RFC 7946): <c>{"type": "Point", "coordinates": [lon, lat]}</c>.</summary>
public sealed record GeoJsonPoint(string? Type, double[]? Coordinates)
{
    [JsonIgnore] public double Longitude => Coordinates is { Length: >= 2 } c ? c[0] : double.NaN;
    [JsonIgnore] public double Latitude => Coordinates is { Length: >= 2 } c ? c[1] : double.NaN;

    public static GeoJsonPoint At(double longitude, double latitude) => new("Point", [longitude, latitude]);
}

/// <summary>An estimate as UCDP gives it: <c>low ≤ best ≤ high</c>. A bare number in JSON means all three.</summary>
[JsonConverter(typeof(EstimateJsonConverter))]
public sealed record Estimate(int Low, int Best, int High)
{
    public static Estimate None { get; } = new(0, 0, 0);

    public static Estimate Exactly(int count) => new(count, count, count);

    public Estimate Plus(Estimate other) => new(Low + other.Low, Best + other.Best, High + other.High);
}

/// <summary>Killed and injured of one category (and party, for military casualties).</summary>
public sealed record CategoryCasualties(CasualtyCategory? Category, string? Party, Estimate? Killed, Estimate? Injured)
{
    [JsonIgnore] public Estimate KilledOrNone => Killed ?? Estimate.None;
    [JsonIgnore] public Estimate InjuredOrNone => Injured ?? Estimate.None;
}

/// <summary>Where a report comes from. <c>claimedBy</c> names the party whose claim it carries, if any.</summary>
public sealed record Source(string? Outlet, DateOnly? PublishedAt, string? Title, string? Url, string? ClaimedBy = null);

/// <summary>When an attack happened (valid time), as reported: an instant or a range, and a precision.</summary>
public sealed record Occurrence(DateTimeOffset? OccurredAt, DateTimeOffset? OccurredFrom, DateTimeOffset? OccurredUntil, DatePrecision Precision)
{
    /// <summary>
    /// The half-open window [From, Until) the attack lies in. An explicit range wins; otherwise the instant
    /// is widened to the unit of its precision (the day, the week starting there, the month, the year).
    /// </summary>
    public (DateTimeOffset From, DateTimeOffset Until) Window()
    {
        if (OccurredFrom is { } from && OccurredUntil is { } until)
        {
            return (from, until > from ? until : from);
        }

        var at = (OccurredAt ?? OccurredFrom ?? OccurredUntil ?? DateTimeOffset.UnixEpoch).ToUniversalTime();
        var day = new DateTimeOffset(at.Year, at.Month, at.Day, 0, 0, 0, TimeSpan.Zero);
        return Precision switch
        {
            DatePrecision.Exact => (at, at),
            DatePrecision.Day => (day, day.AddDays(1)),
            DatePrecision.Days or DatePrecision.Week => (day, day.AddDays(7)),
            DatePrecision.Month => (new DateTimeOffset(at.Year, at.Month, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(at.Year, at.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1)),
            DatePrecision.Year => (new DateTimeOffset(at.Year, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(at.Year + 1, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            _ => (at, at),
        };
    }
}

/// <summary>
/// Everything a report says about an attack. Corrections replace parts of it. <c>ClaimedBy</c> makes it a
/// party's claim (DOMAIN.md "Claims and disputes"), e.g. the Russian delegation's claim that Hmeimim was attacked.
/// </summary>
public sealed record AttackFacts(
    string Perpetrator,
    IReadOnlyList<string> Targets,
    EventType EventType,
    SubEventType? SubEventType,
    GeoJsonPoint Location,
    LocationPrecision LocationPrecision,
    Occurrence Occurrence,
    string Description,
    IReadOnlyList<Source> Sources,
    IReadOnlyList<CategoryCasualties> Casualties,
    string? ClaimedBy = null)
{
    public Estimate TotalKilled() => Casualties.Aggregate(Estimate.None, (sum, c) => sum.Plus(c.KilledOrNone));

    public Estimate TotalInjured() => Casualties.Aggregate(Estimate.None, (sum, c) => sum.Plus(c.InjuredOrNone));
}
