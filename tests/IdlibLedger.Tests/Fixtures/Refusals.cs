using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Shouldly;

namespace IdlibLedger.Tests.Fixtures;

/// <summary>The check every bad-input test makes: a ProblemDetails with the expected status, and nothing appended.</summary>
public static class Refusals
{
    /// <summary>Every event in the store, the reference regions included (a refused POST /api/regions must not add one).</summary>
    public static async Task<long> AllEventCountAsync(this LedgerFixture ledger) =>
        (long)(await ledger.ScalarAsync($"select count(*) from {LedgerFixture.Schema}.mt_events"))!;

    /// <summary>
    /// Sends the request and checks the refusal: the status, a problem+json body with that status, and nothing appended
    /// (the event count, regions included, is the same after as before). Returns the problem.
    /// </summary>
    public static async Task<JsonObject> RefusedAsync(this LedgerFixture ledger, HttpMethod method, string url, string? body, HttpStatusCode status, string? @case = null, string contentType = "application/json")
    {
        var before = await ledger.EventCountAsync();
        var allBefore = await ledger.AllEventCountAsync();

        using var client = ledger.Host.Client();
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var said = $"{@case}: {method} {url} answered {(int)response.StatusCode} {response.Content.Headers.ContentType}: {text}";

        response.StatusCode.ShouldBe(status, said);
        (response.Content.Headers.ContentType?.MediaType).ShouldBe("application/problem+json", said);
        var problem = JsonNode.Parse(text)!.AsObject();
        problem["status"]!.GetValue<int>().ShouldBe((int)status, said);
        (await ledger.EventCountAsync()).ShouldBe(before, $"{said}\nevents after the request");
        (await ledger.AllEventCountAsync()).ShouldBe(allBefore, $"{said}\nevents (regions included) after the request");
        return problem;
    }

    public static Task<JsonObject> RefusedAsync(this LedgerFixture ledger, string url, JsonNode body, HttpStatusCode status, string? @case = null) =>
        ledger.RefusedAsync(HttpMethod.Post, url, body.ToJsonString(), status, @case);
}
