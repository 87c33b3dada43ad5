using System.Security.Cryptography;
using System.Text;
using Marten;

namespace IdlibLedger.Infrastructure.Idempotency;

/// <summary>
/// What one client's Idempotency-Key was first used for (the request's fingerprint) and what it was answered.
/// Inserted in the same transaction as the events the request appends, so two requests with one key cannot both
/// append; the answer is added when the response is written.
/// </summary>
public sealed class IdempotencyRecord
{
    public string Id { get; set; } = string.Empty;

    public string Client { get; set; } = string.Empty;

    public string Key { get; set; } = string.Empty;

    public string Method { get; set; } = string.Empty;

    public string Path { get; set; } = string.Empty;

    /// <summary>SHA-256 of method, path, query and body: a different request under the same key is refused (422).</summary>
    public string Fingerprint { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The streams the request appended to (known even if the process died before the answer was kept).</summary>
    public Guid[] Streams { get; set; } = [];

    /// <summary>The answer's status; null while the request runs (or if the process died before it answered).</summary>
    public int? Status { get; set; }

    public string? Location { get; set; }

    public string? ContentType { get; set; }

    public string? Body { get; set; }

    /// <summary>The answer was larger than the ledger keeps; a replay says so instead of repeating it.</summary>
    public bool BodyOmitted { get; set; }

    /// <summary>The id of a client's key: the client and the key, hashed so that any key length fits.</summary>
    public static string IdFor(string client, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{client}\n{key}")));

    public static void Configure(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.Schema.For<IdempotencyRecord>().Index(r => r.CreatedAt);
    }
}

/// <summary>The key a request holds while it runs (an HttpContext feature): the listener inserts it with the events.</summary>
public sealed class IdempotencyClaim(IdempotencyRecord record)
{
    public IdempotencyRecord Record { get; } = record;

    public bool Inserted { get; set; }

    public bool Committed { get; set; }
}

/// <summary>
/// Adds the request's claim to every transaction that appends or stores anything while it runs, until one commits:
/// a transaction that failed (a racing request with the same key committed first) and is retried must not
/// commit without it.
/// </summary>
public sealed class IdempotencyListener(IHttpContextAccessor http) : DocumentSessionListenerBase
{
    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (http.HttpContext?.Features.Get<IdempotencyClaim>() is { Committed: false } claim)
        {
            claim.Record.Streams = [.. session.PendingChanges.Streams().Select(s => s.Id)];
            session.Insert(claim.Record);
            claim.Inserted = true;
        }

        return Task.CompletedTask;
    }

    public override Task AfterCommitAsync(IDocumentSession session, Marten.Services.IChangeSet commit, CancellationToken token)
    {
        if (http.HttpContext?.Features.Get<IdempotencyClaim>() is { Inserted: true } claim)
        {
            claim.Committed = true;
        }

        return Task.CompletedTask;
    }
}
