using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Territory;

/// <summary>Observation posts: established by an operator at a point; relocated, encircled, withdrawn.</summary>
public sealed class when_establishing_observation_posts(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static JsonObject Relocation(double lon, double lat, string? occurredAt = null)
    {
        var body = new JsonObject { ["location"] = GivenTerritory.Point(lon, lat), ["reason"] = "moved north of the M5" };
        if (occurredAt is not null)
        {
            body["occurredAt"] = occurredAt;
        }

        return body;
    }

    private static JsonObject Status(string status) => new() { ["status"] = status, ["reason"] = "reported by the Turkish MoD" };

    private static JsonNode Feature(JsonObject posts, Guid id) =>
        posts["features"]!.AsArray().Single(f => f!["properties"]!["id"]!.GetValue<Guid>() == id)!;

    private static double[] Coordinates(JsonNode feature) =>
        [.. feature["geometry"]!["coordinates"]!.AsArray().Select(c => c!.GetValue<double>())];

    [Fact]
    public async Task a_post_is_established_at_a_point()
    {
        using var response = await Host.PostJsonAsync("/api/observation-posts", GivenTerritory.ObservationPost());

        var receipt = await response.JsonAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, receipt.ToJsonString());
        var id = receipt["id"]!.GetValue<Guid>();
        response.Headers.Location!.ToString().ShouldBe($"/api/observation-posts/{id}");

        var posts = await Host.GetJsonAsync("/api/observation-posts");
        posts["type"]!.GetValue<string>().ShouldBe("FeatureCollection");
        var morek = Feature(posts, id);
        morek["geometry"]!["type"]!.GetValue<string>().ShouldBe("Point");
        Coordinates(morek).ShouldBe([36.68, 35.37]);
        morek["properties"]!["name"]!.GetValue<string>().ShouldBe("Morek");
        morek["properties"]!["operator"]!.GetValue<string>().ShouldBe("Turkish Armed Forces");
        morek["properties"]!["status"]!.GetValue<string>().ShouldBe("active");
    }

    [Fact]
    public async Task a_post_is_relocated_then_encircled_then_withdrawn()
    {
        var id = await Host.EstablishedPostAsync();

        var relocated = await Host.OkAsync($"/api/observation-posts/{id}/relocation", Relocation(36.80, 35.86));
        var encircled = await Host.OkAsync($"/api/observation-posts/{id}/status", Status("encircled"));
        var withdrawn = await Host.OkAsync($"/api/observation-posts/{id}/status", Status("withdrawn"));

        relocated["version"]!.GetValue<int>().ShouldBe(2);
        encircled["version"]!.GetValue<int>().ShouldBe(3);
        withdrawn["version"]!.GetValue<int>().ShouldBe(4);
        var post = Feature(await Host.GetJsonAsync("/api/observation-posts"), id);
        post["properties"]!["status"]!.GetValue<string>().ShouldBe("withdrawn");
        Coordinates(post).ShouldBe([36.80, 35.86]);
        (await Ledger.EventCountAsync()).ShouldBe(4);
    }

    [Fact]
    public async Task a_withdrawn_post_cannot_be_relocated()
    {
        var id = await Host.EstablishedPostAsync();
        await Host.OkAsync($"/api/observation-posts/{id}/status", Status("withdrawn"));

        var problem = await Ledger.RefusedAsync($"/api/observation-posts/{id}/relocation", Relocation(36.80, 35.86), HttpStatusCode.Conflict);

        problem["detail"]!.GetValue<string>().ShouldContain("withdrawn");
    }

    [Theory]
    [InlineData("captured")]
    [InlineData("Encircled")]
    [InlineData("")]
    public async Task an_unknown_status_is_400_listing_the_known_ones(string status)
    {
        var id = await Host.EstablishedPostAsync();

        var problem = await Ledger.RefusedAsync($"/api/observation-posts/{id}/status", Status(status), HttpStatusCode.BadRequest, status);

        problem.ShouldNameField("status", null, status);
    }

    [Fact]
    public async Task an_unknown_status_names_the_allowed_ones()
    {
        var id = await Host.EstablishedPostAsync();

        var problem = await Ledger.RefusedAsync($"/api/observation-posts/{id}/status", Status("captured"), HttpStatusCode.BadRequest);

        problem.ShouldNameField("status", "encircled");
    }

    [Fact]
    public async Task a_polygon_where_the_point_belongs_is_400()
    {
        var body = GivenTerritory.ObservationPost();
        body["location"] = GivenTerritory.Box(36.6, 35.3, 36.7, 35.4);

        var problem = await Ledger.RefusedAsync("/api/observation-posts", body, HttpStatusCode.BadRequest);

        problem.ShouldNameField("location.type", "Point");
    }

    [Fact]
    public async Task a_relocation_to_a_polygon_or_out_of_range_is_400()
    {
        var id = await Host.EstablishedPostAsync();
        var polygon = new JsonObject { ["location"] = GivenTerritory.Box(36.6, 35.3, 36.7, 35.4), ["reason"] = "moved" };

        (await Ledger.RefusedAsync($"/api/observation-posts/{id}/relocation", polygon, HttpStatusCode.BadRequest)).ShouldNameField("location.type", "Point");
        (await Ledger.RefusedAsync($"/api/observation-posts/{id}/relocation", Relocation(200, 35.86), HttpStatusCode.BadRequest))
            .ShouldNameField("location.coordinates[0]", "longitude");
    }

    [Theory]
    [InlineData("relocation")]
    [InlineData("status")]
    public async Task changing_an_unknown_post_is_404(string change)
    {
        JsonObject body = change == "relocation" ? Relocation(36.80, 35.86) : Status("encircled");

        await Ledger.RefusedAsync($"/api/observation-posts/{Guid.NewGuid()}/{change}", body, HttpStatusCode.NotFound, change);
    }

    [Fact]
    public async Task the_posts_show_where_and_how_each_stood_at_at_as_known_at_as_of()
    {
        Ledger.Clock.Set(GivenTerritory.On(1, 1));
        var id = await Host.EstablishedPostAsync();
        // Recorded on 1 February: the post moved on 25 January.
        Ledger.Clock.Set(GivenTerritory.On(2, 1));
        await Host.OkAsync($"/api/observation-posts/{id}/relocation", Relocation(36.80, 35.86, "2020-01-25T00:00:00Z"));
        Ledger.Clock.Set(GivenTerritory.On(2, 10));
        await Host.OkAsync($"/api/observation-posts/{id}/status", Status("encircled"));

        var beforeTheMove = Feature(await Host.GetJsonAsync("/api/observation-posts?at=2020-01-20"), id);
        var afterTheMove = Feature(await Host.GetJsonAsync("/api/observation-posts?at=2020-01-26"), id);
        var afterTheMoveAsKnownBefore = Feature(await Host.GetJsonAsync("/api/observation-posts?at=2020-01-26&asOf=2020-01-28"), id);
        var encircled = Feature(await Host.GetJsonAsync("/api/observation-posts?at=2020-02-11"), id);
        var encircledAsKnownBefore = Feature(await Host.GetJsonAsync("/api/observation-posts?at=2020-02-11&asOf=2020-02-05"), id);

        Coordinates(beforeTheMove).ShouldBe([36.68, 35.37]);
        Coordinates(afterTheMove).ShouldBe([36.80, 35.86]);
        Coordinates(afterTheMoveAsKnownBefore).ShouldBe([36.68, 35.37]);
        afterTheMove["properties"]!["status"]!.GetValue<string>().ShouldBe("active");
        encircled["properties"]!["status"]!.GetValue<string>().ShouldBe("encircled");
        Coordinates(encircled).ShouldBe([36.80, 35.86]);
        encircledAsKnownBefore["properties"]!["status"]!.GetValue<string>().ShouldBe("active");
        (await Host.GetJsonAsync("/api/observation-posts?at=2019-12-31"))["features"]!.AsArray().ShouldBeEmpty();
        (await Host.GetJsonAsync("/api/observation-posts?asOf=2019-12-31"))["features"]!.AsArray().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("/api/observation-posts?at=garbage", "at")]
    [InlineData("/api/observation-posts?asOf=2020-13-45", "asOf")]
    public async Task a_bad_time_is_400_naming_it(string url, string parameter)
    {
        var problem = await Ledger.RefusedAsync(HttpMethod.Get, url, null, HttpStatusCode.BadRequest, url);

        problem.ShouldNameField(parameter, null, url);
    }
}
