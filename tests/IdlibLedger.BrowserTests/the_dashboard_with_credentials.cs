using IdlibLedger.BrowserTests.Fixtures;
using Microsoft.Playwright;
using Shouldly;
using Xunit.Abstractions;

namespace IdlibLedger.BrowserTests;

/// <summary>
/// The dashboard on a ledger whose reads need credentials, holding the seed scenario only (no test posts to it): the
/// page asks for a key and keeps it for the tab; and the picture of the seed scenario that docs/dashboard.md shows.
/// </summary>
[Collection(PrivateLedgerGroup.Name)]
public sealed class the_dashboard_with_credentials(PrivateLedger ledger, Chromium chromium, ITestOutputHelper output)
    : PageTest(ledger, chromium, output), IClassFixture<Chromium>
{
    private const string RussianProposal = "0194a3f0-2020-7226-8000-0000000000b1";

    [Fact]
    public async Task asks_for_a_key_keeps_it_for_the_tab_and_asks_again_for_a_refused_one()
    {
        // Its first read answers 401: that is how the page learns to ask.
        ExpectResponse(401, "/api/");
        await OpenAsync("/?at=2020-02-26");

        var dialog = Page.Locator("#key-dialog");
        await dialog.WaitForAsync();
        (await Page.Locator("path.attack-marker").CountAsync()).ShouldBe(0);

        await Page.FillAsync("#key-input", "ilk_not-a-key");
        await Page.ClickAsync("#key-submit");
        await Page.WaitForFunctionAsync("() => document.getElementById('key-error').textContent.length > 0");
        (await dialog.IsVisibleAsync()).ShouldBeTrue();

        await Page.FillAsync("#key-input", Ledger.ApiKey);
        await Page.ClickAsync("#key-submit");
        await ReadyAsync();
        (await dialog.IsVisibleAsync()).ShouldBeFalse();
        (await Page.Locator("path.attack-marker").CountAsync()).ShouldBeGreaterThan(0);
        (await Page.EvaluateAsync<string>("() => sessionStorage.getItem('idlib-ledger.credential')")).ShouldBe(Ledger.ApiKey);
        (await Page.EvaluateAsync<int>("() => localStorage.length")).ShouldBe(0, "nothing outlives the tab");

        await Page.ReloadAsync();
        await ReadyAsync();
        (await Page.Locator("path.attack-marker").CountAsync()).ShouldBeGreaterThan(0);
        await Page.WaitForSelectorAsync("#live[data-state=connected]");
    }

    [Fact]
    public async Task the_seed_scenario_on_26_february_2020_with_the_rejected_russian_proposal_overlaid()
    {
        ExpectResponse(401, "/api/");
        await OpenAsync($"/?at=2020-02-26&proposal={RussianProposal}");
        await Page.FillAsync("#key-input", Ledger.ApiKey);
        await Page.ClickAsync("#key-submit");
        await ReadyAsync();

        (await Page.Locator("path.proposal-area").CountAsync()).ShouldBeGreaterThan(0);
        (await Page.InputValueAsync("#proposal")).ShouldBe(RussianProposal);
        var card = Page.Locator($"li[data-proposal-id='{RussianProposal}']");
        (await card.InnerTextAsync()).ShouldContain("rejected");
        (await card.InnerTextAsync()).ShouldContain("Syrian Arab Army 60.0%");
        (await Page.Locator("#figures-list").InnerTextAsync()).ShouldContain("1,700");
        (await Page.Locator("path.attack-marker").CountAsync()).ShouldBe(2, "the seed scenario's two reports of February 2020");
        (await Page.Locator("path.post-marker").CountAsync()).ShouldBe(8, "the eight observation posts of the seed scenario");

        // The picture in docs/dashboard.md: copied from here by hand when the page changes.
        var file = ScreenshotFile("dashboard-2020-02-26");
        // The proposal's card in view in the panels' column, the page at its top, no tooltip under the pointer.
        await card.ScrollIntoViewIfNeededAsync();
        await Page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Page.Mouse.MoveAsync(640, 5);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = file });
        Output.WriteLine($"the seed scenario's map: {file}");
    }
}
