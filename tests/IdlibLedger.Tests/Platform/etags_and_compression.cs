using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IdlibLedger.Infrastructure;
using IdlibLedger.Tests.Fixtures;
using Microsoft.AspNetCore.Http;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

/// <summary>Reads that suit a page: weak ETags answered with 304, and Brotli or gzip, but not on streams.</summary>
public sealed class etags_and_compression(LedgerFixture ledger) : LedgerTest(ledger)
{
    /// <summary>At fixed instants: an answer for "now" names the instant it describes, so it differs every time.</summary>
    private const string Totals = "/api/casualties/totals?groupBy=perpetrator&at=2021-01-01&asOf=2100-01-01";

    [Fact]
    public async Task a_read_twice_has_the_same_weak_etag_and_if_none_match_gets_304_without_a_body()
    {
        await Host.ReportedAttackAsync();
        using var client = Host.Client();

        using var first = await client.GetAsync(Totals);
        using var second = await client.GetAsync(Totals);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        var tag = first.Headers.ETag.ShouldNotBeNull();
        tag.IsWeak.ShouldBeTrue();
        second.Headers.ETag.ShouldBe(tag);
        first.Headers.CacheControl!.NoCache.ShouldBeTrue();
        first.Headers.Vary.ShouldContain("Authorization");
        first.Headers.Vary.ShouldContain("X-Api-Key");

        using var request = new HttpRequestMessage(HttpMethod.Get, Totals);
        request.Headers.IfNoneMatch.Add(tag);
        using var notModified = await client.SendAsync(request);
        notModified.StatusCode.ShouldBe(HttpStatusCode.NotModified);
        (await notModified.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
        notModified.Headers.ETag.ShouldBe(tag);
    }

    [Fact]
    public async Task after_a_new_attack_the_totals_have_another_etag_and_the_old_one_gets_the_whole_answer()
    {
        await Host.ReportedAttackAsync();
        using var client = Host.Client();
        using var before = await client.GetAsync(Totals);
        var old = before.Headers.ETag!;

        await Host.ReportedAttackAsync(Given.Report(r => r["occurredAt"] = "2020-02-11"));
        using var request = new HttpRequestMessage(HttpMethod.Get, Totals);
        request.Headers.IfNoneMatch.Add(old);
        using var after = await client.SendAsync(request);

        after.StatusCode.ShouldBe(HttpStatusCode.OK);
        after.Headers.ETag.ShouldNotBe(old);
        (await after.JsonAsync()).ToJsonString().ShouldNotBe((await before.JsonAsync()).ToJsonString());
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task a_client_that_accepts_brotli_or_gzip_gets_it_and_it_decodes_to_the_same_json_with_the_same_etag(string encoding)
    {
        await Host.ReportedAttackAsync();
        using var client = Host.Client();
        using var plain = await client.GetAsync(Totals);
        using var request = new HttpRequestMessage(HttpMethod.Get, Totals);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));

        using var compressed = await client.SendAsync(request);

        compressed.Content.Headers.ContentEncoding.ShouldBe([encoding]);
        compressed.Headers.ETag.ShouldBe(plain.Headers.ETag);
        await using var body = await compressed.Content.ReadAsStreamAsync();
        await using Stream decoded = encoding == "br" ? new BrotliStream(body, CompressionMode.Decompress) : new GZipStream(body, CompressionMode.Decompress);
        using var text = new StreamReader(decoded, Encoding.UTF8);
        JsonNode.Parse(await text.ReadToEndAsync())!.ToJsonString().ShouldBe((await plain.JsonAsync()).ToJsonString());
    }

    [Fact]
    public async Task the_live_stream_is_neither_compressed_nor_tagged()
    {
        using var client = Host.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/live?seconds=1");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));

        using var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentEncoding.ShouldBeEmpty();
        response.Headers.ETag.ShouldBeNull();
        (await response.Content.ReadAsStringAsync()).ShouldStartWith("retry: 3000\n\n");
    }

    [Fact]
    public async Task an_export_is_streamed_not_held_for_a_tag()
    {
        await Host.ReportedAttackAsync();
        using var client = Host.Client();

        using var response = await client.GetAsync("/api/exports/attacks.csv", HttpCompletionOption.ResponseHeadersRead);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.ETag.ShouldBeNull();
        response.Content.Headers.ContentLength.ShouldBeNull();
    }

    [Fact]
    public async Task a_refusal_is_not_tagged()
    {
        using var client = Host.Client();
        using var response = await client.GetAsync("/api/casualties/totals?at=yesterday");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Headers.ETag.ShouldBeNull();
    }

    [Fact]
    public async Task an_answer_over_the_bound_passes_through_whole_without_a_tag()
    {
        var large = new byte[ETags.MaxBytes + 10];
        Random.Shared.NextBytes(large);
        var (context, sent) = Context();

        await new ETags(async http => { await http.Response.Body.WriteAsync(large.AsMemory(0, 100)); await http.Response.Body.WriteAsync(large.AsMemory(100)); }).InvokeAsync(context);

        sent.ToArray().ShouldBe(large);
        context.Response.Headers.ETag.ToString().ShouldBeEmpty();
    }

    [Fact]
    public async Task a_small_answer_is_tagged_with_its_hash_and_its_length_is_set()
    {
        var (context, sent) = Context();

        await new ETags(http => http.Response.WriteAsync("{\"a\":1}")).InvokeAsync(context);

        Encoding.UTF8.GetString(sent.ToArray()).ShouldBe("{\"a\":1}");
        context.Response.Headers.ETag.ToString().ShouldMatch("^W/\"[A-Za-z0-9_-]{22}\"$");
        context.Response.ContentLength.ShouldBe(7);
    }

    [Theory]
    [InlineData("W/\"abc\"", true)]
    [InlineData("\"abc\"", true)]
    [InlineData("\"x\", W/\"abc\"", true)]
    [InlineData("*", true)]
    [InlineData("W/\"abd\"", false)]
    [InlineData("", false)]
    public void if_none_match_compares_weakly(string header, bool matches) =>
        ETags.Matches(header, "W/\"abc\"").ShouldBe(matches);

    private static (DefaultHttpContext Context, MemoryStream Sent) Context()
    {
        var sent = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/api/attacks";
        context.Response.Body = sent;
        return (context, sent);
    }
}
