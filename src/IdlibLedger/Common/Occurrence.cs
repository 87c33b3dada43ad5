using FluentValidation;
using System.Text.Json.Serialization;
using IdlibLedger.Infrastructure;

namespace IdlibLedger.Common;

/// <summary>When an attack happened (valid time), as reported: an instant or a range, and a precision.</summary>
/// <param name="OccurredAt">The instant it happened (UTC), or null when given as a range.</param>
/// <param name="OccurredFrom">Start of the range it happened in (UTC), or null when given as an instant.</param>
/// <param name="OccurredUntil">End (exclusive) of the range (UTC), or null when given as an instant.</param>
/// <param name="Precision">How precisely the time is known.</param>
public sealed record Occurrence(DateTimeOffset? OccurredAt, DateTimeOffset? OccurredFrom, DateTimeOffset? OccurredUntil, DatePrecision Precision)
{
    /// <summary>
    /// The half-open window [From, Until) the attack lies in. An explicit range wins; otherwise the instant
    /// is widened to the unit of its precision (the day, the week starting there, the month, the year).
    /// </summary>
    public (DateTimeOffset From, DateTimeOffset Until) Window()
    {
        if (OccurredFrom is { } from && OccurredUntil is { } until)
        {
            return (from, until > from ? until : from);
        }

        var at = (OccurredAt ?? OccurredFrom ?? OccurredUntil ?? DateTimeOffset.UnixEpoch).ToUniversalTime();
        var day = new DateTimeOffset(at.Year, at.Month, at.Day, 0, 0, 0, TimeSpan.Zero);
        return Precision switch
        {
            DatePrecision.Exact => (at, at),
            DatePrecision.Day => (day, day.AddDays(1)),
            DatePrecision.Days or DatePrecision.Week => (day, day.AddDays(7)),
            DatePrecision.Month => (new DateTimeOffset(at.Year, at.Month, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(at.Year, at.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1)),
            DatePrecision.Year => (new DateTimeOffset(at.Year, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(at.Year + 1, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            _ => (at, at),
        };
    }
}

/// <summary>How exactly the time is known (docs/domain.md, "Time"); cf. UCDP <c>date_prec</c>.</summary>
[JsonConverter(typeof(WireEnumConverter<DatePrecision>))]
public enum DatePrecision
{
    /// <summary>The instant is known.</summary>
    [JsonStringEnumMemberName("exact")] Exact,
    /// <summary>The day is known (UCDP 1).</summary>
    [JsonStringEnumMemberName("day")] Day,
    /// <summary>A range of 2 to 6 days (UCDP 2); needs occurredFrom/occurredUntil.</summary>
    [JsonStringEnumMemberName("days")] Days,
    /// <summary>The week is known (UCDP 3).</summary>
    [JsonStringEnumMemberName("week")] Week,
    /// <summary>The month is known (UCDP 4).</summary>
    [JsonStringEnumMemberName("month")] Month,
    /// <summary>The year is known (UCDP 5).</summary>
    [JsonStringEnumMemberName("year")] Year,
}

/// <summary>Rules on the time something occurred, shared by every command that states an occurrence.</summary>
public static class OccurrenceRules
{
    /// <summary>The shortest window of <see cref="DatePrecision.Days"/> (UCDP <c>date_prec</c> 2: 2 to 6 days); one day is <c>day</c>.</summary>
    public static readonly TimeSpan MinDaysWindow = TimeSpan.FromDays(2);

    /// <summary>The longest window of <see cref="DatePrecision.Days"/>; a longer one is <c>week</c> or coarser.</summary>
    public static readonly TimeSpan MaxDaysWindow = TimeSpan.FromDays(6);

    /// <summary>Rules on the time an attack occurred: a valid instant or range, never in the future.</summary>
    public static void AddOccurrenceRules<T>(
        AbstractValidator<T> validator,
        Func<T, DateTimeOffset?> at,
        Func<T, DateTimeOffset?> from,
        Func<T, DateTimeOffset?> until,
        Func<T, DatePrecision?> precision,
        LedgerClock clock)
    {
        validator.RuleFor(c => at(c))
            .Must((_, value) => value is null || value <= clock.GetUtcNow())
            .OverridePropertyName("occurredAt")
            .WithMessage("occurredAt cannot be in the future");
        validator.RuleFor(c => from(c))
            .Must((_, value) => value is null || value <= clock.GetUtcNow())
            .OverridePropertyName("occurredFrom")
            .WithMessage("occurredFrom cannot be in the future");
        validator.RuleFor(c => until(c))
            .Must((c, value) => value is null || from(c) is null || value >= from(c))
            .OverridePropertyName("occurredUntil")
            .WithMessage("occurredUntil must not be before occurredFrom");
        validator.RuleFor(c => c)
            .Must(c => at(c) is null || (from(c) is null && until(c) is null))
            .OverridePropertyName("occurredAt")
            .WithMessage("give either occurredAt or occurredFrom/occurredUntil, not both");
        validator.RuleFor(c => c)
            .Must(c => (from(c) is null) == (until(c) is null))
            .OverridePropertyName("occurredUntil")
            .WithMessage("occurredFrom and occurredUntil go together");
        validator.RuleFor(c => precision(c))
            .Must((c, p) => p != DatePrecision.Days || (from(c) is not null && until(c) is not null))
            .OverridePropertyName("datePrecision")
            .WithMessage("datePrecision 'days' needs occurredFrom and occurredUntil");
        validator.RuleFor(c => c)
            .Must(c => precision(c) != DatePrecision.Days || from(c) is not { } f || until(c) is not { } u
                || (u - f >= MinDaysWindow && u - f <= MaxDaysWindow))
            .OverridePropertyName("occurredUntil")
            .WithMessage("datePrecision 'days' is a range of 2 to 6 days: occurredUntil must be 2 to 6 days after occurredFrom");
    }
}
