using System.Buffers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// Weak ETags on the API's GET answers, so that a page that reloads a read gets 304 and no body when nothing changed:
/// a 200 answer is held (up to <see cref="MaxBytes"/>, in pooled 64 KiB chunks) and hashed; its ETag is
/// <c>W/"…"</c>, the first 16 bytes of its SHA-256 in base64url, with <c>Cache-Control: no-cache</c> (always ask
/// again). A larger answer is passed on as it comes, without an ETag. Streams (live, exports, the audit export) are
/// left alone. Runs inside response compression, so the tag is the uncompressed body's (weak: the gzip and Brotli
/// forms are the same representation).
/// </summary>
public sealed class ETags(RequestDelegate next)
{
    public const long MaxBytes = 4 * 1024 * 1024;

    private static readonly string[] Streamed = ["/api/live", "/api/exports", "/api/audit/export"];

    public static bool Applies(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HttpMethods.IsGet(request.Method)
            && request.Path.StartsWithSegments("/api", StringComparison.Ordinal)
            && !Streamed.Any(prefix => request.Path.StartsWithSegments(prefix, StringComparison.Ordinal));
    }

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Applies(context.Request))
        {
            await next(context);
            return;
        }

        var response = context.Response;
        var body = response.Body;
        await using var held = new HeldBody(body, MaxBytes, () => response.StatusCode == StatusCodes.Status200OK
            && TaggedAlready(response) is { } tag && !Matches(context.Request.Headers.IfNoneMatch, tag));
        response.Body = held;
        try
        {
            await next(context);
        }
        finally
        {
            response.Body = body;
        }

        var given = TaggedAlready(response);
        if (held.PassedOn || response.StatusCode != StatusCodes.Status200OK || response.HasStarted)
        {
            if (given is not null && !response.HasStarted && response.StatusCode != StatusCodes.Status200OK)
            {
                // A refusal is not the representation the read cache tagged.
                response.Headers.ETag = default;
            }

            await held.PassOnAsync(context.RequestAborted);
            return;
        }

        var tag = given ?? $"W/\"{held.Hash()}\"";
        if (given is null)
        {
            response.Headers.ETag = tag;
            response.Headers.CacheControl = "no-cache";
            response.Headers.Append(HeaderNames.Vary, "X-Api-Key, Authorization");
        }
        if (Matches(context.Request.Headers.IfNoneMatch, tag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            response.ContentLength = null;
            response.Headers.ContentType = default;
            return;
        }

        response.ContentLength = held.Length;
        await held.PassOnAsync(context.RequestAborted);
    }

    private static string? TaggedAlready(HttpResponse response) =>
        response.Headers.ETag is { Count: > 0 } tag && !string.IsNullOrEmpty(tag[0]) ? tag[0] : null;

    /// <summary>If-None-Match with the weak comparison (RFC 9110 13.1.2): any listed tag, weak or not, or <c>*</c>.</summary>
    public static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string tag)
    {
        var opaque = tag[2..];
        foreach (var value in ifNoneMatch)
        {
            foreach (var candidate in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (candidate == "*" || (candidate.StartsWith("W/", StringComparison.Ordinal) ? candidate[2..] : candidate) == opaque)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The answer's bytes in chunks rented from the shared array pool, up to a bound; past it, what is held goes
    /// out and the rest passes straight through. The chunks go back to the pool when the request ends.
    /// </summary>
    private sealed class HeldBody(Stream inner, long max, Func<bool> passStraightThrough) : Stream
    {
        private bool _written;

        private const int ChunkSize = 64 * 1024;
        private readonly List<byte[]> _chunks = [];
        private long _length;

        public bool PassedOn { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public string Hash()
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var (chunk, count) in Chunks())
            {
                sha.AppendData(chunk, 0, count);
            }

            return WebEncoders.Base64UrlEncode(sha.GetHashAndReset(), 0, 16);
        }

        /// <summary>Sends what is held to the real body (once).</summary>
        public async Task PassOnAsync(CancellationToken cancellation)
        {
            PassedOn = true;
            foreach (var (chunk, count) in Chunks())
            {
                await inner.WriteAsync(chunk.AsMemory(0, count), cancellation);
            }

            Release();
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            DecideAtFirstWrite();
            if (!PassedOn && _length + buffer.Length > max)
            {
                await PassOnAsync(cancellationToken);
            }

            if (PassedOn)
            {
                await inner.WriteAsync(buffer, cancellationToken);
                return;
            }

            Hold(buffer.Span);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            DecideAtFirstWrite();
            if (!PassedOn && _length + buffer.Length > max)
            {
                PassOnAsync(CancellationToken.None).GetAwaiter().GetResult();
            }

            if (PassedOn)
            {
                inner.Write(buffer);
                return;
            }

            Hold(buffer);
        }

        // Held bytes wait for the end; once passed on, a flush is the real body's.
        public override Task FlushAsync(CancellationToken cancellationToken) => PassedOn ? inner.FlushAsync(cancellationToken) : Task.CompletedTask;

        public override void Flush()
        {
            if (PassedOn)
            {
                inner.Flush();
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override ValueTask DisposeAsync()
        {
            Release();
            return base.DisposeAsync();
        }

        protected override void Dispose(bool disposing)
        {
            Release();
            base.Dispose(disposing);
        }

        /// <summary>At the first byte the headers are final: an answer tagged already need not be held.</summary>
        private void DecideAtFirstWrite()
        {
            if (!_written)
            {
                _written = true;
                PassedOn = passStraightThrough();
            }
        }

        private void Hold(ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                var used = (int)(_length % ChunkSize);
                if (used == 0)
                {
                    _chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkSize));
                }

                var take = Math.Min(ChunkSize - used, bytes.Length);
                bytes[..take].CopyTo(_chunks[^1].AsSpan(used));
                _length += take;
                bytes = bytes[take..];
            }
        }

        private IEnumerable<(byte[] Chunk, int Count)> Chunks()
        {
            var left = _length;
            foreach (var chunk in _chunks)
            {
                var count = (int)Math.Min(ChunkSize, left);
                left -= count;
                yield return (chunk, count);
            }
        }

        private void Release()
        {
            foreach (var chunk in _chunks)
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            _chunks.Clear();
        }
    }
}
