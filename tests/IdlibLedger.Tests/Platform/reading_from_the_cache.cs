using System.Net;
using Alba;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

/// <summary>
/// Reads for "now" served from the output cache until the ledger moves: a hit carries <c>Age</c> (the output cache
/// adds it only to answers it replays). The time-to-live is long here, so what refreshes an answer is the version.
/// </summary>
[Collection(LedgerTestGroup.Name)]
public sealed class reading_from_the_cache(LedgerFixture ledger) : IAsyncLifetime
{
    private const string Schema = "ledger_cache";
    private const string Attacks = "/api/attacks?pageSize=5";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private IAlbaHost _host = null!;

    private static Dictionary<string, string> Settings(bool publicReads = false) => new()
    {
        ["Ledger:SharedDataPath"] = "/nonexistent",
        ["Ledger:PublicReads"] = publicReads ? "true" : "false",
        ["Ledger:ReadCache:Enabled"] = "true",
        ["Ledger:ReadCache:PollInterval"] = PollInterval.ToString(),
        ["Ledger:ReadCache:TimeToLive"] = "00:01:00",
    };

    public async Task InitializeAsync()
    {
        ledger.Clock.UseSystemTime();
        _host = await ledger.StartHostAsync(Schema, Settings());
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task a_repeated_read_is_served_from_the_cache_with_the_same_tag_and_body()
    {
        await _host.ReportedAttackAsync();
        await SettledAsync();
        using var client = _host.Client();

        using var first = await client.GetAsync(Attacks);
        using var second = await client.GetAsync(Attacks);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        first.Headers.Age.ShouldBeNull();
        second.Headers.Age.ShouldNotBeNull();
        second.Headers.ETag.ShouldBe(first.Headers.ETag);
        first.Headers.ETag!.IsWeak.ShouldBeTrue();
        first.Headers.CacheControl!.NoCache.ShouldBeTrue();
        (await second.Content.ReadAsStringAsync()).ShouldBe(await first.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task if_none_match_with_the_cached_tag_gets_304_without_a_body()
    {
        using var client = _host.Client();
        using var first = await client.GetAsync(Attacks);
        var tag = first.Headers.ETag.ShouldNotBeNull();

        using var request = new HttpRequestMessage(HttpMethod.Get, Attacks);
        request.Headers.IfNoneMatch.Add(tag);
        using var notModified = await client.SendAsync(request);

        notModified.StatusCode.ShouldBe(HttpStatusCode.NotModified);
        (await notModified.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task after_an_attack_is_reported_on_this_node_the_next_read_shows_it()
    {
        await SettledAsync();
        using var client = _host.Client();
        var before = await TotalAsync(client);
        using (var cached = await client.GetAsync(Attacks))
        {
            cached.Headers.Age.ShouldNotBeNull();
        }

        await _host.ReportedAttackAsync();

        using var after = await client.GetAsync(Attacks);
        after.Headers.Age.ShouldBeNull();
        (await after.JsonAsync())["totalItems"]!.GetValue<long>().ShouldBe(before + 1);
    }

    [Fact]
    public async Task after_another_node_writes_the_read_shows_it_within_the_poll_interval()
    {
        await using var other = await ledger.StartHostAsync(Schema, Settings());
        await SettledAsync();
        using var client = _host.Client();
        var before = await TotalAsync(client);
        using (var cached = await client.GetAsync(Attacks))
        {
            cached.Headers.Age.ShouldNotBeNull();
        }

        await other.ReportedAttackAsync();
        var written = DateTime.UtcNow;

        long now;
        do
        {
            await Task.Delay(PollInterval / 4);
            now = await TotalAsync(client);
        }
        while (now == before && DateTime.UtcNow - written < TimeSpan.FromSeconds(10));

        now.ShouldBe(before + 1);
        // The poll interval plus a read of the head; generous for a shared machine, far below the one-minute TTL.
        (DateTime.UtcNow - written).ShouldBeLessThan(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task a_read_with_as_of_is_not_cached()
    {
        using var client = _host.Client();
        var url = $"{Attacks}&at=2021-01-01&asOf=2100-01-01";

        using var first = await client.GetAsync(url);
        using var second = await client.GetAsync(url);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.Headers.Age.ShouldBeNull();
        // Tagged by its body's hash, as before the cache: the same answer, the same tag.
        second.Headers.ETag.ShouldBe(first.Headers.ETag);
    }

    [Fact]
    public async Task a_refusal_is_neither_cached_nor_tagged()
    {
        using var client = _host.Client();

        using var first = await client.GetAsync("/api/attacks?pageSize=0");
        using var second = await client.GetAsync("/api/attacks?pageSize=0");

        first.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        second.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        second.Headers.Age.ShouldBeNull();
        first.Headers.ETag.ShouldBeNull();
    }

    [Fact]
    public async Task with_public_reads_an_anonymous_caller_and_a_caller_with_a_key_never_share_an_entry()
    {
        await using var open = await ledger.StartHostAsync(Schema, Settings(publicReads: true));
        using var anonymous = open.AnonymousClient();
        using var viewer = open.ClientWithKey(await ViewerKeyAsync(open));
        await SettledAsync(open);

        using var anonymousFirst = await anonymous.GetAsync(Attacks);
        using var viewerFirst = await viewer.GetAsync(Attacks);
        using var anonymousAgain = await anonymous.GetAsync(Attacks);
        using var viewerAgain = await viewer.GetAsync(Attacks);

        anonymousFirst.StatusCode.ShouldBe(HttpStatusCode.OK);
        viewerFirst.StatusCode.ShouldBe(HttpStatusCode.OK);
        viewerFirst.Headers.Age.ShouldBeNull();
        viewerFirst.Headers.ETag.ShouldNotBe(anonymousFirst.Headers.ETag);
        anonymousAgain.Headers.ETag.ShouldBe(anonymousFirst.Headers.ETag);
        viewerAgain.Headers.ETag.ShouldBe(viewerFirst.Headers.ETag);
    }

    [Fact]
    public async Task without_public_reads_a_cached_answer_is_never_served_to_a_caller_without_credentials()
    {
        using var viewer = _host.Client("viewer-desk", Roles.Viewer);
        using (var cached = await viewer.GetAsync(Attacks))
        {
            cached.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var anonymous = _host.AnonymousClient();
        using var refused = await anonymous.GetAsync(Attacks);
        using var badKey = _host.ClientWithKey("not-a-key");
        using var refusedKey = await badKey.GetAsync(Attacks);

        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        refusedKey.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    /// <summary>CORS headers are added as each answer starts, after a hit's stored headers: one origin's never reach another.</summary>
    [Fact]
    public async Task one_origin_never_gets_the_cors_headers_of_another()
    {
        var settings = Settings();
        settings["Ledger:CorsOrigins:0"] = "https://one.example.org";
        settings["Ledger:CorsOrigins:1"] = "https://two.example.org";
        await using var cors = await ledger.StartHostAsync(Schema, settings);
        await SettledAsync(cors);
        using var client = cors.Client();

        async Task<(string? Allowed, bool Hit)> AskAsync(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Attacks);
            request.Headers.Add("Origin", origin);
            using var response = await client.SendAsync(request);
            return (response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null, response.Headers.Age is not null);
        }

        (await AskAsync("https://one.example.org")).Allowed.ShouldBe("https://one.example.org");
        (await AskAsync("https://two.example.org")).ShouldBe(("https://two.example.org", true));
        (await AskAsync("https://elsewhere.example.com")).ShouldBe((null, true));
    }

    /// <summary>
    /// Until this node has read the head past its own last write: a local write moves the version at once and the
    /// next head read moves it again (one more miss), which would race the tests' "served from the cache".
    /// </summary>
    private Task SettledAsync() => SettledAsync(_host);

    private async Task SettledAsync(IAlbaHost host)
    {
        var version = host.Services.GetRequiredService<ReadCacheVersion>();
        var head = (long)(await ledger.ScalarAsync($"select coalesce(max(seq_id), 0) from {Schema}.mt_events"))!;
        for (var waited = 0; version.Head != head && waited < 100; waited++)
        {
            await Task.Delay(PollInterval / 2);
        }

        version.Head.ShouldBe(head);
    }

    private static async Task<string> ViewerKeyAsync(IAlbaHost host)
    {
        using var admin = host.Client("ops", Roles.Admin);
        using var created = await admin.PostAsync("/api/keys", new StringContent("""{"client": "desk-cache", "roles": ["viewer"]}""", System.Text.Encoding.UTF8, "application/json"));
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        return (await created.JsonAsync())["key"]!.GetValue<string>();
    }

    private static async Task<long> TotalAsync(HttpClient client)
    {
        using var response = await client.GetAsync(Attacks);
        var json = await response.JsonAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, json.ToJsonString());
        return json["totalItems"]!.GetValue<long>();
    }
}
