using System.Net;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

public sealed class health_and_api_description(LedgerFixture ledger) : LedgerTest(ledger)
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task health_endpoints_answer_healthy_to_anyone(string url)
    {
        using var client = Host.AnonymousClient();
        using var response = await client.GetAsync(url);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("Healthy");
    }

    [Fact]
    public async Task the_openapi_document_describes_every_endpoint()
    {
        var document = await Host.GetJsonAsync("/openapi/v1.json");
        var paths = document["paths"]!.AsObject();

        paths.Select(p => p.Key).ShouldBe(
            [
                "/api/attacks", "/api/attacks/changes", "/api/extent", "/api/attacks/{id}", "/api/attacks/{id}/corrections", "/api/attacks/{id}/retraction", "/api/casualties/totals",
                "/api/regions", "/api/regions/{id}", "/api/region-map", "/api/regions/{id}/corrections", "/api/regions/{id}/retraction",
                "/api/agreements", "/api/agreements/{id}", "/api/control-changes",
                "/api/control-changes/{id}/corrections", "/api/control-changes/{id}/retraction",
                "/api/control-map", "/api/control-map/share", "/api/control-map/holder",
                "/api/proposals", "/api/proposals/{id}", "/api/proposals/{id}/rejections", "/api/proposals/{id}/acceptances", "/api/proposals/{id}/withdrawal",
                "/api/observation-posts", "/api/observation-posts/{id}/relocation", "/api/observation-posts/{id}/status",
                "/api/observation-posts/{id}/corrections", "/api/observation-posts/{id}/retraction",
                "/api/negotiations", "/api/negotiations/{id}", "/api/negotiations/{id}/outcome",
                "/api/agreements/{id}/corrections", "/api/agreements/{id}/retraction",
                "/api/negotiations/{id}/corrections", "/api/negotiations/{id}/retraction",
                "/api/casualty-figures/{id}/corrections", "/api/casualty-figures/{id}/retraction",
                "/api/attacks/{id}/disputes", "/api/casualty-figures",
                "/api/ceasefires", "/api/ceasefires/{id}", "/api/ceasefires/{id}/extension", "/api/ceasefires/{id}/collapse", "/api/ceasefires/{id}/violations",
                "/api/corridors", "/api/corridors/{id}/closure",
                "/api/ceasefires/{id}/corrections", "/api/ceasefires/{id}/retraction",
                "/api/corridors/{id}", "/api/corridors/{id}/corrections", "/api/corridors/{id}/retraction",
                "/api/audit/events", "/api/audit/verify", "/api/audit/keys", "/api/audit/checkpoints", "/api/audit/checkpoints/latest",
                "/api/audit/consistency", "/api/audit/export", "/api/audit/snapshot", "/api/audit/read-models",
                "/api/attacks/batch", "/api/imports/ucdp-ged", "/api/imports/{id}/rejections", "/api/imports/{id}/warnings", "/api/exports/attacks.csv", "/api/exports/attacks.geojson", "/api/live",
                "/api/control-changes/{id}", "/api/casualty-figures/{id}", "/api/observation-posts/{id}",
                "/api/keys", "/api/keys/{id}", "/api/keys/{id}/revocation",
            ],
            ignoreOrder: true);
        paths["/api/attacks"]!["post"]!["requestBody"].ShouldNotBeNull();
        paths["/api/attacks"]!["post"]!["responses"]!.AsObject().Select(r => r.Key).ShouldContain("400");
        paths["/api/attacks/{id}/corrections"]!["post"]!["responses"]!.AsObject().Select(r => r.Key).ShouldContain("409");
    }

    [Fact]
    public async Task the_interactive_api_page_is_served_to_anyone()
    {
        using var client = Host.AnonymousClient();
        using var page = await client.GetAsync("/scalar/");

        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await page.Content.ReadAsStringAsync()).ShouldContain("openapi/v1.json");
    }

    [Fact]
    public async Task a_body_that_is_not_json_is_415_problem_details()
    {
        using var client = Host.Client();
        using var response = await client.PostAsync("/api/attacks", new StringContent("perpetrator=SAA"));

        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await Ledger.EventCountAsync()).ShouldBe(0);
    }

}
