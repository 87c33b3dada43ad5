using System.Security.Cryptography;
using System.Text;
using Marten;
using JasperFx;
using Microsoft.Extensions.Options;

namespace IdlibLedger.Infrastructure.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on every POST, with Stripe's rules: a key belongs to the authenticated client; a retry with
/// the same key and the same request is answered as the first was and appends nothing; the same key with a
/// different request is refused with 422; keys are kept for <c>Ledger:IdempotencyKeyHours</c>. Two requests racing
/// with one key cannot both append: the key's record is inserted in the transaction of the events.
/// </summary>
public sealed partial class IdempotencyKeys(RequestDelegate next, IDocumentStore store, IOptions<LedgerOptions> options, ILogger<IdempotencyKeys> logger)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxKeyLength = 255;

    /// <summary>Answers up to this size are kept for replays (receipts are a few hundred bytes; an import's report can be large).</summary>
    public const int MaxKeptBody = 1024 * 1024;

    /// <summary>A request that holds a key this long without an answer is taken to have died after appending.</summary>
    private static readonly TimeSpan InFlight = TimeSpan.FromSeconds(30);

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Headers.TryGetValue(Header, out var values)
            || context.User.Identity is not { IsAuthenticated: true, Name: { } client })
        {
            await next(context);
            return;
        }

        var key = values.ToString();
        if (values.Count != 1 || key.Length is 0 or > MaxKeyLength || key.Any(c => c is < ' ' or > '~'))
        {
            await HeaderProblem(LedgerProblems.Invalid(Header,
                $"an {Header} is 1 to {MaxKeyLength} printable ASCII characters, sent once")).ExecuteAsync(context);
            return;
        }

        var fingerprint = await FingerprintAsync(context.Request);
        var id = IdempotencyRecord.IdFor(client, key);
        if (await LoadAsync(id, context.RequestAborted) is { } earlier)
        {
            await AnswerFromAsync(context, earlier, fingerprint);
            return;
        }

        var claim = new IdempotencyClaim(new IdempotencyRecord
        {
            Id = id,
            Client = client,
            Key = key,
            Method = context.Request.Method,
            Path = context.Request.Path + context.Request.QueryString,
            Fingerprint = fingerprint,
            CreatedAt = TimeProvider.System.GetUtcNow(),
        });
        context.Features.Set(claim);

        var original = context.Response.Body;
        await using var kept = new KeepingStream(original, MaxKeptBody);
        context.Response.Body = kept;
        try
        {
            await next(context);
        }
        catch (Exception)
        {
            // Another request with this key appended first (its record made this transaction fail): answer as it did.
            if (claim.Committed || context.Response.HasStarted || await LoadAsync(id, CancellationToken.None) is not { } winner)
            {
                throw;
            }

            context.Response.Body = original;
            context.Response.Clear();
            await AnswerFromAsync(context, winner, fingerprint);
            return;
        }
        finally
        {
            context.Response.Body = original;
        }

        var status = context.Response.StatusCode;
        if (claim.Committed || status is >= 200 and < 300)
        {
            var record = claim.Record;
            record.Status = status;
            record.Location = context.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null;
            record.ContentType = context.Response.ContentType;
            // An answer holding a secret (a new API key) is not kept: the secret exists only in that one answer.
            var secret = context.GetEndpoint()?.Metadata.GetMetadata<AnswerNotKeptAttribute>() is not null;
            record.BodyOmitted = kept.Overflowed || secret;
            record.Body = record.BodyOmitted ? null : Encoding.UTF8.GetString(kept.Kept);
            await KeepAsync(record, insert: !claim.Committed);
        }
    }

    private async Task<IdempotencyRecord?> LoadAsync(string id, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        var record = await session.LoadAsync<IdempotencyRecord>(id, cancellation);
        if (record is not null && record.CreatedAt < TimeProvider.System.GetUtcNow() - Retention)
        {
            session.Delete(record);
            await session.SaveChangesAsync(cancellation);
            return null;
        }

        return record;
    }

    private TimeSpan Retention => RetentionOf(options.Value);

    /// <summary>How long keys are kept: Ledger:IdempotencyKeyHours, never less than 24 hours.</summary>
    public static TimeSpan RetentionOf(LedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TimeSpan.FromHours(Math.Max(24, options.IdempotencyKeyHours));
    }

    private async Task KeepAsync(IdempotencyRecord record, bool insert)
    {
        try
        {
            await using var session = store.LightweightSession();
            if (insert)
            {
                session.Insert(record);
            }
            else
            {
                session.Update(record);
            }

            await session.SaveChangesAsync(CancellationToken.None);
        }
        catch (DocumentAlreadyExistsException)
        {
            // A request that appended nothing (a 2xx without a transaction) raced another with this key; the first kept wins.
        }
    }

    private async Task AnswerFromAsync(HttpContext context, IdempotencyRecord earlier, string fingerprint)
    {
        if (!string.Equals(earlier.Fingerprint, fingerprint, StringComparison.Ordinal))
        {
            LogReused(logger, earlier.Client, earlier.Key);
            await HeaderProblem(new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                [Header] = [$"the key '{earlier.Key}' was first used at {earlier.CreatedAt:O} for {earlier.Method} {earlier.Path} with a different request; a key names one request, send a new request with a new key"],
            })
            {
                Status = StatusCodes.Status422UnprocessableEntity,
                Title = "This Idempotency-Key was used for a different request",
                Type = "https://www.rfc-editor.org/rfc/rfc9110#name-422-unprocessable-content",
                Detail = "Nothing was recorded.",
            }).ExecuteAsync(context);
            return;
        }

        // The first request is still running (or has just appended): wait a little for its answer.
        var waited = TimeSpan.Zero;
        while (earlier.Status is null && TimeProvider.System.GetUtcNow() - earlier.CreatedAt < InFlight && waited < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100, context.RequestAborted);
            waited += TimeSpan.FromMilliseconds(100);
            earlier = await LoadAsync(earlier.Id, context.RequestAborted) ?? earlier;
        }

        context.Response.Headers[ReplayedHeader] = "true";
        if (earlier.Status is not { } status)
        {
            if (TimeProvider.System.GetUtcNow() - earlier.CreatedAt < InFlight)
            {
                context.Response.Headers.RetryAfter = "1";
                await Results.Problem(LedgerProblems.Conflict($"a request with the {Header} '{earlier.Key}' is still being processed; retry in a second")).ExecuteAsync(context);
                return;
            }

            // The first request appended, then its process died before it answered: say so, append nothing.
            await Results.Ok(new { alreadyRecorded = true, id = earlier.Streams.Cast<Guid?>().FirstOrDefault(), streams = earlier.Streams }).ExecuteAsync(context);
            return;
        }

        context.Response.StatusCode = status;
        if (earlier.Location is not null)
        {
            context.Response.Headers.Location = earlier.Location;
        }

        if (earlier.BodyOmitted)
        {
            await TypedResults.Json(new { alreadyRecorded = true, detail = $"the first answer to this {Header} is not kept (it was larger than {MaxKeptBody} bytes, or held a secret shown only once); the request was recorded once" }, statusCode: status)
                .ExecuteAsync(context);
            return;
        }

        if (earlier.ContentType is not null)
        {
            context.Response.ContentType = earlier.ContentType;
        }

        await context.Response.WriteAsync(earlier.Body ?? string.Empty, context.RequestAborted);
    }

    /// <summary>A problem naming the header as it is spelled (the API's JSON would camel-case the key of 'errors').</summary>
    private static HeaderProblemResult HeaderProblem(HttpValidationProblemDetails problem) => new(problem);

    private sealed class HeaderProblemResult(HttpValidationProblemDetails problem) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            problem.Extensions["traceId"] = System.Diagnostics.Activity.Current?.Id ?? httpContext.TraceIdentifier;
            return Results.Json(problem, HeaderProblemJson, "application/problem+json", problem.Status).ExecuteAsync(httpContext);
        }
    }

    private static readonly System.Text.Json.JsonSerializerOptions HeaderProblemJson = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>SHA-256 of the method, path, query and body; the body is buffered so that the endpoint reads it again.</summary>
    private static async Task<string> FingerprintAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        // A pooled buffer: a new one cost every keyed request 16 KiB of garbage (docs/benchmarks.md, "Ingest").
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        request.Body.Position = 0;
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client {Client} reused the Idempotency-Key {Key} for a different request (refused with 422)")]
    private static partial void LogReused(ILogger logger, string client, string key);
}

/// <summary>On an endpoint whose answer holds a secret: a replay under its Idempotency-Key does not repeat the answer.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AnswerNotKeptAttribute : Attribute;

/// <summary>Writes through to the response and keeps a copy of the first <c>limit</c> bytes.</summary>
internal sealed class KeepingStream(Stream inner, int limit) : Stream
{
    private readonly MemoryStream _kept = new();

    public bool Overflowed { get; private set; }

    public ReadOnlySpan<byte> Kept => _kept.GetBuffer().AsSpan(0, (int)_kept.Length);

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Keep(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Keep(buffer.Span);
        await inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (Overflowed)
        {
            return;
        }

        if (_kept.Length + bytes.Length > limit)
        {
            Overflowed = true;
            _kept.SetLength(0);
            return;
        }

        _kept.Write(bytes);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _kept.Dispose();
        }

        base.Dispose(disposing);
    }
}
