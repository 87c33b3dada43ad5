using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

/// <summary>The Location a creating command answers with is a resource the client can GET.</summary>
public sealed class every_location_resolves(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static JsonObject Box => new()
    {
        ["type"] = "Polygon",
        ["coordinates"] = new JsonArray(new JsonArray(new JsonArray(36.5, 35.6), new JsonArray(36.8, 35.6), new JsonArray(36.8, 35.9), new JsonArray(36.5, 35.9), new JsonArray(36.5, 35.6))),
    };

    [Theory]
    [InlineData("control change")]
    [InlineData("casualty figure")]
    [InlineData("observation post")]
    public async Task the_location_of_a_new_fact_answers_200_and_before_its_recording_404(string what)
    {
        Ledger.Clock.Set(new DateTimeOffset(2020, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var (url, body) = what switch
        {
            "control change" => ("/api/control-changes", new JsonObject
            {
                ["actor"] = "Syrian Arab Army", ["area"] = Box, ["occurredAt"] = "2020-02-11", ["reportedBy"] = "test",
                ["sources"] = new JsonArray(new JsonObject { ["outlet"] = "Reuters" }),
            }),
            "casualty figure" => ("/api/casualty-figures", new JsonObject
            {
                ["source"] = new JsonObject { ["outlet"] = "UN OCHA" }, ["metric"] = "killed", ["qualifier"] = "at-least", ["value"] = 1700,
                ["periodFrom"] = "2019-05-01", ["periodUntil"] = "2020-02-26", ["area"] = "Idlib de-escalation zone", ["reportedBy"] = "test",
            }),
            _ => ("/api/observation-posts", new JsonObject
            {
                ["operator"] = "Turkish Armed Forces", ["name"] = "Morek", ["establishedAt"] = "2018-05-16",
                ["location"] = new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(36.68, 35.381) },
            }),
        };

        using var created = await Host.PostJsonAsync(url, body);
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var location = created.Headers.Location!.ToString();

        await Host.GetJsonAsync(location);
        await Host.GetJsonAsync($"{location}?asOf=2020-02-01", expectedStatus: 404);
    }
}
