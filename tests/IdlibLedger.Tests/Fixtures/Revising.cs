using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Alba;
using Shouldly;

namespace IdlibLedger.Tests.Fixtures;

/// <summary>Corrections and retractions of any fact kind, through the API: the shared steps of their tests.</summary>
public static class Revising
{
    public static JsonObject Retraction(long expectedVersion, string reason = "recorded twice by mistake") =>
        new() { ["expectedVersion"] = expectedVersion, ["reason"] = reason };

    /// <summary>Posts a correction or retraction to <paramref name="url"/> and returns the receipt; fails the test unless the answer is 200.</summary>
    public static async Task<JsonObject> RevisedAsync(this IAlbaHost host, string url, JsonObject body)
    {
        using var response = await host.PostJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"POST {url}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Posts <paramref name="body"/> as the client <paramref name="client"/> holding only <paramref name="role"/>.</summary>
    public static async Task<(HttpStatusCode Status, JsonObject Answer)> PostAsAsync(this IAlbaHost host, string client, string role, string url, JsonNode body)
    {
        using var http = host.Client(client, role);
        using var response = await http.PostAsync(url, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    /// <summary>The <c>change</c> of each history entry, oldest first.</summary>
    public static List<string> Changes(this JsonNode fact) => [.. fact["history"]!.AsArray().Select(h => h!["change"]!.GetValue<string>())];
}
