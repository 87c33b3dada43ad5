using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Importing;

public sealed class reporting_attacks_in_batch(LedgerFixture ledger) : LedgerTest(ledger)
{
    private async Task<JsonObject> BatchAsync(string body, string contentType)
    {
        using var client = Host.Client();
        using var response = await client.PostAsync("/api/attacks/batch", new StringContent(body, Encoding.UTF8, contentType));
        var json = await response.JsonAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, json.ToJsonString());
        return json;
    }

    private static IEnumerable<int> Statuses(JsonObject result) => result["results"]!.AsArray().Select(r => r!["status"]!.GetValue<int>());

    [Fact]
    public async Task each_item_is_answered_and_a_retried_batch_appends_nothing_twice()
    {
        var items = new JsonArray(
            Given.Report(b => b["id"] = Guid.NewGuid()),
            Given.Report(b => { b["id"] = Guid.NewGuid(); b["perpetrator"] = "Russian Air Force"; }),
            Given.Report(b => b["casualties"] = Given.Killed("civilian", null, 5, 3, 2)));

        var first = await BatchAsync(items.ToJsonString(), "application/json");
        var retry = await BatchAsync(items.ToJsonString(), "application/json");

        Statuses(first).ShouldBe([201, 201, 400]);
        first["results"]![2]!["errors"]!.AsObject().Select(e => e.Key).ShouldContain("casualties[0].killed.best");
        Statuses(retry).ShouldBe([200, 200, 400]);
        (await Ledger.EventCountAsync()).ShouldBe(2);
        (await Host.GetJsonAsync("/api/casualties/totals"))["attacks"]!.GetValue<long>().ShouldBe(2);
    }

    [Fact]
    public async Task ndjson_takes_one_report_per_line()
    {
        var ndjson = string.Join('\n', Given.Report().ToJsonString(), Given.Report(b => b["eventType"] = "nonsense").ToJsonString(), Given.Report().ToJsonString());

        var result = await BatchAsync(ndjson, "application/x-ndjson");

        Statuses(result).ShouldBe([201, 400, 201]);
        result["results"]![1]!["errors"]!.AsObject().Select(e => e.Key).ShouldContain("eventType");
        (await Ledger.EventCountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task an_empty_or_unreadable_batch_is_400_and_records_nothing()
    {
        await Ledger.RefusedAsync(HttpMethod.Post, "/api/attacks/batch", "[]", HttpStatusCode.BadRequest, "empty");
        await Ledger.RefusedAsync(HttpMethod.Post, "/api/attacks/batch", "{\"not\": \"an array\"}", HttpStatusCode.BadRequest, "object");
    }
}
