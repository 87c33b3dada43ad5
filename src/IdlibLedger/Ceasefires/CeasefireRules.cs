using FluentValidation;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using IdlibLedger.Territory.Agreements;
using Marten;

namespace IdlibLedger.Ceasefires;

/// <summary>Rules a declaration and a correction of a ceasefire share.</summary>
public static class CeasefireRules
{
    /// <summary>Each party once: names that compare the same (<see cref="Parties"/>: trimmed, case-insensitive) are one party, so a second spelling is a 400 naming it.</summary>
    public static void NoPartyTwice<T>(IReadOnlyList<string>? parties, ValidationContext<T> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        for (var i = 0; parties is not null && i < parties.Count; i++)
        {
            var first = parties.Take(i).FirstOrDefault(p => p is not null && parties[i] is not null && Parties.Same(p, parties[i]));
            if (first is not null)
            {
                context.AddFailure($"parties[{i}]", $"'{parties[i]}' names the same party as '{first}' (party names compare trimmed and case-insensitively); give each party once");
            }
        }
    }

    /// <summary>The agreement <paramref name="id"/> names, or a 400 naming implementsAgreementId when the ledger holds none (no id: neither).</summary>
    public static async Task<(Agreement? Agreement, HttpValidationProblemDetails? Problem)> AgreementAsync(Guid? id, IQuerySession session, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (id is not { } agreementId)
        {
            return (null, null);
        }

        // A retracted agreement counts as none, as for a proposal's baseline.
        var agreement = await Agreement.StandingAsync(session, agreementId, null, cancellation);
        return agreement is null
            ? (null, LedgerProblems.Invalid("implementsAgreementId", $"no agreement {agreementId} is registered, or it was retracted"))
            : (agreement, null);
    }
}
