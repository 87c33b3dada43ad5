using System.Net;
using System.Text;
using IdlibLedger.Access;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Security;

/// <summary>Settings that change who gets in and how often: each test starts a service of its own with them.</summary>
public sealed class rate_limits_and_public_reads(LedgerFixture ledger) : LedgerTest(ledger)
{
    [Fact]
    public async Task past_the_write_limit_a_client_gets_429_with_retry_after_and_normal_answers_after_it()
    {
        await using var host = await Ledger.StartHostAsync("ledger_limits", new Dictionary<string, string>
        {
            ["Ledger:SharedDataPath"] = "/nonexistent",
            ["Ledger:RateLimits:Writes:TokenLimit"] = "3",
            ["Ledger:RateLimits:Writes:TokensPerPeriod"] = "3",
            ["Ledger:RateLimits:Writes:PeriodSeconds"] = "2",
        });
        using var desk = host.Client("desk-flood", Roles.Reporter);
        using var other = host.Client("desk-calm", Roles.Reporter);
        Task<HttpResponseMessage> Report(HttpClient client) =>
            client.PostAsync("/api/attacks", new StringContent(Given.TaftanazReport, Encoding.UTF8, "application/json"));

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 6 && limited is null; i++)
        {
            var response = await Report(desk);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        limited.ShouldNotBeNull(string.Join(", ", statuses));
        using (limited)
        {
            statuses.Count(s => s == HttpStatusCode.Created).ShouldBeGreaterThanOrEqualTo(3);
            limited.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
            retryAfter.ShouldBeInRange(1, 2);

            // Another client has a bucket of its own.
            using var calm = await Report(other);
            calm.StatusCode.ShouldBe(HttpStatusCode.Created);

            await Task.Delay(TimeSpan.FromSeconds(retryAfter + 0.2));
            using var after = await Report(desk);
            after.StatusCode.ShouldBe(HttpStatusCode.Created);
        }
    }

    [Fact]
    public async Task a_second_import_while_one_runs_is_429_with_retry_after_not_a_500()
    {
        // The first import's body arrives slowly, so that it holds the ledger's one import slot while the second is sent.
        var header = "id,relid,year,active_year,code_status,type_of_violence\n";
        var rest = new TaskCompletionSource();
        using var client = Host.Client();
        using var slow = new SlowContent(header, rest.Task);
        slow.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        var first = client.PostAsync("/api/imports/ucdp-ged", slow);
        await Task.Delay(300);

        using var second = await client.PostAsync("/api/imports/ucdp-ged", new StringContent(header, Encoding.UTF8, "text/csv"));
        rest.SetResult();
        using var firstAnswer = await first;

        second.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        second.Headers.Contains("Retry-After").ShouldBeTrue();
        (await second.JsonAsync())["detail"]!.GetValue<string>().ShouldContain("Another import is running");
        ((int)firstAnswer.StatusCode).ShouldBeLessThan(500);
    }

    /// <summary>A text/csv body whose second half is written only when <paramref name="release"/> completes.</summary>
    private sealed class SlowContent(string text, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            await stream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await stream.FlushAsync();
            await release;
            await stream.WriteAsync(bytes.AsMemory(bytes.Length / 2));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }

    [Fact]
    public async Task with_public_reads_anyone_reads_the_read_models_but_not_the_audit_trail_and_never_writes()
    {
        await using var host = await Ledger.StartHostAsync("ledger_public", new Dictionary<string, string>
        {
            ["Ledger:SharedDataPath"] = "/nonexistent",
            ["Ledger:PublicReads"] = "true",
        });
        using var anyone = host.AnonymousClient();

        (await anyone.GetAsync("/api/attacks")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await anyone.GetAsync("/api/casualties/totals")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await anyone.GetAsync("/api/audit/verify")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anyone.PostAsync("/api/attacks", new StringContent(Given.TaftanazReport, Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        // Bad credentials are refused even where none are needed: a client should learn that its key is wrong.
        using var wrongKey = host.ClientWithKey("ilk_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        (await wrongKey.GetAsync("/api/attacks")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task without_public_reads_a_read_needs_credentials()
    {
        using var anyone = Host.AnonymousClient();
        using var response = await anyone.GetAsync("/api/casualties/totals");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task dashboards_on_a_configured_origin_may_call_the_api_and_others_may_not()
    {
        await using var host = await Ledger.StartHostAsync("ledger_cors", new Dictionary<string, string>
        {
            ["Ledger:SharedDataPath"] = "/nonexistent",
            ["Ledger:CorsOrigins:0"] = "https://dashboard.example.org",
        });
        using var client = host.Client();

        async Task<string?> AllowedOriginAsync(string origin)
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/attacks");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "x-api-key,content-type,idempotency-key");
            using var response = await client.SendAsync(preflight);
            return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
        }

        (await AllowedOriginAsync("https://dashboard.example.org")).ShouldBe("https://dashboard.example.org");
        (await AllowedOriginAsync("https://elsewhere.example.com")).ShouldBeNull();
    }
}
