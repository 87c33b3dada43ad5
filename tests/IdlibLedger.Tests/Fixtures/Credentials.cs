using System.Net.Http.Headers;
using System.Security.Cryptography;
using Alba;
using IdlibLedger.Access;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdlibLedger.Tests.Fixtures;

/// <summary>
/// How the tests authenticate: the test host trusts bearer tokens signed with a key made for this test run
/// (configured like any OpenID Connect provider's: issuer, audience, signing key), and the tests mint them.
/// Authentication stays on everywhere.
/// </summary>
public static class Credentials
{
    public const string Issuer = "https://issuer.idlib-ledger.test";
    public const string Audience = "idlib-ledger";

    /// <summary>The client every test acts as unless it says otherwise: a desk holding every role.</summary>
    public const string TestDesk = "test-desk";

    /// <summary>The HMAC key of this test run (base64), as Ledger:Jwt:SigningKeys holds it.</summary>
    public static string SigningKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>A signed token naming <paramref name="subject"/> with <paramref name="roles"/>, valid for an hour unless <paramref name="expires"/> says otherwise.</summary>
    public static string Token(string subject, IEnumerable<string> roles, DateTime? expires = null, string? audience = null, string? signingKey = null)
    {
        var now = DateTime.UtcNow;
        var notBefore = expires is { } end && end < now ? end.AddHours(-1) : now.AddMinutes(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience ?? Audience,
            NotBefore = notBefore,
            IssuedAt = notBefore,
            Expires = expires ?? now.AddHours(1),
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["roles"] = roles.ToArray() },
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Convert.FromBase64String(signingKey ?? SigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>A client of the test host that sends a bearer token for <paramref name="subject"/> holding <paramref name="roles"/> (default: every role).</summary>
    public static HttpClient Client(this IAlbaHost host, string subject = TestDesk, params string[] roles)
    {
        ArgumentNullException.ThrowIfNull(host);
        var client = host.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(subject, roles.Length == 0 ? Roles.All : roles));
        return client;
    }

    /// <summary>A client of the test host that sends no credentials at all.</summary>
    public static HttpClient AnonymousClient(this IAlbaHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Server.CreateClient();
    }

    /// <summary>A client of the test host that sends <paramref name="apiKey"/> in X-Api-Key.</summary>
    public static HttpClient ClientWithKey(this IAlbaHost host, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(host);
        var client = host.Server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }
}
