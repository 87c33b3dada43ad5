using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace IdlibLedger.Access.ApiKeys;

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>In Development only: a key (LEDGER_DEV_API_KEY) accepted as holding every role, for local scripts.</summary>
    public string? DevelopmentKey { get; set; }
}

/// <summary>
/// The API keys requests presented lately, kept for <see cref="Lifetime"/> so that a request does not read its key
/// from the database (a round trip on every request, the dearest part of a report after the append). The secret,
/// revocation and expiry are still checked on every request against the kept record. A key revoked through this
/// process (<c>POST /api/keys/{id}/revocation</c>) is forgotten at once; one revoked on another node or with the
/// <c>keys revoke</c> command stops working here within <see cref="Lifetime"/>. Only keys that exist are kept, so
/// made-up ids cannot fill it.
/// </summary>
public sealed class ApiKeyCache(TimeProvider clock)
{
    /// <summary>How long a key read from the database is trusted: the bound on a revocation made elsewhere.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, (ApiKey Key, DateTimeOffset ReadAt)> _keys = new(StringComparer.Ordinal);

    /// <summary>The key <paramref name="id"/>, from the cache while it is fresh, else from the database; null when there is none.</summary>
    public async Task<ApiKey?> FindAsync(IDocumentStore store, string id, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(store);
        var now = clock.GetUtcNow();
        if (_keys.TryGetValue(id, out var kept) && now - kept.ReadAt < Lifetime)
        {
            return kept.Key;
        }

        await using var session = store.QuerySession();
        var key = await session.LoadAsync<ApiKey>(id, cancellation);
        if (key is null)
        {
            _keys.TryRemove(id, out _);
        }
        else
        {
            _keys[id] = (key, now);
        }

        return key;
    }

    /// <summary>Forgets a key (it was revoked), so that the next request reads it again.</summary>
    public void Forget(string id) => _keys.TryRemove(id, out _);
}

/// <summary>
/// Authenticates the <c>X-Api-Key</c> header against the stored hashes (through <see cref="ApiKeyCache"/>). No header: no result (another scheme or a
/// public read may apply). A header that does not name an active key: failure, so the request gets 401.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder, IDocumentStore store, ApiKeyCache keys)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";
    public const string DevelopmentClient = "dev";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Open endpoints (health probes, the API description) need no key, so none is looked up: /health/live must
        // answer without the database even when a probe sends credentials.
        if (!Request.Headers.TryGetValue(Header, out var values) || Context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return AuthenticateResult.NoResult();
        }

        var presented = values.ToString().Trim();
        if (Options.DevelopmentKey is { Length: > 0 } development && FixedTimeEquals(presented, development))
        {
            return Success(DevelopmentClient, Roles.All, keyId: "development");
        }

        if (!ApiKey.TryParse(presented, out var id, out var secret))
        {
            return AuthenticateResult.Fail($"the {Header} header does not hold a key of this ledger (ilk_…)");
        }

        var key = await keys.FindAsync(store, id, Context.RequestAborted);
        if (key is null || !key.Matches(secret))
        {
            return AuthenticateResult.Fail("the API key is not known");
        }

        if (key.RevokedAt is { } revoked)
        {
            return AuthenticateResult.Fail($"the API key {key.Id} was revoked at {revoked:O}");
        }

        return key.ExpiresAt <= TimeProvider.System.GetUtcNow()
            ? AuthenticateResult.Fail($"the API key {key.Id} expired at {key.ExpiresAt:O}")
            : Success(key.Client, key.Roles, key.Id);
    }

    private static AuthenticateResult Success(string client, IEnumerable<string> roles, string keyId)
    {
        var identity = new ClaimsIdentity(SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.Name, client));
        identity.AddClaim(new Claim("key_id", keyId));
        identity.AddClaims(roles.Select(role => new Claim(ClaimTypes.Role, role)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));
}
