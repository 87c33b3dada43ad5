using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Casualties;

/// <summary>docs/api.md, totals: groups are sorted by killed.best (highest first), then by key, "none" among the others.</summary>
public sealed class groups_with_equal_killed(LedgerFixture ledger) : LedgerTest(ledger)
{
    [Theory]
    [InlineData("/api/casualties/totals?groupBy=category")]
    [InlineData("/api/casualties/totals?groupBy=category&from=2020-01-01")]
    public async Task are_ordered_by_key_ordinally_with_none_in_its_place(string url)
    {
        Ledger.Clock.Set(new DateTimeOffset(2020, 3, 5, 12, 0, 0, TimeSpan.Zero));
        await Host.ReportedAttackAsync(Given.Report(b => b["casualties"] = Given.Killed("unknown", null, 0, 0, 0)));
        await Host.ReportedAttackAsync(Given.Report(b => b["casualties"] = new JsonArray()));
        await Host.ReportedAttackAsync(Given.Report(b => b["casualties"] = Given.Killed("civilian", null, 2, 3, 4)));

        var groups = (await Host.GetJsonAsync(url))["groups"]!.AsArray();

        groups.Select(g => g!["key"]!.GetValue<string>()).ShouldBe(["civilian", "none", "unknown"], url);
    }
}
