using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Access;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Territory.ObservationPosts;
using Shouldly;

namespace IdlibLedger.Tests.Territory;

/// <summary>
/// CorrectObservationPost and RetractObservationPost: the posts' list, the post by id and the observation_posts table
/// follow, at any (at, asOf); a correction replaces the establishment, and relocations recorded before it still apply.
/// </summary>
public sealed class correcting_and_retracting_observation_posts(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static JsonObject Correction(long expectedVersion, Action<JsonObject> fields)
    {
        var body = new JsonObject { ["expectedVersion"] = expectedVersion, ["reason"] = "as the Turkish MoD's list gives it" };
        fields(body);
        return body;
    }

    private static JsonObject Retraction(long expectedVersion) => new() { ["expectedVersion"] = expectedVersion, ["reason"] = "established twice by the same desk" };

    private static JsonNode? Feature(JsonObject posts, Guid id) =>
        posts["features"]!.AsArray().SingleOrDefault(f => f!["properties"]!["id"]!.GetValue<Guid>() == id);

    private static double[] Coordinates(JsonNode post) => [.. post["coordinates"]!.AsArray().Select(c => c!.GetValue<double>())];

    private Task<object?> TableAsync(Guid id, string column) =>
        Ledger.ScalarAsync($"select {column} from {LedgerFixture.Schema}.{ObservationPostTable.Name} where post_id = '{id}'");

    [Fact]
    public async Task before_the_correction_the_post_as_established_after_it_as_corrected()
    {
        Ledger.Clock.Set(GivenTerritory.On(1, 1));
        var id = await Host.EstablishedPostAsync();
        Ledger.Clock.Set(GivenTerritory.On(2, 1));

        var receipt = await Host.OkAsync($"/api/observation-posts/{id}/corrections", Correction(1, b =>
        {
            b["name"] = "Murak";
            b["location"] = GivenTerritory.Point(36.69, 35.38);
            b["establishedAt"] = "2019-12-20T00:00:00Z";
        }));

        receipt["version"]!.GetValue<int>().ShouldBe(2);
        Feature(await Host.GetJsonAsync("/api/observation-posts?at=2019-12-25&asOf=2020-01-15"), id).ShouldBeNull("not yet established, as first recorded");
        var before = Feature(await Host.GetJsonAsync("/api/observation-posts?at=2020-01-15&asOf=2020-01-15"), id)!;
        var after = Feature(await Host.GetJsonAsync("/api/observation-posts?at=2019-12-25&asOf=2020-02-02"), id)!;
        before["properties"]!["name"]!.GetValue<string>().ShouldBe("Morek");
        Coordinates(before["geometry"]!).ShouldBe([36.68, 35.37]);
        after["properties"]!["name"]!.GetValue<string>().ShouldBe("Murak");
        Coordinates(after["geometry"]!).ShouldBe([36.69, 35.38]);

        var original = await Host.GetJsonAsync($"/api/observation-posts/{id}?asOf=2020-01-15");
        var corrected = await Host.GetJsonAsync($"/api/observation-posts/{id}");
        original["version"]!.GetValue<int>().ShouldBe(1);
        corrected["version"]!.GetValue<int>().ShouldBe(2);
        corrected["establishedAt"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2019, 12, 20, 0, 0, 0, TimeSpan.Zero));
        corrected["history"]![1]!["fields"]!.AsArray().Select(f => f!.GetValue<string>()).ShouldBe(["name", "location", "establishedAt"]);
        (await TableAsync(id, "name")).ShouldBe("Murak");
        (await TableAsync(id, "ST_X(location)")).ShouldBe(36.69);
    }

    [Fact]
    public async Task a_correction_of_the_establishment_point_leaves_a_later_relocation_in_place()
    {
        Ledger.Clock.Set(GivenTerritory.On(1, 1));
        var id = await Host.EstablishedPostAsync();
        Ledger.Clock.Set(GivenTerritory.On(1, 20));
        await Host.OkAsync($"/api/observation-posts/{id}/relocation", new JsonObject { ["location"] = GivenTerritory.Point(36.80, 35.86), ["reason"] = "moved north of the M5" });
        Ledger.Clock.Set(GivenTerritory.On(2, 1));

        await Host.OkAsync($"/api/observation-posts/{id}/corrections", Correction(2, b => b["location"] = GivenTerritory.Point(36.69, 35.38)));

        Coordinates((await Host.GetJsonAsync($"/api/observation-posts/{id}?at=2020-01-10"))["location"]!).ShouldBe([36.69, 35.38]);
        Coordinates((await Host.GetJsonAsync($"/api/observation-posts/{id}?at=2020-01-10&asOf=2020-01-25"))["location"]!).ShouldBe([36.68, 35.37]);
        Coordinates((await Host.GetJsonAsync($"/api/observation-posts/{id}?at=2020-01-25"))["location"]!).ShouldBe([36.80, 35.86]);
        (await TableAsync(id, "ST_X(location)")).ShouldBe(36.80);
    }

    [Fact]
    public async Task a_retracted_post_leaves_the_list_and_the_table_but_stays_readable_by_id()
    {
        Ledger.Clock.Set(GivenTerritory.On(1, 1));
        var id = await Host.EstablishedPostAsync();
        Ledger.Clock.Set(GivenTerritory.On(2, 1));

        await Host.OkAsync($"/api/observation-posts/{id}/retraction", Retraction(1));

        Feature(await Host.GetJsonAsync("/api/observation-posts"), id).ShouldBeNull();
        Feature(await Host.GetJsonAsync("/api/observation-posts?asOf=2020-01-15"), id).ShouldNotBeNull();
        (await TableAsync(id, "name")).ShouldBeNull();
        var post = await Host.GetJsonAsync($"/api/observation-posts/{id}");
        post["retracted"]!.GetValue<bool>().ShouldBeTrue();
        post["version"]!.GetValue<int>().ShouldBe(2);
        (await Host.GetJsonAsync($"/api/observation-posts/{id}?asOf=2020-01-15"))["retracted"]!.GetValue<bool>().ShouldBeFalse();
        await Ledger.RefusedAsync($"/api/observation-posts/{id}/corrections", Correction(2, b => b["name"] = "x"), HttpStatusCode.Conflict, "a correction");
        await Ledger.RefusedAsync($"/api/observation-posts/{id}/retraction", Retraction(2), HttpStatusCode.Conflict, "a second retraction");
        await Ledger.RefusedAsync($"/api/observation-posts/{id}/status", new JsonObject { ["status"] = "encircled", ["reason"] = "x" }, HttpStatusCode.Conflict, "a status change");
        var relocating = GivenTerritory.Proposal(b =>
            b["relocations"] = new JsonArray(new JsonObject { ["postId"] = id, ["to"] = GivenTerritory.Point(36.80, 35.86) }));
        (await Ledger.RefusedAsync("/api/proposals", relocating, HttpStatusCode.BadRequest, "a proposal relocating it"))
            .ShouldNameField("relocations[0].postId", "retracted");
    }

    [Fact]
    public async Task a_stale_expected_version_is_409_another_client_403_and_an_unknown_post_404()
    {
        var id = await Host.EstablishedPostAsync();
        await Host.OkAsync($"/api/observation-posts/{id}/corrections", Correction(1, b => b["operator"] = "Turkish Land Forces"));
        var before = await Ledger.EventCountAsync();
        using var otherDesk = Host.Client("desk-gaziantep", Roles.Analyst);

        await Ledger.RefusedAsync($"/api/observation-posts/{id}/corrections", Correction(1, b => b["name"] = "Murak"), HttpStatusCode.Conflict, "stale correction");
        await Ledger.RefusedAsync($"/api/observation-posts/{id}/retraction", Retraction(1), HttpStatusCode.Conflict, "stale retraction");
        using var notTheirs = await otherDesk.PostAsync($"/api/observation-posts/{id}/corrections",
            new StringContent(Correction(2, b => b["name"] = "Murak").ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        notTheirs.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await Ledger.RefusedAsync($"/api/observation-posts/{Guid.NewGuid()}/retraction", Retraction(1), HttpStatusCode.NotFound, "unknown");
        (await Ledger.EventCountAsync()).ShouldBe(before);
    }

    public static TheoryData<string, string, string> BadCorrections() => new()
    {
        { "nothing that changes", """{"name": "Morek", "operator": "Turkish Armed Forces"}""", "reason" },
        { "a polygon for the point", """{"location": {"type": "Polygon", "coordinates": [[[36.3, 35.4], [36.9, 35.4], [36.9, 36.0], [36.3, 35.4]]]}}""", "location.type" },
        { "established in the future", """{"establishedAt": "2020-02-01T00:00:00Z"}""", "establishedAt" },
        { "established after its first status change", """{"establishedAt": "2020-01-12T00:00:00Z"}""", "establishedAt" },
        { "a blank name", """{"name": " "}""", "name" },
        { "no field at all", "{}", "reason" },
    };

    [Theory]
    [MemberData(nameof(BadCorrections))]
    public async Task a_bad_field_is_400_naming_it_and_nothing_is_stored(string @case, string fields, string field)
    {
        Ledger.Clock.Set(GivenTerritory.On(1, 1));
        var id = await Host.EstablishedPostAsync();
        Ledger.Clock.Set(GivenTerritory.On(1, 15));
        await Host.OkAsync($"/api/observation-posts/{id}/status", new JsonObject { ["status"] = "encircled", ["reason"] = "x", ["occurredAt"] = "2020-01-10T00:00:00Z" });
        var body = JsonNode.Parse(fields)!.AsObject();
        body["expectedVersion"] = 2;
        body["reason"] = "a correction";

        var problem = await Ledger.RefusedAsync($"/api/observation-posts/{id}/corrections", body, HttpStatusCode.BadRequest, @case);

        problem.ShouldNameField(field, null, @case);
    }
}
