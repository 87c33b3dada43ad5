using System.Security.Cryptography;
using IdlibLedger.Access;
using Marten;
using Marten.Services;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Npgsql;

namespace IdlibLedger.Infrastructure;

/// <summary>Settings of the cache of reads for "now", section <c>Ledger:ReadCache</c>.</summary>
public sealed class ReadCacheOptions
{
    public const string Section = "Ledger:ReadCache";

    public bool Enabled { get; set; } = true;

    /// <summary>How often each process reads the event store's head to see other processes' writes.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest an answer is reused: valid time moves (a ceasefire expires) even when no event is written.</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most bytes of answers held per process (the least recently used go first).</summary>
    public long SizeLimitBytes { get; set; } = 64 * 1024 * 1024;

    public static ReadCacheOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<ReadCacheOptions>() ?? new ReadCacheOptions();
}

/// <summary>
/// Reads for "now" (no <c>asOf</c>) served from ASP.NET Core's output cache, keyed by path, query, the caller's
/// roles and the version of the ledger: the event store's head sequence, read by <see cref="ReadCacheWatcher"/>,
/// and this process's own writes, counted by <see cref="ReadCacheListener"/> and by every write request. A new
/// version makes every older entry unreachable at once (and evicts them by tag); <see cref="ReadCacheOptions.TimeToLive"/>
/// bounds an entry's age, because valid time moves without events. A request computed while the version moved is
/// stored under the version it started with, so it can never hide a newer write.
/// </summary>
public static class ReadCache
{
    /// <summary>Not cached: streams, bulk exports, and the import log (written beside the event store).</summary>
    private static readonly string[] Excluded = ["/api/live", "/api/exports", "/api/imports"];

    public static WebApplicationBuilder AddLedgerReadCache(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = ReadCacheOptions.From(builder.Configuration);
        if (!options.Enabled)
        {
            return builder;
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ReadCacheVersion>();
        builder.Services.AddHostedService<ReadCacheWatcher>();
        builder.Services.ConfigureMarten((services, store) => store.Listeners.Add(new ReadCacheListener(services.GetRequiredService<ReadCacheVersion>())));
        builder.Services.AddOutputCache(cache =>
        {
            cache.SizeLimit = Math.Max(1024 * 1024, options.SizeLimitBytes);
            cache.MaximumBodySize = ETags.MaxBytes;
            cache.DefaultExpirationTimeSpan = options.TimeToLive;
            cache.AddBasePolicy(new ReadCachePolicy(options.TimeToLive));
        });
        return builder;
    }

    /// <summary>After authorization: an entry is only ever served to a caller who passed the endpoint's policy.</summary>
    public static WebApplication UseLedgerReadCache(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var version = app.Services.GetService<ReadCacheVersion>();
        if (version is null)
        {
            return app;
        }

        // Writes that bypass Marten's sessions (imports copy rows in bulk) still move this process's version, before
        // the answer leaves, so that the writer's next read sees its write.
        app.Use((context, next) =>
        {
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method))
            {
                context.Response.OnStarting(() => version.WrittenAsync(CancellationToken.None).AsTask());
            }

            return next(context);
        });
        app.UseOutputCache();
        return app;
    }

    /// <summary>A viewer's GET for "now": no <c>asOf</c>, and not a stream, an export or the import log.</summary>
    public static bool Applies(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        return HttpMethods.IsGet(request.Method)
            && !request.Query.ContainsKey("asOf")
            && !Excluded.Any(prefix => request.Path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
            && context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == Policies.Read) == true;
    }

    /// <summary>Who may see an entry: the roles the caller holds, or nobody's (public reads).</summary>
    public static string CallerClass(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.User.Identity?.IsAuthenticated == true
            ? "roles:" + string.Join(',', Roles.All.Where(context.User.IsInRole).Order(StringComparer.Ordinal))
            : "anonymous";
    }
}

/// <summary>The output cache's rule for the ledger's reads (see <see cref="ReadCache"/>).</summary>
public sealed class ReadCachePolicy(TimeSpan timeToLive) : IOutputCachePolicy
{
    public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        if (!ReadCache.Applies(http))
        {
            return ValueTask.CompletedTask;
        }

        var version = http.RequestServices.GetRequiredService<ReadCacheVersion>().Current;
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = true;
        context.AllowCacheStorage = true;
        // A crowd asking for the same read while it is computed waits for the one answer.
        context.AllowLocking = true;
        context.ResponseExpirationTimeSpan = timeToLive;
        context.CacheVaryByRules.QueryKeys = "*";
        context.CacheVaryByRules.VaryByValues["version"] = version;
        context.CacheVaryByRules.VaryByValues["caller"] = ReadCache.CallerClass(http);
        context.Tags.Add(ReadCacheVersion.TagOf(version));

        // The tag names the version and this computation; a hit replays it with the stored headers, and ETags
        // answers If-None-Match with it without hashing the body.
        var response = http.Response;
        response.Headers.ETag = $"W/\"{version}-{WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(9))}\"";
        response.Headers.CacheControl = "no-cache";
        response.Headers.Append(HeaderNames.Vary, "X-Api-Key, Authorization");
        return ValueTask.CompletedTask;
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    /// <summary>Only whole 200 answers are kept; refusals are computed each time.</summary>
    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.HttpContext.Response.StatusCode != StatusCodes.Status200OK)
        {
            context.AllowCacheStorage = false;
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The version of the ledger as this process knows it: the event store's head sequence (any process's writes) and a
/// count of this process's own writes (seen at once, before the head is read again).
/// </summary>
public sealed class ReadCacheVersion(IServiceProvider services)
{
    private readonly Lock _gate = new();
    private long _head = -1;
    private long _writes;

    public string Current
    {
        get
        {
            lock (_gate)
            {
                return $"{_head}.{_writes}";
            }
        }
    }

    public long Head
    {
        get
        {
            lock (_gate)
            {
                return _head;
            }
        }
    }

    public static string TagOf(string version) => "ledger-now:" + version;

    public ValueTask HeadIsAsync(long head, CancellationToken cancellation) => MoveAsync(() => _head = head, cancellation);

    public ValueTask WrittenAsync(CancellationToken cancellation) => MoveAsync(() => _writes++, cancellation);

    private async ValueTask MoveAsync(Action move, CancellationToken cancellation)
    {
        string before, after;
        lock (_gate)
        {
            before = $"{_head}.{_writes}";
            move();
            after = $"{_head}.{_writes}";
        }

        if (before != after)
        {
            // The older entries can no longer be asked for (the version is in their key); this frees their memory now.
            await services.GetRequiredService<IOutputCacheStore>().EvictByTagAsync(TagOf(before), cancellation);
        }
    }
}

/// <summary>Reads the event store's head every <see cref="ReadCacheOptions.PollInterval"/>: how one process sees another's writes.</summary>
public sealed partial class ReadCacheWatcher(NpgsqlDataSource database, IDocumentStore store, ReadCacheOptions options, ReadCacheVersion version, ILogger<ReadCacheWatcher> logger)
    : BackgroundService
{
    private readonly string _head = $"select coalesce(max(seq_id), 0) from {store.Options.DatabaseSchemaName}.mt_events";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.PollInterval > TimeSpan.Zero ? options.PollInterval : TimeSpan.FromMilliseconds(250));
        do
        {
            try
            {
                await using var command = database.CreateCommand(_head);
                var head = (long)(await command.ExecuteScalarAsync(stoppingToken))!;
                await version.HeadIsAsync(head, stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // The database is away or the schema not made yet: the time-to-live still bounds what is served.
                LogHeadUnread(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The read cache could not read the event store's head: {Reason}")]
    private static partial void LogHeadUnread(ILogger logger, string reason);
}

/// <summary>A commit in this process moves the version before the command's answer leaves (read-your-writes).</summary>
public sealed class ReadCacheListener(ReadCacheVersion version) : DocumentSessionListenerBase
{
    public override async Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(commit);
        if (commit.GetEvents().Any() || commit.Inserted.Any() || commit.Updated.Any() || commit.Deleted.Any())
        {
            await version.WrittenAsync(token);
        }
    }
}
