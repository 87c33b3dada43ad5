using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Casualties;

/// <summary>
/// docs/domain.md: party names are compared one way everywhere, trimmed and without regard to case. The perpetrator
/// filter of the list and the totals, and the totals grouped by perpetrator, take "Syrian Arab Army" and
/// "syrian arab army " as one party, from the cells and from a scan alike; the group is named by the ordinal-first
/// of the spellings it counts.
/// </summary>
public sealed class perpetrators_in_two_spellings(LedgerFixture ledger) : LedgerTest(ledger)
{
    private async Task<Guid> ReportedAsync(string perpetrator, int killed)
    {
        Ledger.Clock.Set(new DateTimeOffset(2020, 3, 5, 12, 0, 0, TimeSpan.Zero));
        return await Host.ReportedAttackAsync(Given.Report(b =>
        {
            b["perpetrator"] = perpetrator;
            b["casualties"] = Given.Killed("civilian", null, killed, killed, killed);
        }));
    }

    private static Dictionary<string, int> Groups(JsonObject totals) =>
        totals["groups"]!.AsArray().ToDictionary(g => g!["key"]!.GetValue<string>(), g => g!["killed"]!["best"]!.GetValue<int>());

    [Theory]
    [InlineData("")]                               // from the cells
    [InlineData("&from=2020-01-01&to=2020-12-31")] // a scan of the versions
    public async Task are_one_group_and_one_filter(string scan)
    {
        await ReportedAsync("syrian arab army ", 2);
        await ReportedAsync("Syrian Arab Army", 3);
        await ReportedAsync("Hayat Tahrir al-Sham", 1);

        Groups(await Host.GetJsonAsync($"/api/casualties/totals?groupBy=perpetrator{scan}"))
            .ShouldBe(new Dictionary<string, int> { ["Syrian Arab Army"] = 5, ["Hayat Tahrir al-Sham"] = 1 });
        var filtered = await Host.GetJsonAsync($"/api/casualties/totals?perpetrator=SYRIAN%20ARAB%20ARMY{scan}");
        filtered["killed"]!["best"]!.GetValue<int>().ShouldBe(5);
        filtered["attacks"]!.GetValue<long>().ShouldBe(2);
        (await Host.GetJsonAsync($"/api/attacks?perpetrator=syrian%20arab%20army{scan}"))["totalItems"]!.GetValue<long>().ShouldBe(2);
    }

    [Theory]
    [InlineData("")]
    [InlineData("&from=2020-01-01&to=2020-12-31")]
    public async Task a_spelling_corrected_away_no_longer_names_the_group(string scan)
    {
        var first = await ReportedAsync("Syrian Arab Army", 3);
        await ReportedAsync("syrian arab army", 2);
        Ledger.Clock.Set(new DateTimeOffset(2020, 3, 6, 12, 0, 0, TimeSpan.Zero));

        await Host.CorrectedAsync(first, new JsonObject { ["expectedVersion"] = 1, ["reason"] = "one spelling", ["perpetrator"] = "syrian arab army" });

        Groups(await Host.GetJsonAsync($"/api/casualties/totals?groupBy=perpetrator{scan}"))
            .ShouldBe(new Dictionary<string, int> { ["syrian arab army"] = 5 });
        Groups(await Host.GetJsonAsync($"/api/casualties/totals?groupBy=perpetrator&asOf=2020-03-05T23:00:00Z{scan}"))
            .ShouldBe(new Dictionary<string, int> { ["Syrian Arab Army"] = 5 });
    }
}
