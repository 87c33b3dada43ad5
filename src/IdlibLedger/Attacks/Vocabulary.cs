using System.Text.Json.Serialization;
using IdlibLedger.Infrastructure;

namespace IdlibLedger.Attacks;

// The ledger's controlled vocabulary (DOMAIN.md "Incidents"). Wire names are explicit so that renaming a
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

/// <summary>ACLED sub-event types of the four event types above.</summary>
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

/// <summary>How exactly the time is known (DOMAIN.md "Time"); cf. UCDP <c>date_prec</c>.</summary>
[JsonConverter(typeof(WireEnumConverter<DatePrecision>))]
public enum DatePrecision
{
    /// <summary>The instant is known.</summary>
    [JsonStringEnumMemberName("exact")] Exact,
    /// <summary>The day is known (UCDP 1).</summary>
    [JsonStringEnumMemberName("day")] Day,
    /// <summary>A range of 2 to 6 days (UCDP 2); needs occurredFrom/occurredUntil.</summary>
    [JsonStringEnumMemberName("days")] Days,
    /// <summary>The week is known (UCDP 3).</summary>
    [JsonStringEnumMemberName("week")] Week,
    /// <summary>The month is known (UCDP 4).</summary>
    [JsonStringEnumMemberName("month")] Month,
    /// <summary>The year is known (UCDP 5).</summary>
    [JsonStringEnumMemberName("year")] Year,
}

/// <summary>Who the casualties were.</summary>
[JsonConverter(typeof(WireEnumConverter<CasualtyCategory>))]
public enum CasualtyCategory
{
    [JsonStringEnumMemberName("civilian")] Civilian,
    /// <summary>Military of a named party.</summary>
    [JsonStringEnumMemberName("military")] Military,
    [JsonStringEnumMemberName("unknown")] Unknown,
}
