using System.Security.Claims;
using FluentValidation;
using IdlibLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace IdlibLedger.Common;

/// <summary>One entry of a fact's history: what happened to it, when the ledger recorded it, and why.</summary>
/// <param name="Version">The version this change produced.</param>
/// <param name="Change">What happened: reported/recorded, corrected, disputed or retracted.</param>
/// <param name="RecordedAt">When the ledger recorded it (transaction time, UTC).</param>
/// <param name="By">Who made the change (the reporter, the corrector, the disputing party, or the client whose credentials recorded it).</param>
/// <param name="Reason">Why, for corrections, disputes and retractions; null otherwise.</param>
/// <param name="Fields">The fields a correction changed, named as in the command; empty otherwise.</param>
public sealed record Revision(int Version, string Change, DateTimeOffset RecordedAt, string By, string? Reason, IReadOnlyList<string> Fields);

/// <summary>Retraction: withdraws a recorded fact for a reason. The fact and its history stay readable by id; reads from then on leave it out.</summary>
/// <param name="ExpectedVersion">The version the caller read (&gt; 0); 409 when it is not the current one.</param>
/// <param name="Reason">Why the fact is retracted. Required; free text, at most 4000 characters.</param>
public sealed record Retraction(long ExpectedVersion, string? Reason)
{
    public sealed class Validator : AbstractValidator<Retraction>
    {
        public Validator()
        {
            RuleFor(c => c.ExpectedVersion).GreaterThan(0);
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
        }
    }
}

/// <summary>A fact that can be corrected and retracted: what the revision rules read of its aggregate.</summary>
public interface IRevisable
{
    /// <summary>The stream's version as loaded.</summary>
    int Version { get; }

    bool Retracted { get; }

    /// <summary>The client whose credentials recorded the fact (its first event's user name).</summary>
    string? RecordedBy { get; }

    /// <summary>What the fact is called in problem texts ("corridor") and its id there.</summary>
    (string What, object Id) Named { get; }
}

/// <summary>
/// The rules every correction and retraction follows, whatever the fact: the caller names the version it saw (a
/// stale one is 409; Marten checks again at commit), only the client that recorded the fact or an admin revises
/// it (403), and a retracted fact takes no further revision (409).
/// </summary>
public static class Revisions
{
    /// <summary>409 unless <paramref name="expectedVersion"/> is the fact's current <paramref name="version"/>.</summary>
    public static ProblemDetails? Check(long expectedVersion, long version, string what, object id) =>
        expectedVersion == version
            ? null
            : LedgerProblems.Conflict($"{what} {id} is at version {version}, not {expectedVersion}; read it again and send the command with expectedVersion {version}");

    /// <summary>403 unless the caller recorded the fact (the credentials' name on its first event) or is an admin.</summary>
    public static ProblemDetails? MayBeRevisedBy(ClaimsPrincipal caller, string? recordedBy, string what, object id, string change)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.IsInRole(Access.Roles.Admin) || string.Equals(caller.Identity?.Name, recordedBy, StringComparison.Ordinal)
            ? null
            : new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = $"Only the client that recorded the {what} can revise it",
                Type = "https://www.rfc-editor.org/rfc/rfc9110#name-403-forbidden",
                Detail = $"{what} {id} was recorded by '{recordedBy}'; '{caller.Identity?.Name}' may not {change} it (an admin may). Nothing was recorded.",
            };
    }

    /// <summary>409 when the fact was retracted: it stays readable but takes no further revision.</summary>
    public static ProblemDetails? NotRetracted(bool retracted, string what, object id, long version) =>
        retracted ? LedgerProblems.Conflict($"{what} {id} was retracted at version {version}; it can no longer be revised") : null;

    /// <summary>All three checks on <paramref name="fact"/>, in the order a caller meets them: who, which version, still open.</summary>
    public static ProblemDetails? Allow(ClaimsPrincipal caller, IRevisable fact, long expectedVersion, string change)
    {
        ArgumentNullException.ThrowIfNull(fact);
        var (what, id) = fact.Named;
        return MayBeRevisedBy(caller, fact.RecordedBy, what, id, change) ?? Check(expectedVersion, fact.Version, what, id)
            ?? NotRetracted(fact.Retracted, what, id, fact.Version);
    }
}
