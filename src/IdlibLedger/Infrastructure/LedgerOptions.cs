namespace IdlibLedger.Infrastructure;

/// <summary>The service's own settings, section "Ledger" (environment: <c>Ledger__SharedDataPath</c> …).</summary>
public sealed class LedgerOptions
{
    public const string Section = "Ledger";

    /// <summary>The PostgreSQL schema of the event store and the read models.</summary>
    public string Schema { get; set; } = "ledger";

    /// <summary>Create and update the schema at start-up; unset: everywhere but Production, where <c>db-apply</c> does it.</summary>
    public bool? ApplySchemaOnStartup { get; set; }

    /// <summary>Wolverine's handler code: compiled at start-up (Dynamic) or built in by <c>codegen write</c> (Static).</summary>
    public JasperFx.CodeGeneration.TypeLoadMode CodeGeneration { get; set; } = JasperFx.CodeGeneration.TypeLoadMode.Dynamic;

    /// <summary>Requests with a larger body are refused with 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Import files (POST /api/imports/…) may be up to this large.</summary>
    public long MaxImportBytes { get; set; } = Importing.ImportEndpoints.DefaultMaxImportBytes;

    /// <summary>How long an import's rejected rows can be downloaded (GET /api/imports/{id}/rejections).</summary>
    public double ImportRejectionDays { get; set; } = Importing.ImportLog.DefaultDays;

    /// <summary>Load the seed scenario into an empty ledger at start-up (on by default in Development).</summary>
    public bool? LoadDemoData { get; set; }

    /// <summary>Where the openly licensed reference data lives (../shared/data); optional.</summary>
    public string? SharedDataPath { get; set; }

    /// <summary>Most positions one geometry may have.</summary>
    public int MaxGeometryVertices { get; set; } = 10_000;

    /// <summary>Area of interest, "minLon,minLat,maxLon,maxLat": every position must lie inside (default: Syria with a margin).</summary>
    public string AreaOfInterest { get; set; } = "35.0,32.0,43.0,37.5";

    /// <summary>Reads need no credentials (dashboards on a public site); writes and the audit trail always do.</summary>
    public bool PublicReads { get; set; }

    /// <summary>How long an Idempotency-Key is remembered (at least 24 hours, as Stripe's are).</summary>
    public double IdempotencyKeyHours { get; set; } = 24;

    /// <summary>How long a new API key lives unless its creator says otherwise.</summary>
    public int ApiKeyDays { get; set; } = 365;

    /// <summary>Bearer tokens from an OpenID Connect provider (off unless an authority or a signing key is set).</summary>
    public Access.JwtOptions Jwt { get; set; } = new();

    /// <summary>Token buckets per client, one per kind of request.</summary>
    public Access.RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>The live stream of new events (GET /api/live): how often it polls, how many may listen.</summary>
    public Live.LiveOptions Live { get; set; } = new();

    /// <summary>Origins whose pages may call the API from a browser (none by default).</summary>
    public string[] CorsOrigins { get; set; } = [];

    /// <summary>The page at <c>/</c>: an optional tile server.</summary>
    public DashboardOptions Dashboard { get; set; } = new();

    public static LedgerOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<LedgerOptions>() ?? new LedgerOptions();
}
