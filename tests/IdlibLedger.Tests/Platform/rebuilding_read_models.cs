using System.Text.Json.Nodes;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Ceasefires;
using IdlibLedger.Territory.ControlChanges;
using IdlibLedger.Territory.ObservationPosts;
using IdlibLedger.Territory.Regions;
using IdlibLedger.Tests.Fixtures;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

/// <summary>Every read model is a projection of the events: emptied and rebuilt, it gives the same answers.</summary>
public sealed class rebuilding_read_models(LedgerFixture ledger) : LedgerTest(ledger)
{
    private const string At = "at=2020-03-01T00:00:00Z&asOf=2030-01-01T00:00:00Z";

    private static JsonObject Box(double minLon, double minLat, double maxLon, double maxLat) => new()
    {
        ["type"] = "Polygon",
        ["coordinates"] = new JsonArray(new JsonArray(
            new JsonArray(minLon, minLat), new JsonArray(maxLon, minLat), new JsonArray(maxLon, maxLat), new JsonArray(minLon, maxLat), new JsonArray(minLon, minLat))),
    };

    [Fact]
    public async Task a_rebuild_from_the_events_gives_the_same_answers()
    {
        Ledger.Clock.Set(new DateTimeOffset(2020, 3, 5, 0, 0, 0, TimeSpan.Zero));
        var reported = await Host.ReportedAttackAsync(Given.Report(b => b["occurredAt"] = "2020-02-10"));
        await Host.CorrectedAsync(reported, new JsonObject { ["expectedVersion"] = 1, ["reason"] = "MoD", ["casualties"] = Given.Killed("military", "Turkish Armed Forces", 5, 6, 7) });
        var retracted = await Host.ReportedAttackAsync(Given.Report(b => b["occurredAt"] = "2020-02-12"));
        using (var retraction = await Host.PostJsonAsync($"/api/attacks/{retracted}/retraction", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "duplicate" }))
        {
            retraction.IsSuccessStatusCode.ShouldBeTrue();
        }

        foreach (var (actor, box, date) in new[] { ("Syrian opposition", Box(36.3, 35.5, 37.0, 36.2), "2020-01-01"), ("Syrian Arab Army", Box(36.6, 35.5, 37.0, 35.9), "2020-02-01") })
        {
            using var change = await Host.PostJsonAsync("/api/control-changes", new JsonObject
            {
                ["actor"] = actor, ["area"] = box, ["occurredAt"] = date, ["reportedBy"] = "test",
                ["sources"] = new JsonArray(new JsonObject { ["outlet"] = "Reuters" }),
            });
            change.IsSuccessStatusCode.ShouldBeTrue();
        }

        using var ceasefire = await Host.PostJsonAsync("/api/ceasefires", new JsonObject
        {
            ["declaredBy"] = "Russian Federation", ["parties"] = new JsonArray("Syrian Arab Army", "Syrian opposition"),
            ["area"] = Box(36.0, 35.3, 37.2, 36.3), ["effectiveFrom"] = "2020-02-01", ["effectiveUntil"] = "2020-04-01",
        });
        ceasefire.IsSuccessStatusCode.ShouldBeTrue();
        var ceasefireId = (await ceasefire.JsonAsync())["id"]!.GetValue<Guid>();

        string[] reads =
        [
            $"/api/casualties/totals?groupBy=party&{At}", $"/api/attacks?includeRetracted=true&{At}", $"/api/control-map?{At}",
            $"/api/control-map/holder?lon=36.8&lat=35.7&{At}", $"/api/ceasefires/{ceasefireId}?{At}", $"/api/attacks/{reported}?{At}",
        ];
        var before = new List<string>();
        foreach (var read in reads)
        {
            before.Add((await Host.GetJsonAsync(read)).ToJsonString());
        }

        var store = Host.Services.GetRequiredService<IDocumentStore>();
        using (var daemon = await store.BuildProjectionDaemonAsync())
        {
            foreach (var projection in new[] { nameof(AttackTimeline), nameof(ControlChangeTable), nameof(CeasefireTable), nameof(ObservationPostTable), nameof(RegionTable) })
            {
                await daemon.RebuildProjectionAsync(projection, TimeSpan.FromMinutes(1), CancellationToken.None);
            }
        }

        for (var i = 0; i < reads.Length; i++)
        {
            (await Host.GetJsonAsync(reads[i])).ToJsonString().ShouldBe(before[i], reads[i]);
        }

        (await Host.GetJsonAsync($"/api/ceasefires/{ceasefireId}?{At}"))["violationCount"]!.GetValue<int>().ShouldBe(1);
    }
}
