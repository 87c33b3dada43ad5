using System.Globalization;
using System.Text.Json;
using IdlibLedger.BrowserTests.Fixtures;
using IdlibLedger.Tests.Fixtures;
using Microsoft.Playwright;
using Shouldly;
using Xunit.Abstractions;

namespace IdlibLedger.BrowserTests;

/// <summary>
/// The dashboard in headless Chromium on the seed scenario (plus what each test posts over HTTP with a key): what it
/// draws, the two time axes, the address, live updates, the table, errors and small screens. Every test also fails on a
/// console error, a page error, a failed request or an unexpected status (<see cref="PageTest"/>).
/// </summary>
[Collection(PublicLedgerGroup.Name)]
public sealed class the_dashboard(PublicLedger ledger, Chromium chromium, ITestOutputHelper output)
    : PageTest(ledger, chromium, output), IClassFixture<Chromium>
{
    private const string Markers = "path.attack-marker";

    [Fact]
    public async Task draws_the_attack_markers_and_control_areas_and_the_table_lists_what_the_map_shows()
    {
        await OpenAsync("/?at=2020-02-26");
        await ReadyAsync();

        var asOf = await AsOfShownAsync();
        using var attacks = await ReadAsync($"api/attacks?at=2020-02-26&asOf={Uri.EscapeDataString(asOf)}&pageSize=500");
        var listed = attacks.RootElement.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetString()!).ToHashSet();
        listed.ShouldContain("0194a3f0-2020-7a26-8000-000000000013", "the seed scenario's report of 13 soldiers killed");

        var drawn = await MarkerIdsAsync();
        drawn.ShouldBe(listed, ignoreOrder: true);
        using var map = await ReadAsync($"api/control-map?at=2020-02-26&asOf={Uri.EscapeDataString(asOf)}");
        var areas = map.RootElement.GetProperty("features").EnumerateArray().Count(f => f.GetProperty("properties").GetProperty("kind").GetString() == "control-area");
        areas.ShouldBeGreaterThanOrEqualTo(2);
        (await Page.Locator("path.control-area").CountAsync()).ShouldBe(areas);
        (await Page.Locator("path.front-line").CountAsync()).ShouldBeGreaterThan(0);
        (await Page.Locator("path.region").CountAsync()).ShouldBe(45, "the OCHA units registered from the reference data");
        (await Page.Locator("path.post-marker").CountAsync()).ShouldBeGreaterThan(0);
        (await Page.Locator("#legend").InnerTextAsync()).ShouldContain("Syrian Arab Army");

        (await TableIdsAsync()).ShouldBe(drawn, ignoreOrder: true);
    }

    [Fact]
    public async Task moving_at_to_a_date_before_an_attack_removes_its_marker()
    {
        var id = await ReportAsync("2020-02-20", killed: 2, longitude: 36.52, latitude: 35.66);

        await OpenAsync("/?at=2020-02-26");
        await ReadyAsync();
        (await MarkerIdsAsync()).ShouldContain(id);

        await ChangeAsync("#at", "2020-02-19");
        Page.Url.ShouldContain("at=2020-02-19");
        (await MarkerIdsAsync()).ShouldNotContain(id);
        (await TableIdsAsync()).ShouldNotContain(id);
        (await MarkerIdsAsync()).ShouldContain("0194a3f0-2020-7a26-8000-000000000013", "the report of 3–11 February is still in view");

        await ChangeAsync("#at", "2020-02-20");
        (await MarkerIdsAsync()).ShouldContain(id);
    }

    [Fact]
    public async Task an_as_of_before_a_correction_shows_the_old_casualty_figures_in_the_popup_and_the_totals()
    {
        var id = await ReportAsync("2020-02-15", killed: 4, longitude: 36.40, latitude: 35.62);
        await Task.Delay(1_200);
        var between = DateTimeOffset.UtcNow;
        between = between.AddTicks(-(between.Ticks % TimeSpan.TicksPerSecond));
        await Task.Delay(1_200);
        await Ledger.PostJsonAsync($"/api/attacks/{id}/corrections", new
        {
            expectedVersion = 1,
            reason = "A second hospital's count (browser test)",
            casualties = new[] { new { category = "civilian", killed = 9 } },
        });

        await OpenAsync("/?at=2020-02-26");
        await ReadyAsync();
        (await PopupKilledAsync(id)).ShouldBe("9");
        var totalNow = await TotalKilledAsync();
        using var now = await ReadAsync($"api/casualties/totals?at=2020-02-26&asOf={Uri.EscapeDataString(await AsOfShownAsync())}");
        totalNow.ShouldBe(now.RootElement.GetProperty("killed").GetProperty("best").GetInt32());

        // The "as known on" control takes seconds, read as UTC.
        await ChangeAsync("#as-of", between.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        Page.Url.ShouldContain("asOf=" + between.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "Z");
        (await PopupKilledAsync(id)).ShouldBe("4");
        var totalBefore = await TotalKilledAsync();
        totalBefore.ShouldBe(totalNow - 5);
        using var then = await ReadAsync($"api/casualties/totals?at=2020-02-26&asOf={Uri.EscapeDataString(between.ToString("O", CultureInfo.InvariantCulture))}");
        totalBefore.ShouldBe(then.RootElement.GetProperty("killed").GetProperty("best").GetInt32());
        (await Page.Locator("#live").GetAttributeAsync("data-state")).ShouldBe("paused");

        await Page.ClickAsync("#as-of-now");
        await ReadyAsync();
        (await TotalKilledAsync()).ShouldBe(totalNow);
    }

    [Fact]
    public async Task an_address_with_at_and_as_of_reopens_the_same_view()
    {
        await OpenAsync("/");
        await ReadyAsync();
        await ChangeAsync("#at", "2020-02-27");
        // What the ledger knew a moment ago, to the second (the seed scenario was loaded before).
        var known = DateTimeOffset.Parse(await AsOfShownAsync(), CultureInfo.InvariantCulture).UtcDateTime;
        await ChangeAsync("#as-of", known.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        await ChangeAsync("#proposal", "0194a3f0-2020-7226-8000-0000000000b1", select: true);
        var address = Page.Url;
        var view = await ViewAsync();

        var second = await Context.NewPageAsync();
        await second.GotoAsync(address);
        await ReadyAsync(second);

        second.Url.ShouldBe(address);
        (await ViewAsync(second)).ShouldBe(view);
        (await second.Locator("path.proposal-area").CountAsync()).ShouldBeGreaterThan(0);
        await second.CloseAsync();
    }

    [Fact]
    public async Task an_attack_posted_over_http_appears_within_five_seconds_without_a_reload()
    {
        await OpenAsync("/?at=2020-02-26");
        await ReadyAsync();
        await Page.WaitForSelectorAsync("#live[data-state=connected]");
        await Page.EvaluateAsync("() => { window.notReloaded = true; }");

        var id = await ReportAsync("2020-02-22", killed: 7, longitude: 36.70, latitude: 35.80);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Page.WaitForSelectorAsync($"{Markers}[data-attack-id='{id}']", new PageWaitForSelectorOptions { Timeout = 5_000 });
        Output.WriteLine($"the new attack's marker appeared {clock.ElapsedMilliseconds} ms after the report was acknowledged");

        (await Page.EvaluateAsync<bool>("() => window.notReloaded === true")).ShouldBeTrue("the page was not reloaded");
        await Page.WaitForSelectorAsync($"#attack-table tr[data-attack-id='{id}']", new PageWaitForSelectorOptions { Timeout = 1_000 });
    }

    [Fact]
    public async Task what_changed_rings_the_attacks_reported_corrected_or_retracted_since_an_earlier_as_of()
    {
        var corrected = await ReportAsync("2020-02-16", killed: 1, longitude: 36.30, latitude: 35.75);
        var retracted = await ReportAsync("2020-02-17", killed: 1, longitude: 36.35, latitude: 35.55);
        await Task.Delay(1_200);
        var since = DateTimeOffset.UtcNow;
        await Task.Delay(200);
        var reported = await ReportAsync("2020-02-18", killed: 3, longitude: 36.60, latitude: 35.50);
        await Ledger.PostJsonAsync($"/api/attacks/{corrected}/corrections", new { expectedVersion = 1, reason = "recount (browser test)", casualties = new[] { new { category = "civilian", killed = 2 } } });
        await Ledger.PostJsonAsync($"/api/attacks/{retracted}/retraction", new { expectedVersion = 1, reason = "duplicate (browser test)" });

        await OpenAsync($"/?at=2020-02-26&since={Uri.EscapeDataString(since.ToString("O", CultureInfo.InvariantCulture))}");
        await ReadyAsync();

        (await Page.Locator("#compare").IsCheckedAsync()).ShouldBeTrue();
        (await Page.Locator($"path.changed-reported[data-attack-id='{reported}']").CountAsync()).ShouldBe(1);
        (await Page.Locator($"path.changed-corrected[data-attack-id='{corrected}']").CountAsync()).ShouldBe(1);
        (await Page.Locator($"path.retracted-marker[data-attack-id='{retracted}']").CountAsync()).ShouldBe(1);
        (await TableIdsAsync()).ShouldNotContain(retracted);
        var changes = await Page.Locator("#changes-list li").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.change + ' ' + i.dataset.attackId)");
        changes.ShouldBe([$"reported {reported}", $"corrected {corrected}", $"retracted {retracted}"], ignoreOrder: true);
    }

    [Fact]
    public async Task a_ceasefire_and_its_corridor_are_drawn_with_the_ceasefire_status_and_its_violations()
    {
        var ceasefire = Guid.CreateVersion7();
        await Ledger.PostJsonAsync("/api/ceasefires", new
        {
            id = ceasefire,
            declaredBy = "Browser test mediators",
            parties = new[] { "Syrian Arab Army", "Syrian opposition" },
            effectiveFrom = "2020-03-06",
            area = new { type = "Polygon", coordinates = new[] { new[] { new[] { 36.2, 35.5 }, new[] { 36.9, 35.5 }, new[] { 36.9, 36.0 }, new[] { 36.2, 36.0 }, new[] { 36.2, 35.5 } } } },
            terms = "All military actions cease (browser test).",
        });
        await Ledger.PostJsonAsync("/api/corridors", new
        {
            id = Guid.CreateVersion7(),
            name = "Browser test corridor",
            route = new { type = "LineString", coordinates = new[] { new[] { 36.8, 35.86 }, new[] { 36.45, 35.8 } } },
            opensAt = "2020-03-07",
        });
        // A violation: the government shells inside the area after the ceasefire took effect.
        await ReportAsync("2020-03-08", killed: 1, longitude: 36.5, latitude: 35.7);

        await OpenAsync("/?at=2020-03-10");
        await ReadyAsync();

        (await Page.Locator("path.ceasefire-area").CountAsync()).ShouldBe(1);
        (await Page.Locator("path.corridor-line").CountAsync()).ShouldBe(1);
        var card = await Page.Locator($"li[data-ceasefire-id='{ceasefire}']").InnerTextAsync();
        card.ShouldContain("Browser test mediators");
        card.ShouldContain("1 violation");

        await ChangeAsync("#at", "2020-03-05");
        (await Page.Locator("path.ceasefire-area").CountAsync()).ShouldBe(0, "declared, but not in effect on 5 March");
        (await Page.Locator($"li[data-ceasefire-id='{ceasefire}']").InnerTextAsync()).ShouldContain("declared");
    }

    [Fact]
    public async Task an_api_that_cannot_be_reached_is_said_with_a_way_to_try_again_and_the_map_keeps_what_it_drew()
    {
        await OpenAsync("/?at=2020-02-26");
        await ReadyAsync();
        var drawn = await MarkerIdsAsync();

        // The API goes away (as a network does): every call to it fails.
        await Page.RouteAsync("**/api/**", route => route.AbortAsync("aborted"));
        await Page.FillAsync("#at", "2020-02-20");
        await Page.DispatchEventAsync("#at", "change");
        await Page.WaitForFunctionAsync("() => document.body.dataset.state === 'error'");

        (await Page.Locator("#error").InnerTextAsync()).ShouldContain("cannot be reached");
        (await Page.Locator("#retry").IsVisibleAsync()).ShouldBeTrue();
        (await MarkerIdsAsync()).ShouldBe(drawn, ignoreOrder: true);

        await Page.UnrouteAllAsync(new PageUnrouteAllOptions { Behavior = UnrouteBehavior.IgnoreErrors });
        await Page.ClickAsync("#retry");
        await ReadyAsync();
        (await Page.Locator("#error").IsVisibleAsync()).ShouldBeFalse();
    }

    [Fact]
    public async Task a_malformed_at_in_the_address_is_named_with_a_way_back_to_now_and_the_map_is_still_drawn()
    {
        await OpenAsync("/?at=yesterday");
        await ReadyAsync();

        var alert = Page.Locator("#error");
        (await alert.IsVisibleAsync()).ShouldBeTrue();
        (await alert.InnerTextAsync()).ShouldContain("at=yesterday");
        (await Page.Locator("path.control-area").CountAsync()).ShouldBeGreaterThan(0);
        (await Page.Locator(Markers).CountAsync()).ShouldBeGreaterThan(0);

        await Page.ClickAsync("#back-to-now");
        await ReadyAsync();
        (await alert.IsVisibleAsync()).ShouldBeFalse();
        new Uri(Page.Url).Query.ShouldBeEmpty();
    }

    [Fact]
    public async Task the_controls_work_from_the_keyboard_with_a_visible_focus()
    {
        await OpenAsync("/?at=2020-02-26");
        await ReadyAsync();

        await Page.Keyboard.PressAsync("Tab");
        (await Page.EvaluateAsync<string>("() => document.activeElement.className")).ShouldBe("skip");
        (await Page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle")).ShouldNotBe("none");

        await Page.FocusAsync("#at-range");
        foreach (var _ in Enumerable.Range(0, 3))
        {
            await Page.Keyboard.PressAsync("ArrowLeft");
        }

        await Page.WaitForURLAsync("**at=2020-02-23**");
        await ReadyAsync();
        (await Page.InputValueAsync("#at")).ShouldBe("2020-02-23");

        // A table header sorts, from the keyboard too.
        await Page.FocusAsync("#attack-table th button[data-sort=killed]");
        await Page.Keyboard.PressAsync("Enter");
        await Page.WaitForURLAsync("**sort=killed**");
        (await Page.Locator("#attack-table th[aria-sort=descending]").InnerTextAsync()).ShouldContain("Killed");
        (await Page.EvaluateAsync<string>("() => document.activeElement.dataset.sort")).ShouldBe("killed", "the focus stays on the header used");
        var killed = await Page.Locator("#attack-table tbody td[data-field=killed]").EvaluateAllAsync<int[]>("cells => cells.map(c => parseInt(c.textContent))");
        killed.ShouldBe([.. killed.OrderByDescending(k => k)]);
    }

    [Fact]
    public async Task on_a_phone_sized_screen_the_map_the_panels_and_the_table_fit_the_width()
    {
        await Page.SetViewportSizeAsync(390, 844);
        await OpenAsync("/?at=2020-02-26");
        await ReadyAsync();

        (await Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth")).ShouldBeTrue("nothing scrolls sideways");
        (await Page.Locator("#map").BoundingBoxAsync())!.Width.ShouldBeGreaterThan(300);
        (await Page.Locator(Markers).CountAsync()).ShouldBeGreaterThan(0);
        (await Page.Locator("#totals").IsVisibleAsync()).ShouldBeTrue();
    }

    [Fact]
    public async Task the_page_passes_axe_checks_of_wcag_2_aa_including_colour_contrast()
    {
        var axe = Path.Combine(ServiceProcess.Root, "src", "IdlibLedger.Dashboard", "node_modules", "axe-core", "axe.min.js");
        File.Exists(axe).ShouldBeTrue($"{axe} is installed by npm ci in src/IdlibLedger.Dashboard (deploy/local/test.sh)");
        await OpenAsync("/?at=2020-02-26&proposal=0194a3f0-2020-7226-8000-0000000000b1");
        await ReadyAsync();

        // The page's policy allows only its own scripts; axe is evaluated as the test's, not added to the page.
        await Page.EvaluateAsync(await File.ReadAllTextAsync(axe));
        var violations = await Page.EvaluateAsync<JsonElement>(
            "async () => (await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })).violations" +
            ".map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary) }))");
        violations.GetArrayLength().ShouldBe(0, violations.ToString());
    }

    /// <summary>Sets a control's value the way a user does (the change event follows) and waits for the view to reload.</summary>
    private async Task ChangeAsync(string selector, string value, bool select = false)
    {
        if (select)
        {
            await Page.SelectOptionAsync(selector, value);
        }
        else
        {
            await Page.FillAsync(selector, value);
            await Page.DispatchEventAsync(selector, "change");
        }

        await ReadyAsync();
    }

    private async Task<string> AsOfShownAsync() => await Page.EvaluateAsync<string>("() => document.body.dataset.asOf");

    private async Task<string[]> MarkerIdsAsync() =>
        await Page.Locator(Markers).EvaluateAllAsync<string[]>("paths => paths.map(p => p.getAttribute('data-attack-id'))");

    /// <summary>Every attack the table lists, through all its pages.</summary>
    private async Task<List<string>> TableIdsAsync()
    {
        var ids = new List<string>();
        while (true)
        {
            ids.AddRange(await Page.Locator("#attack-table tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.attackId)"));
            var next = Page.Locator("#pager button:has-text('Next')");
            if (await next.CountAsync() == 0 || await next.IsDisabledAsync())
            {
                return ids;
            }

            await next.ClickAsync();
        }
    }

    private async Task<string> PopupKilledAsync(string id)
    {
        await Page.Locator($"{Markers}[data-attack-id='{id}']").ClickAsync();
        var killed = Page.Locator($".attack-popup[data-attack-id='{id}'] td[data-field=killed]");
        await killed.WaitForAsync();
        var text = await killed.InnerTextAsync();
        await Page.Keyboard.PressAsync("Escape");
        return text;
    }

    private async Task<int> TotalKilledAsync() => int.Parse(await Page.InnerTextAsync("#totals-killed-best"), CultureInfo.InvariantCulture);

    private async Task<string> ViewAsync(IPage? page = null)
    {
        page ??= Page;
        return await page.EvaluateAsync<string>(
            "() => JSON.stringify({ at: document.getElementById('at').value, asOf: document.getElementById('as-of').value, " +
            "proposal: document.getElementById('proposal').value, status: document.getElementById('status').textContent, " +
            "killed: document.getElementById('totals-killed-best').textContent, " +
            "markers: [...document.querySelectorAll('path.attack-marker')].map(p => p.getAttribute('data-attack-id')).sort(), " +
            "areas: document.querySelectorAll('path.control-area').length })");
    }

    private async Task<JsonDocument> ReadAsync(string path)
    {
        using var client = Ledger.KeyClient();
        return JsonDocument.Parse(await client.GetStringAsync(path));
    }

    /// <summary>Reports an attack by the test's key (a civilian toll, one outlet) and returns its id.</summary>
    private async Task<string> ReportAsync(string day, int killed, double longitude, double latitude)
    {
        var id = Guid.CreateVersion7();
        await Ledger.PostJsonAsync("/api/attacks", new
        {
            id,
            perpetrator = "Syrian Arab Army",
            targets = new[] { "Syrian opposition" },
            eventType = "explosions-remote-violence",
            subEventType = "shelling-artillery-missile-attack",
            location = new { type = "Point", coordinates = new[] { longitude, latitude } },
            locationPrecision = "exact",
            occurredAt = day,
            datePrecision = "day",
            description = $"Shelling reported by the browser test ({day})",
            sources = new[] { new { outlet = "Browser test desk", publishedAt = "2020-02-27" } },
            casualties = new[] { new { category = "civilian", killed } },
            reportedBy = "browser-desk",
        });
        return id.ToString();
    }
}
