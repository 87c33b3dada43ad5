using System.Text.Json.Serialization;

using IdlibLedger.Common;

namespace IdlibLedger.Attacks;

/// <summary>A GeoJSON Point (RFC 7946): <c>{"type": "Point", "coordinates": [lon, lat]}</c>.</summary>
public sealed record GeoJsonPoint(string? Type, double[]? Coordinates)
{
    [JsonIgnore] public double Longitude => Coordinates is { Length: >= 2 } c ? c[0] : double.NaN;
    [JsonIgnore] public double Latitude => Coordinates is { Length: >= 2 } c ? c[1] : double.NaN;

    public static GeoJsonPoint At(double longitude, double latitude) => new("Point", [longitude, latitude]);
}

/// <summary>Killed and injured of one category (and party, for military casualties).</summary>
public sealed record CategoryCasualties(CasualtyCategory? Category, string? Party, Estimate? Killed, Estimate? Injured)
{
    [JsonIgnore] public Estimate KilledOrNone => Killed ?? Estimate.None;
    [JsonIgnore] public Estimate InjuredOrNone => Injured ?? Estimate.None;
}

/// <summary>
/// Everything a report says about an attack. Corrections replace parts of it. <c>ClaimedBy</c> makes it a
/// party's claim (docs/domain.md, "Claims and disputes"), e.g. the Russian delegation's claim that Hmeimim was attacked.
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
