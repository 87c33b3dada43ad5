using System.Text.Json.Serialization;

using IdlibLedger.Common;

namespace IdlibLedger.Attacks;

/// <summary>A GeoJSON Point (RFC 7946): <c>{"type": "Point", "coordinates": [lon, lat]}</c>.</summary>
/// <param name="Type">Always `Point`.</param>
/// <param name="Coordinates">[longitude, latitude] in degrees WGS 84 (lon first); a third number (altitude) is accepted but not stored.</param>
public sealed record GeoJsonPoint(string? Type, double[]? Coordinates)
{
    [JsonIgnore] public double Longitude => Coordinates is { Length: >= 2 } c ? c[0] : double.NaN;
    [JsonIgnore] public double Latitude => Coordinates is { Length: >= 2 } c ? c[1] : double.NaN;

    public static GeoJsonPoint At(double longitude, double latitude) => new("Point", [longitude, latitude]);
}

/// <summary>Killed and injured of one category (and party, for military casualties).</summary>
/// <param name="Category">Who the casualties were. Required.</param>
/// <param name="Party">The party the casualties belonged to; required for military, At most 200 characters.</param>
/// <param name="Killed">Estimated killed; a whole number or {low, best, high}. Killed or injured is required.</param>
/// <param name="Injured">Estimated injured; a whole number or {low, best, high}. Killed or injured is required.</param>
public sealed record CategoryCasualties(CasualtyCategory? Category, string? Party, Estimate? Killed, Estimate? Injured)
{
    [JsonIgnore] public Estimate KilledOrNone => Killed ?? Estimate.None;
    [JsonIgnore] public Estimate InjuredOrNone => Injured ?? Estimate.None;
}

/// <summary>
/// Everything a report says about an attack. Corrections replace parts of it. <c>ClaimedBy</c> makes it a
/// party's claim (docs/domain.md, "Claims and disputes"), e.g. the Russian delegation's claim that Hmeimim was attacked.
/// </summary>
/// <param name="Perpetrator">The actor who carried out the attack, or `unknown`.</param>
/// <param name="Targets">What or who was hit (may be empty).</param>
/// <param name="EventType">ACLED event type.</param>
/// <param name="SubEventType">ACLED sub-event type, when known.</param>
/// <param name="Location">Where it happened: a GeoJSON Point, [longitude, latitude] in WGS 84.</param>
/// <param name="LocationPrecision">How precisely the location is known.</param>
/// <param name="Occurrence">When it happened (valid time).</param>
/// <param name="Description">What happened, in free text.</param>
/// <param name="Sources">The sources the report rests on (at least one).</param>
/// <param name="Casualties">Killed and injured estimates per category (and party for military).</param>
/// <param name="ClaimedBy">The party whose claim the report records, or null: such a report is graded as a claim.</param>
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
