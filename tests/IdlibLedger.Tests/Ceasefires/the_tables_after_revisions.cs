using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;
using static IdlibLedger.Tests.Ceasefires.GivenCeasefires;

namespace IdlibLedger.Tests.Ceasefires;

/// <summary>
/// The <c>ceasefires</c> and <c>observation_posts</c> tables after corrections and retractions equal the tables a
/// rebuild from the events gives (the audit read-model check, GET /api/audit/read-models).
/// </summary>
public sealed class the_tables_after_revisions(LedgerFixture ledger) : CeasefireTest(ledger)
{
    private static JsonObject Revision(long expectedVersion, Action<JsonObject>? fields = null)
    {
        var body = new JsonObject { ["expectedVersion"] = expectedVersion, ["reason"] = "recorded wrongly" };
        fields?.Invoke(body);
        return body;
    }

    [Fact]
    public async Task a_rebuild_gives_the_same_ceasefires_and_observation_posts_tables()
    {
        Ledger.Clock.Set(On(3, 5));
        var corrected = await Host.DeclaredCeasefireAsync();
        var retracted = await Host.DeclaredCeasefireAsync();
        var moved = await Host.EstablishedPostAsync();
        var renamed = await Host.EstablishedPostAsync(GivenTerritory.ObservationPost("Tell Touqan", 36.78, 35.73));
        var gone = await Host.EstablishedPostAsync(GivenTerritory.ObservationPost("Surman", 36.73, 35.49));
        var corridor = await Host.OpenedCorridorAsync();

        Ledger.Clock.Set(On(3, 6));
        await Host.OkAsync($"/api/ceasefires/{corrected}/corrections", Revision(1, b =>
        {
            b["area"] = GivenTerritory.Box(36.3, 35.4, 36.9, 36.3);
            b["parties"] = new JsonArray(Regime, Opposition, NotAParty);
            b["effectiveUntil"] = "2020-05-01T00:00:00Z";
        }));
        await Host.OkAsync($"/api/ceasefires/{retracted}/retraction", Revision(1));
        await Host.OkAsync($"/api/observation-posts/{moved}/relocation", new JsonObject { ["location"] = GivenTerritory.Point(36.63, 35.43), ["reason"] = "moved north" });
        await Host.OkAsync($"/api/observation-posts/{moved}/corrections", Revision(2, b => b["location"] = GivenTerritory.Point(36.69, 35.38)));
        await Host.OkAsync($"/api/observation-posts/{renamed}/corrections", Revision(1, b => { b["name"] = "Tall Tuqan"; b["location"] = GivenTerritory.Point(36.79, 35.74); }));
        await Host.OkAsync($"/api/observation-posts/{gone}/retraction", Revision(1));
        await Host.OkAsync($"/api/corridors/{corridor}/corrections", Revision(1, b => b["name"] = "Ariha–Saraqib"));

        var report = await Host.GetJsonAsync("/api/audit/read-models");

        report["ok"]!.GetValue<bool>().ShouldBeTrue(report.ToJsonString());
        var tables = report["tables"]!.AsArray().ToDictionary(t => t!["table"]!.GetValue<string>(), t => t!["liveRows"]!.GetValue<long>());
        tables[IdlibLedger.Ceasefires.CeasefireTable.Name].ShouldBe(1);
        tables[IdlibLedger.Territory.ObservationPosts.ObservationPostTable.Name].ShouldBe(2);
    }
}
