using IdlibLedger.Demo;
using IdlibLedger.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace IdlibLedger.Tests.Audit;

public sealed class a_snapshot_of_every_read_model(LedgerFixture ledger) : LedgerTest(ledger)
{
    [Fact]
    public async Task holds_every_read_model_and_two_dates_can_be_diffed()
    {
        Ledger.Clock.Set(new DateTimeOffset(2020, 3, 1, 0, 0, 0, TimeSpan.Zero));
        (await Host.Services.GetRequiredService<DemoDataLoader>().LoadIntoEmptyLedgerAsync(CancellationToken.None)).ShouldBeTrue();
        Ledger.Clock.Set(new DateTimeOffset(2020, 3, 10, 0, 0, 0, TimeSpan.Zero));
        await Host.ReportedAttackAsync(Given.Report(b => b["occurredAt"] = "2020-02-27"));

        var before = await Host.GetJsonAsync("/api/audit/snapshot?at=2020-02-28&asOf=2020-03-05");
        var after = await Host.GetJsonAsync("/api/audit/snapshot?at=2020-02-28&asOf=2020-03-11");

        foreach (var part in new[] { "casualtyTotals", "attacks", "controlMap", "ceasefires", "proposals", "observationPosts", "corridors" })
        {
            before[part].ShouldNotBeNull(part);
        }

        before["controlMap"]!["type"]!.GetValue<string>().ShouldBe("FeatureCollection");
        before["proposals"]!["items"]!.AsArray().Count.ShouldBe(1);
        before["observationPosts"]!["features"]!.AsArray().Count.ShouldBe(8);
        var killedBefore = before["casualtyTotals"]!["killed"]!["best"]!.GetValue<int>();
        var killedAfter = after["casualtyTotals"]!["killed"]!["best"]!.GetValue<int>();
        (killedAfter - killedBefore).ShouldBe(5);
        (after["attacks"]!["totalItems"]!.GetValue<long>() - before["attacks"]!["totalItems"]!.GetValue<long>()).ShouldBe(1);
        after["controlMap"]!["features"]!.ToJsonString().ShouldBe(before["controlMap"]!["features"]!.ToJsonString());
    }
}
