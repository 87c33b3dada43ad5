using IdlibLedger.Common;
using System.Text.Json.Nodes;
using IdlibLedger.Attacks;
using IdlibLedger.Demo;
using IdlibLedger.Tests.Fixtures;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace IdlibLedger.Tests.Casualties;

public sealed class casualty_totals(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static JsonObject Attack(string perpetrator, string occurredAt, double lon, double lat, params JsonNode[] casualties) => Given.Report(b =>
    {
        b["perpetrator"] = perpetrator;
        b["occurredAt"] = occurredAt;
        b["location"] = new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(lon, lat) };
        b["casualties"] = new JsonArray(casualties);
    });

    private static JsonObject Casualty(string category, string? party, int killedLow, int killedBest, int killedHigh, int injured = 0) => new()
    {
        ["category"] = category,
        ["party"] = party,
        ["killed"] = new JsonObject { ["low"] = killedLow, ["best"] = killedBest, ["high"] = killedHigh },
        ["injured"] = injured,
    };

    private async Task ThreeAttacksAsync()
    {
        // Ma'arrat al-Nu'man, Saraqib, and a strike far to the north (Harim).
        await Host.ReportedAttackAsync(Attack("Syrian Arab Army", "2020-01-15", 36.67, 35.65, Casualty("civilian", null, 8, 10, 12, injured: 20)));
        await Host.ReportedAttackAsync(Attack("Syrian Arab Army", "2020-02-03", 36.80, 35.86,
            Casualty("military", "Turkish Armed Forces", 8, 8, 8), Casualty("civilian", null, 1, 1, 1)));
        await Host.ReportedAttackAsync(Attack("Russian Air Force", "2020-02-20", 36.52, 36.20, Casualty("civilian", null, 3, 5, 6, injured: 9)));
    }

    [Fact]
    public async Task the_sums_cover_every_attack_and_category_as_low_best_high()
    {
        await ThreeAttacksAsync();

        var totals = await Host.GetJsonAsync("/api/casualties/totals");

        totals["killed"]!.Estimate().ShouldBe((20, 24, 27));
        totals["injured"]!.Estimate().ShouldBe((29, 29, 29));
        totals["attacks"]!.GetValue<long>().ShouldBe(3);
        totals["groups"]!.AsArray().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("perpetrator", "Syrian Arab Army", 17, 19, 21)]
    [InlineData("perpetrator", "Russian Air Force", 3, 5, 6)]
    [InlineData("category", "civilian", 12, 16, 19)]
    [InlineData("category", "military", 8, 8, 8)]
    [InlineData("party", "Turkish Armed Forces", 8, 8, 8)]
    [InlineData("month", "2020-02", 12, 14, 15)]
    [InlineData("month", "2020-01", 8, 10, 12)]
    public async Task grouped_totals_break_the_sums_down_by_key(string groupBy, string key, int low, int best, int high)
    {
        await ThreeAttacksAsync();

        var totals = await Host.GetJsonAsync($"/api/casualties/totals?groupBy={groupBy}");

        var group = totals["groups"]!.AsArray().Single(g => g!["key"]!.GetValue<string>() == key)!;
        group["killed"]!.Estimate().ShouldBe((low, best, high));
        totals["killed"]!.Estimate().ShouldBe((20, 24, 27));
        totals["groupBy"]!.GetValue<string>().ShouldBe(groupBy);
    }

    [Theory]
    [InlineData("from=2020-02-01", 12, 14, 15)]
    [InlineData("to=2020-02-03", 17, 19, 21)]
    [InlineData("from=2020-02-01&to=2020-02-10", 9, 9, 9)]
    [InlineData("perpetrator=Russian%20Air%20Force", 3, 5, 6)]
    [InlineData("bbox=36.6,35.6,36.9,35.9", 17, 19, 21)]
    [InlineData("bbox=36.0,36.1,36.6,36.3", 3, 5, 6)]
    public async Task filters_narrow_the_attacks_summed(string query, int low, int best, int high)
    {
        await ThreeAttacksAsync();

        var totals = await Host.GetJsonAsync($"/api/casualties/totals?{query}");
        var listed = await Host.GetJsonAsync($"/api/attacks?{query}");

        totals["killed"]!.Estimate().ShouldBe((low, best, high));
        listed["totalItems"]!.GetValue<long>().ShouldBe(totals["attacks"]!.GetValue<long>());
    }

    [Fact]
    public async Task the_demo_scenario_shows_13_turkish_soldiers_killed()
    {
        var loader = Host.Services.GetRequiredService<DemoDataLoader>();

        (await loader.LoadIntoEmptyLedgerAsync(CancellationToken.None)).ShouldBeTrue();
        (await loader.LoadIntoEmptyLedgerAsync(CancellationToken.None)).ShouldBeFalse();

        var totals = await Host.GetJsonAsync("/api/casualties/totals?groupBy=party");
        var turkish = totals["groups"]!.AsArray().Single(g => g!["key"]!.GetValue<string>() == "Turkish Armed Forces")!;
        turkish["killed"]!.Estimate().ShouldBe((13, 13, 13));
        (await Ledger.EventCountAsync()).ShouldBeGreaterThan(1);
    }

    /// <summary>
    /// docs/domain.md, "Time": the answer at (at, asOf) equals a plain replay of the events recorded by asOf.
    /// Random histories of reports, corrections and retractions at random times; the totals endpoint is
    /// compared with a replay of Marten's raw events, filtered by timestamp, for many (at, asOf) pairs.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task totals_equal_a_naive_replay_of_the_events_recorded_up_to_as_of(int seed)
    {
        var random = new Random(seed);
        var recorded = new DateTimeOffset(2020, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var attacks = new List<(Guid Id, int Version)>();
        for (var step = 0; step < 30; step++)
        {
            recorded = recorded.AddHours(random.Next(1, 48));
            Ledger.Clock.Set(recorded);
            var choice = attacks.Count == 0 ? 0 : random.Next(4);
            if (choice <= 1)
            {
                var occurred = new DateTime(2020, 1, 1).AddDays(random.Next(0, 60)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                var low = random.Next(0, 10);
                var id = await Host.ReportedAttackAsync(Attack(random.Next(2) == 0 ? "Syrian Arab Army" : "Russian Air Force", occurred, 36.6, 35.8,
                    Casualty(random.Next(2) == 0 ? "civilian" : "unknown", null, low, low + random.Next(5), low + 5 + random.Next(5))));
                attacks.Add((id, 1));
            }
            else
            {
                var index = random.Next(attacks.Count);
                var (id, version) = attacks[index];
                var url = choice == 2 ? $"/api/attacks/{id}/corrections" : $"/api/attacks/{id}/retraction";
                var low = random.Next(0, 20);
                var body = new JsonObject { ["expectedVersion"] = version, ["reason"] = "revised" };
                if (choice == 2)
                {
                    body["casualties"] = new JsonArray(Casualty("civilian", null, low, low + 2, low + 4));
                    body["occurredAt"] = new DateTime(2020, 1, 1).AddDays(random.Next(0, 60)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                }

                using var response = await Host.PostJsonAsync(url, body);
                if (response.IsSuccessStatusCode)
                {
                    attacks[index] = (id, version + 1);
                }
            }
        }

        await using var session = Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync();
        for (var probe = 0; probe < 15; probe++)
        {
            var asOf = new DateTimeOffset(2020, 3, 1, 0, 0, 0, TimeSpan.Zero).AddHours(random.Next(0, 24 * 35));
            var at = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(random.Next(0, 70));
            var expected = NaiveReplay(events, at, asOf);

            var actual = await Host.GetJsonAsync($"/api/casualties/totals?at={Uri.EscapeDataString(at.ToString("O"))}&asOf={Uri.EscapeDataString(asOf.ToString("O"))}");

            actual["killed"]!.Estimate().ShouldBe(expected, $"at {at:O}, as of {asOf:O}");
        }
    }

    private static (int, int, int) NaiveReplay(IReadOnlyList<IEvent> events, DateTimeOffset at, DateTimeOffset asOf)
    {
        var reports = new Dictionary<Guid, AttackReport>();
        foreach (var e in events.Where(e => e.Timestamp <= asOf))
        {
            switch (e)
            {
                case IEvent<AttackReported> reported:
                    reports[e.StreamId] = AttackReport.Create(reported);
                    break;
                case IEvent<AttackReportCorrected> corrected:
                    reports[e.StreamId] = reports[e.StreamId].Apply(corrected);
                    break;
                case IEvent<AttackReportRetracted> retracted:
                    reports[e.StreamId] = reports[e.StreamId].Apply(retracted);
                    break;
            }
        }

        var killed = reports.Values
            .Where(r => !r.Retracted && r.Facts.Occurrence.Window().From <= at)
            .Aggregate(Estimate.None, (sum, r) => sum.Plus(r.Facts.TotalKilled()));
        return (killed.Low, killed.Best, killed.High);
    }
}
