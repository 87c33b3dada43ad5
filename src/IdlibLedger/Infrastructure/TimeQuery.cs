using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// The <c>at</c>/<c>asOf</c> query parameters of a read, as sent (see <see cref="Temporal"/>). Reads that take
/// only these bind it with <c>[AsParameters]</c>; query records with more parameters hand theirs over as a
/// <see cref="TimeQuery"/>, so every read parses and refuses them alike.
/// </summary>
/// <param name="At">Valid time: the moment in the world the answer describes, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
/// <param name="AsOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
public sealed record TimeQuery([FromQuery(Name = "at")] string? At = null, [FromQuery(Name = "asOf")] string? AsOf = null)
{
    /// <summary>Both bounds as exact instants: how a read made of other reads asks each of them for the same moment.</summary>
    public static TimeQuery Of(Temporal temporal)
    {
        ArgumentNullException.ThrowIfNull(temporal);
        return new(temporal.At.ToString("O", CultureInfo.InvariantCulture), temporal.AsOf.ToString("O", CultureInfo.InvariantCulture));
    }

    /// <summary>The bounds (now where one is not given), or the 400 naming the one that is wrong.</summary>
    public bool TryParse(LedgerClock clock, out Temporal temporal, [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        var errors = new Dictionary<string, string[]>();
        temporal = Parse(clock, errors);
        problem = errors.Count > 0 ? QueryProblems.Invalid(errors) : null;
        return problem is null;
    }

    /// <summary>The bounds (now where one is not given); a wrong one goes to <paramref name="errors"/>, beside the read's other parameters.</summary>
    public Temporal Parse(LedgerClock clock, IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var now = clock.GetUtcNow();
        return new Temporal(
            Temporal.ParseBound(At, "at", endOfDay: true, errors) ?? now,
            Temporal.ParseBound(AsOf, "asOf", endOfDay: true, errors) ?? now);
    }
}

/// <summary>The 400 of a read whose query parameters are wrong.</summary>
public static class QueryProblems
{
    public static ProblemHttpResult Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(LedgerProblems.Invalid(errors, "Fix the query parameters named under 'errors'."));
}
