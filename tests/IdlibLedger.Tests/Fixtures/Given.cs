using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;

namespace IdlibLedger.Tests.Fixtures;

/// <summary>Reusable "given" states, built through the API as an integrating system would.</summary>
public static class Given
{
    /// <summary>The body of the example, as an integrating system sends it.</summary>
    public const string TaftanazReport = """
        {"perpetrator": "Syrian Arab Army", "targets": ["Turkish Armed Forces"],
         "eventType": "explosions-remote-violence", "subEventType": "shelling-artillery-missile-attack",
         "location": {"type": "Point", "coordinates": [36.78, 35.93]}, "locationPrecision": "within-25km",
         "occurredAt": "2020-02-10", "datePrecision": "day",
         "description": "Regime shelling near Taftanaz kills Turkish soldiers",
         "sources": [{"outlet": "Daily Sabah", "publishedAt": "2020-02-26", "title": "Turkey expects Russia to halt regime attacks"}],
         "casualties": [{"category": "military", "party": "Turkish Armed Forces", "killed": {"low": 5, "best": 5, "high": 5}}],
         "reportedBy": "desk-ankara"}
        """;

    /// <summary>The Taftanaz report with some fields replaced (JSON values; null removes the field).</summary>
    public static JsonObject Report(Action<JsonObject>? change = null)
    {
        var body = JsonNode.Parse(TaftanazReport)!.AsObject();
        change?.Invoke(body);
        return body;
    }

    public static JsonArray Killed(string category, string? party, int low, int best, int high) =>
    [
        new JsonObject
        {
            ["category"] = category,
            ["party"] = party,
            ["killed"] = new JsonObject { ["low"] = low, ["best"] = best, ["high"] = high },
        },
    ];

    public static async Task<HttpResponseMessage> PostJsonAsync(this IAlbaHost host, string url, string json, IDictionary<string, string>? headers = null)
    {
        using var client = host.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        return await client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this IAlbaHost host, string url, JsonNode body, IDictionary<string, string>? headers = null) =>
        host.PostJsonAsync(url, body.ToJsonString(), headers);

    public static async Task<JsonObject> GetJsonAsync(this IAlbaHost host, string url, int expectedStatus = 200)
    {
        using var client = host.Client();
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expectedStatus, $"GET {url}: expected {expectedStatus}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    /// <summary>Reports an attack and returns its id; fails the test unless the answer is 201.</summary>
    public static async Task<Guid> ReportedAttackAsync(this IAlbaHost host, JsonObject? body = null)
    {
        using var response = await host.PostJsonAsync("/api/attacks", body ?? Report());
        var json = await response.JsonAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, json.ToJsonString());
        return json["id"]!.GetValue<Guid>();
    }

    public static async Task<JsonObject> CorrectedAsync(this IAlbaHost host, Guid id, JsonObject correction)
    {
        using var response = await host.PostJsonAsync($"/api/attacks/{id}/corrections", correction);
        var json = await response.JsonAsync();
        Assert.True(response.IsSuccessStatusCode, json.ToJsonString());
        return json;
    }

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static T As<T>(this JsonNode node) => node.Deserialize<T>(Json)!;

    /// <summary>Reads a killed/injured estimate as (low, best, high).</summary>
    public static (int Low, int Best, int High) Estimate(this JsonNode node) =>
        (node["low"]!.GetValue<int>(), node["best"]!.GetValue<int>(), node["high"]!.GetValue<int>());

}
