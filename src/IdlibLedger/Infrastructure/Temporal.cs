using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// The two time axes of every read (docs/domain.md, "Time"): <c>at</c> is valid time (the world at that moment),
/// <c>asOf</c> is transaction time (what the ledger had recorded by then). Both default to now. A date
/// without a time means the end of that day (UTC), so "as of 2020-03-05" includes what was recorded that day.
/// </summary>
public sealed record Temporal(DateTimeOffset At, DateTimeOffset AsOf)
{
    /// <summary>Parses <c>at</c>/<c>asOf</c> query values, or names the one that is wrong (<see cref="TimeQuery.TryParse"/>).</summary>
    public static bool TryParse(string? at, string? asOf, LedgerClock clock, out Temporal temporal, [NotNullWhen(false)] out ProblemHttpResult? problem) =>
        new TimeQuery(at, asOf).TryParse(clock, out temporal, out problem);

    /// <summary>
    /// Parses a time query value: an ISO 8601 date or date-time. A bare date is the start of that day, or
    /// its last microsecond with <paramref name="endOfDay"/>. Errors go to <paramref name="errors"/>.
    /// </summary>
    public static DateTimeOffset? ParseBound(string? text, string name, bool endOfDay, IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!LedgerJson.TryParseInstant(text, out var value, out var dateOnly))
        {
            errors[name] = [$"'{text}' is not an ISO 8601 date (2020-02-28) or date-time (2020-02-28T12:00:00Z)"];
            return null;
        }

        // PostgreSQL keeps microseconds: the last one of the day is the day's end.
        if (!dateOnly || !endOfDay)
        {
            return value;
        }

        return value >= DateTimeOffset.MaxValue.AddDays(-1) ? DateTimeOffset.MaxValue : value.AddDays(1).AddTicks(-TimeSpan.TicksPerMicrosecond);
    }
}
