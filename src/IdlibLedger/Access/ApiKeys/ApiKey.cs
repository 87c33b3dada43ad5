using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace IdlibLedger.Access.ApiKeys;

/// <summary>
/// An integrating system's key: whom it names, which roles it holds, until when. Only a hash of the secret is
/// stored; the key itself (<c>ilk_{id}_{secret}</c>) is shown once, when it is created.
/// </summary>
public sealed partial class ApiKey
{
    public const string Prefix = "ilk_";

    public string Id { get; set; } = string.Empty;

    public string Client { get; set; } = string.Empty;

    public string[] Roles { get; set; } = [];

    /// <summary>SHA-256 of the secret, hex. The secret has 256 random bits, so a plain hash cannot be reversed.</summary>
    public string SecretHash { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public string CreatedBy { get; set; } = string.Empty;

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevokedBy { get; set; }

    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && now < ExpiresAt;

    /// <summary>A new key: the document to store and the key to hand out once.</summary>
    public static (ApiKey Stored, string Key) Issue(string client, IEnumerable<string> roles, DateTimeOffset now, DateTimeOffset expiresAt, string createdBy)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var stored = new ApiKey
        {
            Id = id,
            Client = client,
            Roles = [.. roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            SecretHash = Hash(secret),
            CreatedAt = now,
            CreatedBy = createdBy,
            ExpiresAt = expiresAt,
        };
        return (stored, $"{Prefix}{id}_{secret}");
    }

    /// <summary>Splits a presented key into its id and secret; false when it is not of the ledger's form.</summary>
    public static bool TryParse(string presented, out string id, out string secret)
    {
        id = secret = string.Empty;
        var match = KeyForm().Match(presented);
        if (!match.Success)
        {
            return false;
        }

        id = match.Groups["id"].Value;
        secret = match.Groups["secret"].Value;
        return true;
    }

    /// <summary>Compares in constant time, so the answer's timing says nothing about the stored hash.</summary>
    public bool Matches(string secret) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(SecretHash));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("^ilk_(?<id>[0-9a-f]{16})_(?<secret>[A-Za-z0-9_-]{43})$")]
    private static partial Regex KeyForm();
}
