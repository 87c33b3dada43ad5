using IdlibLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace IdlibLedger.Attacks;

/// <summary>
/// Optimistic concurrency for commands on a report: the client names the version it saw. Checked against the
/// version loaded (a stale one is 409); Marten checks again at commit, so a race between two writers is 409 too.
/// </summary>
public static class AttackVersions
{
    public static ProblemDetails? Check(long expectedVersion, AttackReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return expectedVersion == report.Version
            ? null
            : LedgerProblems.Conflict($"attack {report.Id} is at version {report.Version}, not {expectedVersion}; read it again and send the command with expectedVersion {report.Version}");
    }
}
