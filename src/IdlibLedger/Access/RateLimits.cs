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
/// Past the limit: 429 with Retry-After.
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
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                IsImport(context)
                    ? RateLimitPartition.GetConcurrencyLimiter(Imports, _ => new ConcurrencyLimiterOptions { PermitLimit = concurrentImports, QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter(string.Empty));
            limiter.OnRejected = (rejected, cancellation) => Refuse(rejected, concurrentImports);
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

    private static async ValueTask Refuse(OnRejectedContext rejected, int concurrentImports)
    {
        var context = rejected.HttpContext;
        var bucketSays = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter);
        var wait = bucketSays ? retryAfter : ImportRunning;
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Title = "Too many requests",
            Type = "https://www.rfc-editor.org/rfc/rfc6585#section-4",
            Detail = bucketSays || !IsImport(context)
                ? $"This client has used its allowance for this kind of request; retry after {seconds} s. Nothing was recorded."
                : concurrentImports == 1
                    ? $"Another import is running; the ledger takes one at a time. Retry after {seconds} s. Nothing was recorded."
                    : $"{concurrentImports} imports are running; the ledger takes {concurrentImports} imports at a time. Retry after {seconds} s. Nothing was recorded.",
        };
        await context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
