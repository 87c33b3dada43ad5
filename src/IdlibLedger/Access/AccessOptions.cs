namespace IdlibLedger.Access;

/// <summary>
/// Bearer tokens (section <c>Ledger:Jwt</c>): an OpenID Connect <see cref="Authority"/> whose discovery document
/// gives the signing keys, or <see cref="SigningKeys"/> given here; either turns bearer tokens on.
/// </summary>
public sealed class JwtOptions
{
    public string? Authority { get; set; }

    /// <summary>The expected <c>iss</c>; defaults to the authority's.</summary>
    public string? Issuer { get; set; }

    /// <summary>The expected <c>aud</c>; required when bearer tokens are on.</summary>
    public string? Audience { get; set; }

    /// <summary>Keys that sign the tokens: PEM public keys (RSA or EC), or base64 for an HMAC secret.</summary>
    public string[] SigningKeys { get; set; } = [];

    /// <summary>The claim holding the ledger's roles (a string or an array of strings).</summary>
    public string RolesClaim { get; set; } = "roles";

    /// <summary>The claim naming the caller, recorded as <c>recordedBy</c>.</summary>
    public string NameClaim { get; set; } = "sub";

    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) || SigningKeys.Length > 0;
}

/// <summary>A token bucket: bursts of up to <see cref="TokenLimit"/>, refilled by <see cref="TokensPerPeriod"/> every <see cref="PeriodSeconds"/>.</summary>
public sealed class TokenBucket
{
    public int TokenLimit { get; set; }

    public int TokensPerPeriod { get; set; }

    public double PeriodSeconds { get; set; } = 1;
}

/// <summary>Rate limits per client (section <c>Ledger:RateLimits</c>), separate for each kind of request.</summary>
public sealed class RateLimitOptions
{
    public TokenBucket Writes { get; set; } = new() { TokenLimit = 200, TokensPerPeriod = 100 };

    public TokenBucket Reads { get; set; } = new() { TokenLimit = 1000, TokensPerPeriod = 500 };

    public TokenBucket Imports { get; set; } = new() { TokenLimit = 5, TokensPerPeriod = 1, PeriodSeconds = 60 };

    /// <summary>Bulk reads: the attack exports, the audit bundle, the audit snapshot and the read-model check.</summary>
    public TokenBucket Exports { get; set; } = new() { TokenLimit = 20, TokensPerPeriod = 5, PeriodSeconds = 60 };

    /// <summary>Imports one instance runs at once, whoever sends them (each adds up to 450 MiB of memory: docs/operations.md).</summary>
    public int ConcurrentImports { get; set; } = 1;

    /// <summary>Requests the whole instance serves at once, and how many may wait; past both, 503 (load shedding).</summary>
    public ConcurrencyLimit Concurrency { get; set; } = new();
}
