using System.Globalization;
using System.Text;
using System.Text.Json;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Live;

/// <summary>
/// <c>GET /api/live</c>: the events the ledger appends, as Server-Sent Events (one <c>appended</c> message each),
/// so that an open page refreshes within seconds. Messages name events, they do not carry them: a page reloads
/// the read models it shows.
/// </summary>
public static class StreamLedgerEventsEndpoint
{
    public const string ContentType = "text/event-stream";

    public const string LastEventIdHeader = "Last-Event-ID";

    /// <summary>How long a client waits before it reconnects (the <c>retry:</c> field).</summary>
    public static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(3);

    /// <summary>A comment this often keeps proxies from closing a quiet stream.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    /// <summary>The longest stream <c>seconds</c> asks for.</summary>
    public const int MaxSeconds = 3600;

    /// <summary>Stream the ledger's new events</summary>
    /// <remarks>A `text/event-stream` (Server-Sent Events) of what the ledger appends, for pages that refresh as it happens. First `retry: 3000` and an `event: ready` whose data is `{"sequence": n}`, the last sequence recorded. Then, for each event appended, `id: &lt;sequence&gt;`, `event: appended` and `data: {"sequence", "type", "streamId", "recordedAt"}` (the type as the event store names it, e.g. `attack_reported`; the stream is the fact's id); a page reloads what it shows. A comment `: keep-alive` every 15 seconds. A client that reconnects with `Last-Event-ID` (or `after`) first gets what it missed, up to 1000 events; past that, or when it reads too slowly, an `event: overflow` tells it to reload. With `seconds` the stream ends after that long (for scripts: a long poll); else it stays open until the client leaves. Over the service's cap on open streams: 503 with Retry-After.</remarks>
    /// <param name="after">Resume after this sequence (for clients without EventSource; `Last-Event-ID` wins when both are given).</param>
    /// <param name="seconds">End the stream after this many seconds (1 to 3600); by default it stays open until the client leaves.</param>
    [WolverineGet("/api/live", OperationId = "StreamLedgerEvents")]
    [ForViewers]
    [Tags("Live")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, ContentType)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public static IResult Get(
        [FromQuery(Name = "after")] long? after, [FromQuery(Name = "seconds")] int? seconds,
        LiveFeed feed, IHostApplicationLifetime lifetime, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(lifetime);
        ArgumentNullException.ThrowIfNull(context);
        // The header EventSource sends when it reconnects, not a documented parameter: no client sets it by hand.
        var lastEventId = context.Request.Headers[LastEventIdHeader].ToString();
        long? resumeAfter = after;
        if (!string.IsNullOrWhiteSpace(lastEventId))
        {
            if (!long.TryParse(lastEventId.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            {
                return LedgerProblems.Invalid("last-event-id", $"Last-Event-ID is the id of a message of this stream (a sequence), not '{lastEventId}'").ToResult();
            }

            resumeAfter = last;
        }
        else if (after < 0)
        {
            return LedgerProblems.Invalid("after", "after is a sequence: 0 or more").ToResult();
        }

        if (seconds is < 1 or > MaxSeconds)
        {
            return LedgerProblems.Invalid("seconds", $"seconds is between 1 and {MaxSeconds}").ToResult();
        }

        var open = seconds is { } limit ? TimeSpan.FromSeconds(limit) : Timeout.InfiniteTimeSpan;
        return new LiveStream(feed, resumeAfter, open, lifetime.ApplicationStopping);
    }

    /// <summary>The 503 when the service holds as many open streams as it may.</summary>
    public static ProblemDetails Busy(int max) => new()
    {
        Status = StatusCodes.Status503ServiceUnavailable,
        Title = "Too many live streams",
        Type = "https://www.rfc-editor.org/rfc/rfc9110#name-503-service-unavailable",
        Detail = $"This service holds {max} live streams, its most; try again shortly, or poll the reads.",
    };

    /// <summary>The open stream: subscribe, say where the ledger is, send what was missed, then what comes.</summary>
    private sealed class LiveStream(LiveFeed feed, long? resumeAfter, TimeSpan open, CancellationToken stopping) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var cancellation = httpContext.RequestAborted;
            var head = await feed.HeadAsync(cancellation);
            // A client from before a database reset may be ahead of the ledger: it has seen nothing that is here.
            var seen = Math.Min(resumeAfter ?? head, head);
            using var subscription = feed.TrySubscribe(seen);
            if (subscription is null)
            {
                var max = httpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<LedgerOptions>>().Value.Live.MaxSubscribers;
                httpContext.Response.Headers.RetryAfter = ((int)Reconnect.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                await Results.Problem(Busy(max)).ExecuteAsync(httpContext);
                return;
            }

            var response = httpContext.Response;
            response.ContentType = ContentType;
            response.Headers.CacheControl = "no-cache";
            // Nginx and its kind would otherwise hold the messages back.
            response.Headers["X-Accel-Buffering"] = "no";
            httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

            using var end = CancellationTokenSource.CreateLinkedTokenSource(cancellation, stopping);
            end.CancelAfter(open);
            try
            {
                await WriteAsync(response, $"retry: {(int)Reconnect.TotalMilliseconds}\n\n", end.Token);
                await MessageAsync(response, "ready", null, writer => writer.WriteNumber("sequence", head), end.Token);
                var sent = await CatchUpAsync(response, seen, end.Token);
                await FollowAsync(response, subscription, sent, end.Token);
            }
            catch (OperationCanceledException) when (end.IsCancellationRequested)
            {
                // The client left, the service stops, or the time asked for is up: the stream just ends.
            }
        }

        /// <summary>What happened since <paramref name="seen"/> (from the table: the feed may have passed it already).</summary>
        private async Task<long> CatchUpAsync(HttpResponse response, long seen, CancellationToken cancellation)
        {
            var missed = await feed.ReadAfterAsync(seen, LiveFeed.Batch + 1, cancellation);
            if (missed.Count > LiveFeed.Batch)
            {
                await OverflowAsync(response, $"more than {LiveFeed.Batch} events were appended after {seen}", cancellation);
                return missed[^1].Sequence;
            }

            var sent = seen;
            foreach (var appended in missed)
            {
                await AppendedAsync(response, appended, cancellation);
                sent = appended.Sequence;
            }

            return sent;
        }

        private static async Task FollowAsync(HttpResponse response, LiveSubscription subscription, long sent, CancellationToken cancellation)
        {
            var waiting = subscription.Events.WaitToReadAsync(cancellation).AsTask();
            // One timer per quiet stretch, not one per message.
            var quiet = Task.Delay(Heartbeat, cancellation);
            while (true)
            {
                var first = await Task.WhenAny(waiting, quiet);
                cancellation.ThrowIfCancellationRequested();
                if (first == quiet)
                {
                    await WriteAsync(response, ": keep-alive\n\n", cancellation);
                    quiet = Task.Delay(Heartbeat, cancellation);
                    continue;
                }

                if (!await waiting)
                {
                    return;
                }

                if (subscription.TakeOverflow())
                {
                    await OverflowAsync(response, "this client read more slowly than the ledger wrote", cancellation);
                }

                while (subscription.Events.TryRead(out var appended))
                {
                    // The catch-up may have sent it already.
                    if (appended.Sequence > sent)
                    {
                        await AppendedAsync(response, appended, cancellation);
                        sent = appended.Sequence;
                    }
                }

                waiting = subscription.Events.WaitToReadAsync(cancellation).AsTask();
            }
        }

        private static Task AppendedAsync(HttpResponse response, AppendedEvent appended, CancellationToken cancellation) =>
            MessageAsync(response, "appended", appended.Sequence, writer =>
            {
                writer.WriteNumber("sequence", appended.Sequence);
                writer.WriteString("type", appended.Type);
                writer.WriteString("streamId", appended.StreamId);
                writer.WriteString("recordedAt", appended.RecordedAt);
            }, cancellation);

        private static Task OverflowAsync(HttpResponse response, string why, CancellationToken cancellation) =>
            MessageAsync(response, "overflow", null, writer =>
                writer.WriteString("detail", $"Events were missed ({why}): reload what the page shows."), cancellation);

        private static async Task MessageAsync(HttpResponse response, string name, long? id, Action<Utf8JsonWriter> data, CancellationToken cancellation)
        {
            using var json = new MemoryStream();
            await using (var writer = new Utf8JsonWriter(json))
            {
                writer.WriteStartObject();
                data(writer);
                writer.WriteEndObject();
            }

            var text = new StringBuilder();
            if (id is { } sequence)
            {
                text.Append(CultureInfo.InvariantCulture, $"id: {sequence}\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"event: {name}\ndata: {Encoding.UTF8.GetString(json.ToArray())}\n\n");
            await WriteAsync(response, text.ToString(), cancellation);
        }

        private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellation)
        {
            await response.WriteAsync(text, cancellation);
            await response.Body.FlushAsync(cancellation);
        }
    }
}
