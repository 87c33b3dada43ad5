using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Access;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Live;

/// <summary>GET /api/live: Server-Sent Events of what the ledger appends, read as a browser's EventSource would.</summary>
public sealed class following_the_ledger_live(LedgerFixture ledger) : LedgerTest(ledger)
{
    private const string OwnSchema = "ledger_live";

    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    /// <summary>
    /// An attack reported before listening. The reset deletes events, which leaves a hole in the sequence before the
    /// next one; the feed waits <see cref="IdlibLedger.Live.LiveFeed.HoleWait"/> for a hole to fill, which would eat
    /// into the tests' 5 seconds. A ledger never deletes events, so only a rolled-back append leaves such a hole.
    /// </summary>
    private Task<Guid> ReportedSinceResetAsync() => Host.ReportedAttackAsync();

    /// <summary>A service of its own (other settings), on a schema of its own without reference regions.</summary>
    private Task<Alba.IAlbaHost> OwnHostAsync(Dictionary<string, string> settings)
    {
        settings["Ledger:SharedDataPath"] = "/nonexistent";
        return Ledger.StartHostAsync(OwnSchema, settings);
    }

    [Fact]
    public async Task a_listener_gets_ready_then_an_appended_message_for_a_new_attack_within_seconds()
    {
        await ReportedSinceResetAsync();
        using var client = Host.Client("live-viewer", Roles.Viewer);
        await using var live = await LiveListener.OpenAsync(client, "/api/live");
        live.Response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        live.Response.Content.Headers.ContentEncoding.ShouldBeEmpty();

        var ready = await live.NextAsync(Soon);
        live.Retry.ShouldBe("3000");
        ready.Event.ShouldBe("ready");
        var head = ready.Data!["sequence"]!.GetValue<long>();
        head.ShouldBe((long)(await Ledger.ScalarAsync($"select coalesce(max(seq_id), 0) from {LedgerFixture.Schema}.mt_events"))!);

        var attack = await Host.ReportedAttackAsync();

        var appended = await live.NextAsync(Soon, m => m.Event == "appended");
        appended.Data!["type"]!.GetValue<string>().ShouldBe("attack_reported");
        appended.Data["streamId"]!.GetValue<Guid>().ShouldBe(attack);
        appended.Data["sequence"]!.GetValue<long>().ShouldBeGreaterThan(head);
        appended.Id.ShouldBe(appended.Data["sequence"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture));
        DateTimeOffset.Parse(appended.Data["recordedAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBe(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task a_client_that_reconnects_with_last_event_id_gets_what_it_missed_and_nothing_twice()
    {
        await ReportedSinceResetAsync();
        using var client = Host.Client("live-viewer", Roles.Viewer);
        long seen;
        await using (var first = await LiveListener.OpenAsync(client, "/api/live"))
        {
            seen = (await first.NextAsync(Soon)).Data!["sequence"]!.GetValue<long>();
        }

        var missed = new[] { await Host.ReportedAttackAsync(), await Host.ReportedAttackAsync() };

        await using var again = await LiveListener.OpenAsync(client, "/api/live", lastEventId: seen.ToString(System.Globalization.CultureInfo.InvariantCulture));
        (await again.NextAsync(Soon)).Event.ShouldBe("ready");
        var caughtUp = new[] { await again.NextAsync(Soon), await again.NextAsync(Soon) };
        caughtUp.Select(m => m.Data!["streamId"]!.GetValue<Guid>()).ShouldBe(missed);

        var later = await Host.ReportedAttackAsync();
        var next = await again.NextAsync(Soon, m => m.Event == "appended");
        next.Data!["streamId"]!.GetValue<Guid>().ShouldBe(later, "the caught-up events are not sent again");
    }

    [Fact]
    public async Task the_after_parameter_resumes_like_last_event_id_and_a_bounded_stream_ends_by_itself()
    {
        var head = (long)(await Ledger.ScalarAsync($"select coalesce(max(seq_id), 0) from {LedgerFixture.Schema}.mt_events"))!;
        var attack = await Host.ReportedAttackAsync();
        var sequence = (long)(await Ledger.ScalarAsync($"select max(seq_id) from {LedgerFixture.Schema}.mt_events"))!;
        using var client = Host.Client("live-viewer", Roles.Viewer);

        var text = await client.GetStringAsync($"/api/live?after={head}&seconds=1");

        text.ShouldStartWith("retry: 3000\n\n");
        text.ShouldContain("event: ready\n");
        text.ShouldContain($"event: appended\ndata: {{\"sequence\":{sequence},\"type\":\"attack_reported\",\"streamId\":\"{attack}\"");
    }

    [Fact]
    public async Task more_missed_events_than_the_bound_is_an_overflow_telling_the_client_to_reload()
    {
        await using var host = await OwnHostAsync(new() { ["Ledger:MaxRequestBodyBytes"] = "4000000" });
        var events = (long)(await Ledger.ScalarAsync($"select count(*) from {OwnSchema}.mt_events"))!;
        for (var missing = 1001 - events; missing > 0; missing -= 1000)
        {
            var reports = Enumerable.Range(0, (int)Math.Min(missing, 1000)).Select(_ => (JsonNode)Given.Report()).ToArray();
            using var batch = await host.PostJsonAsync("/api/attacks/batch", new JsonArray(reports));
            batch.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var client = host.Client("live-viewer", Roles.Viewer);
        await using var live = await LiveListener.OpenAsync(client, "/api/live?after=0");
        (await live.NextAsync(Soon)).Event.ShouldBe("ready");
        var overflow = await live.NextAsync(Soon);
        overflow.Event.ShouldBe("overflow");
        overflow.Data!["detail"]!.GetValue<string>().ShouldContain("reload");
    }

    [Fact]
    public async Task over_the_cap_on_open_streams_is_503_with_retry_after()
    {
        await using var host = await OwnHostAsync(new() { ["Ledger:Live:MaxSubscribers"] = "1" });
        using var client = host.Client("live-viewer", Roles.Viewer);
        await using var first = await LiveListener.OpenAsync(client, "/api/live");
        (await first.NextAsync(Soon)).Event.ShouldBe("ready");

        using var second = await client.GetAsync("/api/live", HttpCompletionOption.ResponseHeadersRead);

        second.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        second.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        second.Headers.RetryAfter.ShouldNotBeNull();
    }

    [Fact]
    public async Task without_credentials_it_is_401_unless_reads_are_public()
    {
        using var anonymous = Host.AnonymousClient();
        using var refused = await anonymous.GetAsync("/api/live?seconds=1");
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        await using var host = await OwnHostAsync(new() { ["Ledger:PublicReads"] = "true" });
        using var reader = host.AnonymousClient();
        await using var live = await LiveListener.OpenAsync(reader, "/api/live");
        (await live.NextAsync(Soon)).Event.ShouldBe("ready");
    }

    [Fact]
    public async Task stopping_the_service_ends_open_streams_at_once()
    {
        var host = await OwnHostAsync([]);
        using var client = host.Client("live-viewer", Roles.Viewer);
        await using var live = await LiveListener.OpenAsync(client, "/api/live");
        (await live.NextAsync(Soon)).Event.ShouldBe("ready");

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await host.DisposeAsync();

        stopping.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10), "an open stream must not hold the shutdown until its timeout");
        await Should.ThrowAsync<InvalidOperationException>(() => live.NextAsync(Soon));
    }

    [Theory]
    [InlineData("/api/live?after=-1", "after")]
    [InlineData("/api/live?seconds=0", "seconds")]
    [InlineData("/api/live?after=x", "after")]
    public async Task bad_parameters_are_400_naming_them(string url, string field)
    {
        using var client = Host.Client("live-viewer", Roles.Viewer);
        using var response = await client.GetAsync(url);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.JsonAsync())["errors"]!.AsObject().Select(e => e.Key).ShouldContain(field);
    }

    [Fact]
    public async Task a_last_event_id_that_is_not_a_sequence_is_400_naming_it()
    {
        using var client = Host.Client("live-viewer", Roles.Viewer);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/live");
        request.Headers.Add("Last-Event-ID", "yesterday");
        using var response = await client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.JsonAsync())["errors"]!.AsObject().Select(e => e.Key).ShouldContain("last-event-id");
    }
}

/// <summary>One Server-Sent Events message.</summary>
public sealed record SseMessage(string? Event, string? Id, JsonNode? Data);

/// <summary>A Server-Sent Events response read message by message, as EventSource parses it.</summary>
public sealed class LiveListener : IAsyncDisposable
{
    private readonly StreamReader _reader;

    private LiveListener(HttpResponseMessage response, StreamReader reader)
    {
        Response = response;
        _reader = reader;
    }

    public HttpResponseMessage Response { get; }

    /// <summary>The last <c>retry:</c> field read.</summary>
    public string? Retry { get; private set; }

    public static async Task<LiveListener> OpenAsync(HttpClient client, string url, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await ProblemAsync(response));
        return new LiveListener(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    private static async Task<string> ProblemAsync(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.OK ? "" : await response.Content.ReadAsStringAsync();

    /// <summary>The next message (comments skipped) that <paramref name="wanted"/> accepts, within <paramref name="within"/>.</summary>
    public async Task<SseMessage> NextAsync(TimeSpan within, Func<SseMessage, bool>? wanted = null)
    {
        using var timeout = new CancellationTokenSource(within);
        while (true)
        {
            string? name = null, id = null, data = null;
            while (true)
            {
                var line = await _reader.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("the stream ended");
                if (line.Length == 0)
                {
                    break;
                }

                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
                switch (field)
                {
                    case "event": name = value; break;
                    case "id": id = value; break;
                    case "data": data = data is null ? value : data + "\n" + value; break;
                    case "retry": Retry = value; break;
                    default: break;
                }
            }

            if (data is null)
            {
                continue;
            }

            var message = new SseMessage(name, id, JsonNode.Parse(data));
            if (wanted is null || wanted(message))
            {
                return message;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        Response.Dispose();
        return ValueTask.CompletedTask;
    }
}
