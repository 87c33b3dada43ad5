using Microsoft.AspNetCore.Authorization;

namespace IdlibLedger.Access;

/// <summary>The roles a credential can hold (an API key's roles, a token's roles claim). docs/security.md has the table.</summary>
public static class Roles
{
    /// <summary>Reads the read models. Every other role includes it.</summary>
    public const string Viewer = "viewer";

    /// <summary>Attacks, corrections, retractions, disputes, claims, casualty figures, batch ingest.</summary>
    public const string Reporter = "reporter";

    /// <summary>Territory, proposals and their answers, observation posts, negotiations, ceasefires, violations, corridors.</summary>
    public const string Analyst = "analyst";

    /// <summary>Audit reads, replay, snapshot, audit export, signing checkpoints.</summary>
    public const string Auditor = "auditor";

    /// <summary>Imports, key management, regions; passes every other policy too.</summary>
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Viewer, Reporter, Analyst, Auditor, Admin];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}

/// <summary>The access policies; every endpoint declares exactly one of them (or is anonymous on purpose).</summary>
public static class Policies
{
    public const string Read = "read";
    public const string Report = "report";
    public const string Analyse = "analyse";
    public const string Audit = "audit";
    public const string Administer = "administer";

    /// <summary>The roles that satisfy each policy (a read may also be public: <c>Ledger:PublicReads</c>).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> RolesFor = new Dictionary<string, string[]>
    {
        [Read] = [.. Roles.All],
        [Report] = [Roles.Reporter, Roles.Admin],
        [Analyse] = [Roles.Analyst, Roles.Admin],
        [Audit] = [Roles.Auditor, Roles.Admin],
        [Administer] = [Roles.Admin],
    };
}

/// <summary>A read of the read models: role <c>viewer</c> (held by every role), or anyone when reads are public.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class ForViewersAttribute() : AuthorizeAttribute(Policies.Read);

/// <summary>Writes about attacks and casualties: role <c>reporter</c>.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class ForReportersAttribute() : AuthorizeAttribute(Policies.Report);

/// <summary>Writes about territory, negotiations and ceasefires: role <c>analyst</c>.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class ForAnalystsAttribute() : AuthorizeAttribute(Policies.Analyse);

/// <summary>The audit trail: role <c>auditor</c>. Never public.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class ForAuditorsAttribute() : AuthorizeAttribute(Policies.Audit);

/// <summary>Imports, regions and keys: role <c>admin</c>.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class ForAdminsAttribute() : AuthorizeAttribute(Policies.Administer);
