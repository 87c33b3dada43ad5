using System.Net;
using System.Text.Json;
using IdlibLedger.BrowserTests.Fixtures;
using Microsoft.Playwright;
using Shouldly;
using Xunit.Abstractions;

namespace IdlibLedger.BrowserTests;

/// <summary>The page, its bundle and its neighbours as the service serves them, on the ledger a newcomer gets.</summary>
[Collection(PublicLedgerGroup.Name)]
public sealed class serving_the_page(PublicLedger ledger, Chromium chromium, ITestOutputHelper output)
    : PageTest(ledger, chromium, output), IClassFixture<Chromium>
{
    [Fact]
    public async Task the_page_opens_with_its_script_and_stylesheet_under_a_content_security_policy()
    {
        var assets = new List<IResponse>();
        Page.Response += (_, response) =>
        {
            if (new Uri(response.Url).AbsolutePath.StartsWith("/assets/", StringComparison.Ordinal))
            {
                lock (assets)
                {
                    assets.Add(response);
                }
            }
        };

        var page = await OpenAsync("/");

        page.Status.ShouldBe(200);
        (await page.HeaderValueAsync("content-type")).ShouldStartWith("text/html");
        (await page.HeaderValueAsync("content-security-policy")).ShouldNotBeNullOrWhiteSpace();
        (await Page.TitleAsync()).ShouldContain("IdlibLedger");
        lock (assets)
        {
            assets.ShouldContain(response => response.Url.EndsWith(".js", StringComparison.Ordinal) && response.Status == 200);
            assets.ShouldContain(response => response.Url.EndsWith(".css", StringComparison.Ordinal) && response.Status == 200);
        }
    }

    [Fact]
    public async Task the_api_reference_settings_and_reads_answer_without_credentials()
    {
        using var anonymous = new HttpClient { BaseAddress = Ledger.BaseAddress };

        (await anonymous.GetAsync("scalar")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var settings = await anonymous.GetAsync("dashboard/settings.json");
        settings.StatusCode.ShouldBe(HttpStatusCode.OK);
        settings.Content.Headers.ContentType?.MediaType.ShouldBe("application/json");
        // The fixture's ledger: public reads, the seed scenario's attacks.
        using var attacks = JsonDocument.Parse(await anonymous.GetStringAsync("api/attacks"));
        attacks.RootElement.GetProperty("totalItems").GetInt32().ShouldBeGreaterThan(0);
    }
}

/// <summary>The page on a ledger whose reads need credentials: it is served to anyone, the data is not.</summary>
[Collection(PrivateLedgerGroup.Name)]
public sealed class serving_the_page_when_reads_need_credentials(PrivateLedger ledger, Chromium chromium, ITestOutputHelper output)
    : PageTest(ledger, chromium, output), IClassFixture<Chromium>
{
    [Fact]
    public async Task the_page_and_its_settings_open_without_credentials_but_the_reads_do_not()
    {
        // The page may try a read before it has a key: that 401 is how it learns to ask for one.
        ExpectResponse(401, "/api/");

        var page = await OpenAsync("/");

        page.Status.ShouldBe(200);
        (await Page.TitleAsync()).ShouldContain("IdlibLedger");
        using var anonymous = new HttpClient { BaseAddress = Ledger.BaseAddress };
        (await anonymous.GetAsync("dashboard/settings.json")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await anonymous.GetAsync("api/attacks")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var keyed = Ledger.KeyClient();
        (await keyed.GetAsync("api/attacks")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
