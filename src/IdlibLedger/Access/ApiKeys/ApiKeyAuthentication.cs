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
/// Authenticates the <c>X-Api-Key</c> header against the stored hashes. No header: no result (another scheme or a
/// public read may apply). A header that does not name an active key: failure, so the request gets 401.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder, IDocumentStore store)
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

        await using var session = store.QuerySession();
        var key = await session.LoadAsync<ApiKey>(id, Context.RequestAborted);
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
