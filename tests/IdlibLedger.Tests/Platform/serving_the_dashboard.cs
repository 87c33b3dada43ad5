using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

/// <summary>The page at / and its bundle as the service serves them (the browser tests drive the page itself).</summary>
public sealed partial class serving_the_dashboard(LedgerFixture ledger) : LedgerTest(ledger)
{
    [Fact]
    public async Task the_page_is_open_to_anyone_under_a_content_security_policy_and_its_bundles_are_cached_for_good_and_compressed()
    {
        using var anyone = Host.AnonymousClient();

        using var page = await anyone.GetAsync("/");
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        page.Headers.CacheControl!.NoCache.ShouldBeTrue();
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        policy.ShouldContain("script-src 'self'");
        policy.ShouldContain("connect-src 'self'");
        policy.ShouldContain("frame-ancestors 'none'");
        page.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");

        var script = Script().Match(await page.Content.ReadAsStringAsync()).Groups["path"].Value;
        script.ShouldStartWith("/assets/app-");
        using var request = new HttpRequestMessage(HttpMethod.Get, script);
        request.Headers.AcceptEncoding.ParseAdd("br");
        using var bundle = await anyone.SendAsync(request);
        bundle.StatusCode.ShouldBe(HttpStatusCode.OK);
        bundle.Headers.CacheControl!.ToString().ShouldContain("immutable");
        bundle.Content.Headers.ContentEncoding.ShouldBe(["br"]);
    }

    [Fact]
    public async Task a_tile_server_is_an_option_the_page_is_told_of_and_its_policy_allows()
    {
        using var anyone = Host.AnonymousClient();
        using var plain = JsonDocument.Parse(await anyone.GetStringAsync("/dashboard/settings.json"));
        plain.RootElement.TryGetProperty("tileUrl", out _).ShouldBeFalse("no tile server unless one is configured");

        await using var host = await Ledger.StartHostAsync("ledger_tiles", new Dictionary<string, string>
        {
            ["Ledger:SharedDataPath"] = "/nonexistent",
            ["Ledger:Dashboard:TileUrl"] = "https://tiles.example.org/{z}/{x}/{y}.png",
            ["Ledger:Dashboard:TileAttribution"] = "© Example tiles",
        });
        using var client = host.AnonymousClient();
        using var settings = JsonDocument.Parse(await client.GetStringAsync("/dashboard/settings.json"));
        settings.RootElement.GetProperty("tileUrl").GetString().ShouldBe("https://tiles.example.org/{z}/{x}/{y}.png");
        settings.RootElement.GetProperty("tileAttribution").GetString().ShouldBe("© Example tiles");
        using var page = await client.GetAsync("/");
        page.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("img-src 'self' data: blob: https://tiles.example.org;");
    }

    [GeneratedRegex("<script type=\"module\" src=\"(?<path>[^\"]+)\">")]
    private static partial Regex Script();
}
