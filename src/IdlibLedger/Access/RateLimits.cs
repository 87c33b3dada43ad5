using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Wolverine.Http;

namespace IdlibLedger.Access;

/// <summary>
/// Token buckets per client (the authenticated name, else the remote address) with ASP.NET Core's rate limiter:
/// one bucket each for writes, reads, imports and exports; and one import at a time in the whole service (or
/// <c>Ledger:RateLimits:ConcurrentImports</c>).
/// Past the limit: 429 with Retry-After. Over all of them, one bound on the requests the instance serves at once, with a
/// bounded queue (<c>Ledger:RateLimits:Concurrency</c>): past it, 503 with Retry-After at once, so that an overload
/// is shed instead of piling up in memory. Health probes and the live stream are not counted.
/// </summary>
public static class RateLimits
{
    public const string Writes = "writes";
    public const string Reads = "reads";
    public const string Imports = "imports";
    public const string Exports = "exports";

    /// <summary>Answered when an import is refused because another one is running (no bucket says when).</summary>
    private static readonly TimeSpan ImportRunning = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddLedgerRateLimits(this IServiceCollection services, RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(Writes, context => Bucket(context, Writes, options.Writes));
            limiter.AddPolicy(Reads, context => Bucket(context, Reads, options.Reads));
            limiter.AddPolicy(Imports, context => Bucket(context, Imports, options.Imports));
            limiter.AddPolicy(Exports, context => Bucket(context, Exports, options.Exports));
            // Imports write the read models in bulk; two at once would only contend. One at a time, whoever sends it,
            // unless ConcurrentImports allows more (each import holds its own window of rows in memory).
            var concurrentImports = Math.Max(1, options.ConcurrentImports);
            var imports = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                IsImport(context)
                    ? RateLimitPartition.GetConcurrencyLimiter(Imports, _ => new ConcurrencyLimiterOptions { PermitLimit = concurrentImports, QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter(string.Empty));
            var concurrency = options.Concurrency;
            var everything = new Shedding(PartitionedRateLimiter.Create<HttpContext, string>(context =>
                NeverShed(context.Request.Path)
                    ? RateLimitPartition.GetNoLimiter(string.Empty)
                    : RateLimitPartition.GetConcurrencyLimiter(Overload, _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = Math.Max(1, concurrency.PermitLimit),
                        QueueLimit = Math.Max(0, concurrency.QueueLimit),
                        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    })));
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(imports, everything);
            limiter.OnRejected = (rejected, cancellation) => rejected.HttpContext.Items.ContainsKey(Overload)
                ? Shed(rejected.HttpContext, concurrency)
                : Refuse(rejected, concurrentImports);
        });
        return services;
    }

    /// <summary>The bucket an endpoint draws from, by what it does (Wolverine endpoint convention).</summary>
    public static void Apply(HttpChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var route = chain.RoutePattern?.RawText ?? string.Empty;
        var policy = chain.HttpMethods.Contains("POST") ? (route.StartsWith("/api/imports", StringComparison.Ordinal) ? Imports : Writes)
            : route.StartsWith("/api/exports", StringComparison.Ordinal) || route is "/api/audit/export" or "/api/audit/snapshot" or "/api/audit/read-models" ? Exports
            : Reads;
        chain.Metadata.RequireRateLimiting(policy);
    }

    /// <summary>The key of the instance-wide limiter, and the mark it leaves on a request it refused.</summary>
    private const string Overload = "overload";

    /// <summary>Probes must answer while the instance is busy (or it is restarted for it); a live stream holds on for hours.</summary>
    private static bool NeverShed(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.Ordinal) || path.StartsWithSegments("/api/live", StringComparison.Ordinal);

    private static ValueTask Shed(HttpContext context, ConcurrencyLimit concurrency)
    {
        var seconds = Math.Max(1, concurrency.RetryAfterSeconds);
        return RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, seconds, "The ledger is busy",
            "https://www.rfc-editor.org/rfc/rfc9110#name-503-service-unavailable",
            $"This instance is serving as many requests as it takes and its queue is full. Retry after {seconds} s. Nothing was recorded.");
    }

    private static bool IsImport(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method) && Importing.ImportEndpoints.IsImport(context.Request.Path);

    private static RateLimitPartition<string> Bucket(HttpContext context, string kind, TokenBucket bucket) =>
        RateLimitPartition.GetTokenBucketLimiter($"{kind}/{Caller(context)}", _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, bucket.TokenLimit),
            TokensPerPeriod = Math.Max(1, bucket.TokensPerPeriod),
            ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(0.001, bucket.PeriodSeconds)),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static string Caller(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { } name } ? $"client:{name}"
        : $"address:{context.Connection.RemoteIpAddress}";

    private static ValueTask Refuse(OnRejectedContext rejected, int concurrentImports)
    {
        var context = rejected.HttpContext;
        var bucketSays = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter);
        var wait = bucketSays ? retryAfter : ImportRunning;
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        return RefuseAsync(context, StatusCodes.Status429TooManyRequests, seconds, "Too many requests",
            "https://www.rfc-editor.org/rfc/rfc6585#section-4",
            bucketSays || !IsImport(context)
                ? $"This client has used its allowance for this kind of request; retry after {seconds} s. Nothing was recorded."
                : concurrentImports == 1
                    ? $"Another import is running; the ledger takes one at a time. Retry after {seconds} s. Nothing was recorded."
                    : $"{concurrentImports} imports are running; the ledger takes {concurrentImports} imports at a time. Retry after {seconds} s. Nothing was recorded.");
    }

    /// <summary>A refusal: the status, Retry-After in whole seconds, and a problem saying why and that nothing was recorded.</summary>
    private static async ValueTask RefuseAsync(HttpContext context, int status, int seconds, string title, string type, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var problem = new ProblemDetails { Status = status, Title = title, Type = type, Detail = detail };
        await context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}

/// <summary>The instance-wide bound (section <c>Ledger:RateLimits:Concurrency</c>).</summary>
public sealed class ConcurrencyLimit
{
    /// <summary>Requests served at once (the database pool, 40 by default, is the real bound beneath it).</summary>
    public int PermitLimit { get; set; } = 64;

    /// <summary>Requests that may wait for a turn, oldest first; the next one gets 503.</summary>
    public int QueueLimit { get; set; } = 256;

    /// <summary>The Retry-After of that 503.</summary>
    public int RetryAfterSeconds { get; set; } = 1;
}

/// <summary>A limiter that marks the request it refuses, so that the refusal says 503 (busy) and not 429 (your allowance).</summary>
internal sealed class Shedding(PartitionedRateLimiter<HttpContext> inner) : PartitionedRateLimiter<HttpContext>
{
    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => inner.GetStatistics(resource);

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) =>
        Marked(resource, inner.AttemptAcquire(resource, permitCount));

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        Marked(resource, await inner.AcquireAsync(resource, permitCount, cancellationToken));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await inner.DisposeAsync();
        await base.DisposeAsyncCore();
    }

    private static RateLimitLease Marked(HttpContext resource, RateLimitLease lease)
    {
        if (!lease.IsAcquired)
        {
            resource.Items["overload"] = true;
        }

        return lease;
    }
}
