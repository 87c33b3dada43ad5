using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;

namespace IdlibLedger.Tests.Claims;

/// <summary>
/// Claims, disputes and aggregate figures as an integrating system posts them. The seed (2020-02-26): the Russian
/// delegation claims Hmeimim Air Base was being attacked; the Turkish delegation rejects it, Hmeimim being south-west
/// of Idlib while the regime's attacks were in Idlib's south-east.
/// </summary>
public static class GivenClaims
{
    public const string RussianDelegation = "Russian delegation";
    public const string TurkishDelegation = "Turkish delegation";

    /// <summary>Hmeimim Air Base, Latakia.</summary>
    public static readonly (double Lon, double Lat) Hmeimim = (35.9486, 35.4011);

    /// <summary>Ma'arrat al-Nu'man, in Idlib's south-east.</summary>
    public static readonly (double Lon, double Lat) MaaratAlNuman = (36.67, 35.65);

    /// <summary>The ledger's clock at <paramref name="hour"/>:00 UTC on a day of 2020.</summary>
    public static DateTimeOffset On(int month, int day, int hour = 12) => new(2020, month, day, hour, 0, 0, TimeSpan.Zero);

    public static JsonObject Source(string outlet = "Daily Sabah (Anadolu Agency)", string? claimedBy = null) => new()
    {
        ["outlet"] = outlet,
        ["publishedAt"] = "2020-02-26",
        ["title"] = "Turkey expects Russia to halt regime attacks in Idlib",
        ["claimedBy"] = claimedBy,
    };

    /// <summary>The Russian delegation's claim: Hmeimim attacked some time in February 2020, by an unknown attacker.</summary>
    public static JsonObject HmeimimClaim() => Given.Report(b =>
    {
        b["perpetrator"] = "unknown";
        b["targets"] = new JsonArray("Russian Aerospace Forces");
        b["subEventType"] = "air-drone-strike";
        b["location"] = GivenTerritory.Point(Hmeimim.Lon, Hmeimim.Lat);
        b["locationPrecision"] = "exact";
        b.Remove("occurredAt");
        b["occurredFrom"] = "2020-02-01";
        b["occurredUntil"] = "2020-02-26";
        b["datePrecision"] = "month";
        b["description"] = "The Russian delegation's claim that Hmeimim Air Base was being attacked";
        b["sources"] = new JsonArray(Source(claimedBy: RussianDelegation));
        b["casualties"] = new JsonArray();
        b["claimedBy"] = RussianDelegation;
    });

    /// <summary>A regime attack at a place and day.</summary>
    public static JsonObject RegimeAttack((double Lon, double Lat) at, string occurredAt, string description = "Regime shelling") => Given.Report(b =>
    {
        b["perpetrator"] = GivenTerritory.Regime;
        b["targets"] = new JsonArray("civilians");
        b["location"] = GivenTerritory.Point(at.Lon, at.Lat);
        b["occurredAt"] = occurredAt;
        b["description"] = description;
        b["casualties"] = Given.Killed("civilian", null, 4, 5, 6);
    });

    public static JsonObject Dispute(string party = TurkishDelegation, string reason = "Hmeimim is south-west of Idlib, while the regime's attacks take place in Idlib's south-east") => new()
    {
        ["party"] = party,
        ["reason"] = reason,
        ["counterEvidence"] = new JsonArray(Source()),
    };

    /// <summary>The UN figure of the seed: at least 1,700 civilians killed in the de-escalation zone in nine months.</summary>
    public static JsonObject UnFigure(Action<JsonObject>? change = null)
    {
        var body = new JsonObject
        {
            ["source"] = Source("United Nations, as reported by Daily Sabah (Anadolu Agency)"),
            ["metric"] = "killed",
            ["category"] = "civilian",
            ["qualifier"] = "at-least",
            ["value"] = 1700,
            ["periodFrom"] = "2019-05-01",
            ["periodUntil"] = "2020-02-26",
            ["area"] = "Idlib de-escalation zone",
            ["reportedBy"] = "desk-geneva",
        };
        change?.Invoke(body);
        return body;
    }

    /// <summary>
    /// Great-circle distance in km between two lon/lat points by the haversine formula on the mean Earth radius
    /// (IUGG, 6371.0088 km), written out here independently of the service's geometry library.
    /// </summary>
    public static double HaversineKm((double Lon, double Lat) a, (double Lon, double Lat) b)
    {
        const double r = 6371.0088;
        static double Rad(double degrees) => degrees * Math.PI / 180.0;
        var dLat = Rad(b.Lat - a.Lat);
        var dLon = Rad(b.Lon - a.Lon);
        var h = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) + (Math.Cos(Rad(a.Lat)) * Math.Cos(Rad(b.Lat)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * r * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }
}
