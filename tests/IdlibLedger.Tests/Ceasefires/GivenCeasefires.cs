using System.Net;
using System.Text.Json.Nodes;
using Alba;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;

namespace IdlibLedger.Tests.Ceasefires;

/// <summary>
/// Ceasefire and corridor request bodies and "given" states, built through the API. The ceasefire is the Moscow
/// protocol's: declared by Russia and Turkey on 5 March 2020 between the regime (Syrian Arab Army) and the opposition
/// (Syrian National Army), in effect from 6 March 00:00 UTC until 6 April, over a box of southern Idlib
/// (lon 36.3–36.9, lat 35.4–36.0).
/// </summary>
public static class GivenCeasefires
{
    public const string Regime = GivenTerritory.Regime;
    public const string Opposition = GivenTerritory.Opposition;

    /// <summary>An armed group that is not a party to the ceasefire.</summary>
    public const string NotAParty = "Hay'at Tahrir al-Sham";

    public const string EffectiveFrom = "2020-03-06T00:00:00Z";
    public const string EffectiveUntil = "2020-04-06T00:00:00Z";

    /// <summary>The ceasefire's area: (minLon, minLat, maxLon, maxLat).</summary>
    public static readonly double[] Area = [36.3, 35.4, 36.9, 36.0];

    public static JsonObject AreaBox() => GivenTerritory.Box(Area[0], Area[1], Area[2], Area[3]);

    /// <summary>The ledger's clock at <paramref name="hour"/>:00 UTC on a day of 2020.</summary>
    public static DateTimeOffset On(int month, int day, int hour = 12) => new(2020, month, day, hour, 0, 0, TimeSpan.Zero);

    public static JsonObject Ceasefire(Action<JsonObject>? change = null)
    {
        var body = new JsonObject
        {
            ["declaredBy"] = "Russian Federation and Republic of Turkey",
            ["parties"] = new JsonArray(Regime, Opposition),
            ["area"] = AreaBox(),
            ["effectiveFrom"] = EffectiveFrom,
            ["effectiveUntil"] = EffectiveUntil,
            ["terms"] = "Cessation of all military actions along the line of contact (Moscow additional protocol)",
        };
        change?.Invoke(body);
        return body;
    }

    /// <summary>An attack at an exact instant and place, killing <paramref name="killed"/> civilians.</summary>
    public static JsonObject Attack(string perpetrator, string occurredAt, double lon, double lat, int killed = 0) => Given.Report(b =>
    {
        b["perpetrator"] = perpetrator;
        b["targets"] = new JsonArray("civilians");
        b["occurredAt"] = occurredAt;
        b["datePrecision"] = "exact";
        b["location"] = GivenTerritory.Point(lon, lat);
        b["locationPrecision"] = "exact";
        b["description"] = $"Shelling by {perpetrator}";
        b["casualties"] = killed == 0 ? new JsonArray() : Given.Killed("civilian", null, killed, killed, killed);
    });

    /// <summary>An attack with a low/best/high estimate of civilians killed.</summary>
    public static JsonObject Attack(string perpetrator, string occurredAt, double lon, double lat, int low, int best, int high)
    {
        var body = Attack(perpetrator, occurredAt, lon, lat);
        body["casualties"] = Given.Killed("civilian", null, low, best, high);
        return body;
    }

    public static JsonObject Violation(string by, string occurredAt) => new()
    {
        ["by"] = by,
        ["occurredAt"] = occurredAt,
        ["description"] = "Ground incursion towards Saraqib reported by the Joint Coordination Centre",
        ["sources"] = new JsonArray(new JsonObject { ["outlet"] = "Anadolu Agency", ["title"] = "Ceasefire violated in Idlib" }),
    };

    public static JsonObject Extension(string? effectiveUntil, string reason = "extended at the follow-up talks", string? extendedAt = null)
    {
        var body = new JsonObject { ["effectiveUntil"] = effectiveUntil, ["reason"] = reason };
        if (extendedAt is not null)
        {
            body["extendedAt"] = extendedAt;
        }

        return body;
    }

    public static JsonObject Collapse(string? endedAt = null, string reason = "regime offensive on Kafr Nabl") => new()
    {
        ["reason"] = reason,
        ["endedAt"] = endedAt,
    };

    /// <summary>The M4 stretch west of Saraqib: inside the ceasefire's area.</summary>
    public static JsonObject Route() => GivenTerritory.Line((36.60, 35.70), (36.70, 35.80), (36.75, 35.85));

    public static JsonObject Corridor(JsonNode? route = null, string opensAt = "2020-03-10T06:00:00Z", string? closesAt = null) => new()
    {
        ["name"] = "M4 humanitarian corridor",
        ["route"] = route ?? Route(),
        ["from"] = "Ariha",
        ["to"] = "Saraqib",
        ["opensAt"] = opensAt,
        ["closesAt"] = closesAt,
    };

    /// <summary>The body after <paramref name="change"/>, for building variants inline.</summary>
    public static JsonObject Also(this JsonObject body, Action<JsonObject> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        change(body);
        return body;
    }

    public static Task<Guid> DeclaredCeasefireAsync(this IAlbaHost host, JsonObject? body = null) =>
        host.CreatedAsync("/api/ceasefires", body ?? Ceasefire());

    public static Task<Guid> OpenedCorridorAsync(this IAlbaHost host, JsonObject? body = null) =>
        host.CreatedAsync("/api/corridors", body ?? Corridor());

    public static Task<JsonObject> CeasefireAsync(this IAlbaHost host, Guid id, string query = "") =>
        host.GetJsonAsync($"/api/ceasefires/{id}{(query.Length == 0 ? "" : "?" + query)}");

    public static async Task<string> StatusAsync(this IAlbaHost host, Guid id, string query) =>
        (await host.CeasefireAsync(id, query))["status"]!.GetValue<string>();

    /// <summary>The attack ids of the violations the ledger detected, in order.</summary>
    public static List<Guid> DetectedAttacks(JsonObject ceasefire) =>
        [.. ceasefire["violations"]!.AsArray()
            .Where(v => v!["kind"]!.GetValue<string>() == "detected")
            .Select(v => v!["attackId"]!.GetValue<Guid>())];

    /// <summary>The corridor's feature in GET /api/corridors.</summary>
    public static async Task<JsonNode> CorridorAsync(this IAlbaHost host, Guid id, string query = "")
    {
        var collection = await host.GetJsonAsync($"/api/corridors{(query.Length == 0 ? "" : "?" + query)}");
        collection["type"]!.GetValue<string>().ShouldBe("FeatureCollection");
        return collection["features"]!.AsArray().Single(f => f!["properties"]!["id"]!.GetValue<Guid>() == id)!;
    }

    public static async Task<string> CorridorStatusAsync(this IAlbaHost host, Guid id, string query) =>
        (await host.CorridorAsync(id, query))["properties"]!["status"]!.GetValue<string>();

    /// <summary>Posts and checks the answer is 200 (commands on an existing stream answer 200 with a receipt).</summary>
    public static async Task AcceptedAsync(this IAlbaHost host, string url, JsonNode body)
    {
        using var response = await host.PostJsonAsync(url, body);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"POST {url}: {await response.Content.ReadAsStringAsync()}");
    }
}

/// <summary>
/// Base of the ceasefire and corridor scenarios. The fixture's reset empties the events but not the <c>ceasefires</c>
/// table (the GiST-indexed read model corridors are checked against), so a ceasefire of an earlier test would still
/// "cover" a corridor; this base empties it too.
/// </summary>
public abstract class CeasefireTest(LedgerFixture ledger) : LedgerTest(ledger)
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.ExecuteAsync($"truncate {LedgerFixture.Schema}.{IdlibLedger.Ceasefires.CeasefireTable.Name}");
    }
}
