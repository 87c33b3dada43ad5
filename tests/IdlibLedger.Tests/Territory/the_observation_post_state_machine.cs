using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Territory.ObservationPosts;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Territory;

/// <summary>
/// docs/domain.md, "Observation posts": active ⇄ encircled, either → withdrawn, which is terminal. Any other change is
/// 409 naming the current and the requested status; a terminal post is not relocated; changes come in valid-time order.
/// </summary>
public sealed class the_observation_post_state_machine(LedgerFixture ledger) : LedgerTest(ledger)
{
    [Theory]
    [InlineData(ObservationPostStatus.Active, ObservationPostStatus.Encircled, true)]
    [InlineData(ObservationPostStatus.Active, ObservationPostStatus.Withdrawn, true)]
    [InlineData(ObservationPostStatus.Active, ObservationPostStatus.Active, false)]
    [InlineData(ObservationPostStatus.Encircled, ObservationPostStatus.Active, true)]
    [InlineData(ObservationPostStatus.Encircled, ObservationPostStatus.Withdrawn, true)]
    [InlineData(ObservationPostStatus.Encircled, ObservationPostStatus.Encircled, false)]
    [InlineData(ObservationPostStatus.Withdrawn, ObservationPostStatus.Active, false)]
    [InlineData(ObservationPostStatus.Withdrawn, ObservationPostStatus.Encircled, false)]
    [InlineData(ObservationPostStatus.Withdrawn, ObservationPostStatus.Withdrawn, false)]
    public void the_table_of_transitions(ObservationPostStatus from, ObservationPostStatus to, bool allowed) =>
        ObservationPostStates.Allows(from, to).ShouldBe(allowed);

    private static JsonObject Status(string status, string? occurredAt = null)
    {
        var body = new JsonObject { ["status"] = status, ["reason"] = "reported by the Turkish MoD" };
        if (occurredAt is not null)
        {
            body["occurredAt"] = occurredAt;
        }

        return body;
    }

    /// <summary>A post established on 1 January and taken through <paramref name="path"/> (comma-separated statuses).</summary>
    private async Task<Guid> PostThroughAsync(string path)
    {
        Ledger.Clock.Set(GivenTerritory.On(1, 1));
        var id = await Host.EstablishedPostAsync();
        Ledger.Clock.Set(GivenTerritory.On(2, 1));
        foreach (var status in path.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            await Host.OkAsync($"/api/observation-posts/{id}/status", Status(status));
        }

        return id;
    }

    [Theory]
    [InlineData("", "active")]
    [InlineData("encircled", "encircled")]
    [InlineData("withdrawn", "active")]
    [InlineData("withdrawn", "encircled")]
    [InlineData("encircled,withdrawn", "active")]
    [InlineData("encircled,active", "active")]
    public async Task a_change_the_machine_does_not_allow_is_409_naming_both_statuses(string path, string requested)
    {
        var id = await PostThroughAsync(path);
        var current = path.Length == 0 ? "active" : path.Split(',')[^1];

        var problem = await Ledger.RefusedAsync($"/api/observation-posts/{id}/status", Status(requested), HttpStatusCode.Conflict, $"{path} → {requested}");

        problem["detail"]!.GetValue<string>().ShouldContain($"is {current}; it cannot become {requested}");
    }

    [Theory]
    [InlineData("", "encircled")]
    [InlineData("", "withdrawn")]
    [InlineData("encircled", "active")]
    [InlineData("encircled", "withdrawn")]
    [InlineData("encircled,active", "encircled")]
    public async Task a_change_the_machine_allows_is_recorded(string path, string requested)
    {
        var id = await PostThroughAsync(path);

        await Host.OkAsync($"/api/observation-posts/{id}/status", Status(requested));

        (await Host.GetJsonAsync($"/api/observation-posts/{id}"))["status"]!.GetValue<string>().ShouldBe(requested);
    }

    [Fact]
    public async Task a_post_in_a_terminal_status_is_not_relocated()
    {
        var id = await PostThroughAsync("encircled,withdrawn");

        var problem = await Ledger.RefusedAsync($"/api/observation-posts/{id}/relocation",
            new JsonObject { ["location"] = GivenTerritory.Point(36.80, 35.86), ["reason"] = "moved" }, HttpStatusCode.Conflict);

        problem["detail"]!.GetValue<string>().ShouldContain("terminal");
    }

    [Fact]
    public async Task a_status_change_dated_before_the_latest_one_is_409()
    {
        var id = await PostThroughAsync("encircled");

        var problem = await Ledger.RefusedAsync($"/api/observation-posts/{id}/status", Status("withdrawn", "2020-01-20T00:00:00Z"), HttpStatusCode.Conflict);

        problem["detail"]!.GetValue<string>().ShouldContain("cannot be dated before");
    }

    [Fact]
    public async Task a_change_before_the_post_was_established_is_400_naming_occurred_at()
    {
        var id = await PostThroughAsync("");

        (await Ledger.RefusedAsync($"/api/observation-posts/{id}/status", Status("encircled", "2019-12-01T00:00:00Z"), HttpStatusCode.BadRequest, "status"))
            .ShouldNameField("occurredAt", "established");
        (await Ledger.RefusedAsync($"/api/observation-posts/{id}/relocation",
            new JsonObject { ["location"] = GivenTerritory.Point(36.80, 35.86), ["reason"] = "moved", ["occurredAt"] = "2019-12-01T00:00:00Z" }, HttpStatusCode.BadRequest, "relocation"))
            .ShouldNameField("occurredAt", "established");
    }
}
