using System.Text.Json.Serialization;
using IdlibLedger.Infrastructure;

namespace IdlibLedger.Attacks;

// The ledger's controlled vocabulary (docs/domain.md, "Attacks"). Wire names are explicit so that renaming a
// C# member can never silently change the contract integrating systems depend on.

/// <summary>ACLED event types, where they fit.</summary>
[JsonConverter(typeof(WireEnumConverter<EventType>))]
public enum EventType
{
    [JsonStringEnumMemberName("battles")] Battles,
    [JsonStringEnumMemberName("explosions-remote-violence")] ExplosionsRemoteViolence,
    [JsonStringEnumMemberName("violence-against-civilians")] ViolenceAgainstCivilians,
    [JsonStringEnumMemberName("strategic-developments")] StrategicDevelopments,
}

/// <summary>ACLED sub-event types (each belongs to one event type), e.g. shelling-artillery-missile-attack and air-drone-strike under explosions-remote-violence, armed-clash under battles; other when none fits.</summary>
[JsonConverter(typeof(WireEnumConverter<SubEventType>))]
public enum SubEventType
{
    [JsonStringEnumMemberName("armed-clash")] ArmedClash,
    [JsonStringEnumMemberName("government-regains-territory")] GovernmentRegainsTerritory,
    [JsonStringEnumMemberName("non-state-actor-overtakes-territory")] NonStateActorOvertakesTerritory,
    [JsonStringEnumMemberName("shelling-artillery-missile-attack")] ShellingArtilleryMissileAttack,
    [JsonStringEnumMemberName("air-drone-strike")] AirDroneStrike,
    [JsonStringEnumMemberName("remote-explosive-landmine-ied")] RemoteExplosiveLandmineIed,
    [JsonStringEnumMemberName("suicide-bomb")] SuicideBomb,
    [JsonStringEnumMemberName("grenade")] Grenade,
    [JsonStringEnumMemberName("chemical-weapon")] ChemicalWeapon,
    [JsonStringEnumMemberName("attack")] Attack,
    [JsonStringEnumMemberName("abduction-forced-disappearance")] AbductionForcedDisappearance,
    [JsonStringEnumMemberName("sexual-violence")] SexualViolence,
    [JsonStringEnumMemberName("other")] Other,
}

/// <summary>How exactly the location is known; UCDP <c>where_prec</c> 1..7 in that order.</summary>
[JsonConverter(typeof(WireEnumConverter<LocationPrecision>))]
public enum LocationPrecision
{
    [JsonStringEnumMemberName("exact")] Exact = 1,
    [JsonStringEnumMemberName("within-25km")] Within25Km = 2,
    [JsonStringEnumMemberName("district")] District = 3,
    [JsonStringEnumMemberName("governorate")] Governorate = 4,
    [JsonStringEnumMemberName("linear-feature")] LinearFeature = 5,
    [JsonStringEnumMemberName("country")] Country = 6,
    [JsonStringEnumMemberName("sea-or-air")] SeaOrAir = 7,
}

/// <summary>Whom casualties were among: civilian, military (a party must be named), or unknown when sources do not say.</summary>
[JsonConverter(typeof(WireEnumConverter<CasualtyCategory>))]
public enum CasualtyCategory
{
    [JsonStringEnumMemberName("civilian")] Civilian,
    /// <summary>Military of a named party.</summary>
    [JsonStringEnumMemberName("military")] Military,
    [JsonStringEnumMemberName("unknown")] Unknown,
}

/// <summary>How well sourced an attack report is (after Airwars), derived from its sources, claims and disputes.</summary>
[JsonConverter(typeof(WireEnumConverter<AttackGrading>))]
public enum AttackGrading
{
    /// <summary>Retracted.</summary>
    [JsonStringEnumMemberName("discounted")] Discounted,
    /// <summary>Disputed by a party.</summary>
    [JsonStringEnumMemberName("contested")] Contested,
    /// <summary>The perpetrator itself claims it.</summary>
    [JsonStringEnumMemberName("confirmed")] Confirmed,
    /// <summary>Two or more outlets report it.</summary>
    [JsonStringEnumMemberName("fair")] Fair,
    /// <summary>A single source.</summary>
    [JsonStringEnumMemberName("weak")] Weak,
}
