using System.Security.Claims;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace IdlibLedger.Casualties.Figures;

/// <summary>
/// CorrectCasualtyFigure: replaces the fields it carries, named as in the report, for a reason. Fields left out stay
/// as they were; <c>value</c> replaces a range, and <c>low</c>/<c>high</c> replace a value.
/// </summary>
/// <param name="ExpectedVersion">The version the corrector read (&gt; 0); 409 when it is not the current one.</param>
/// <param name="Reason">Why the figure is corrected. Required; free text, at most 4000 characters.</param>
/// <param name="Source">New source; absent or null keeps it.</param>
/// <param name="Metric">New metric; absent or null keeps it.</param>
/// <param name="Category">New category; absent or null keeps it.</param>
/// <param name="Qualifier">New qualifier; absent or null keeps it.</param>
/// <param name="Value">New number (whole, ≥ 0); it replaces a range. Not with low or high.</param>
/// <param name="Low">New low end of a range (≥ 0); it replaces a value, and then high is needed too unless the figure already has a range.</param>
/// <param name="High">New high end of a range, not below low; it replaces a value, and then low is needed too unless the figure already has a range.</param>
/// <param name="PeriodFrom">New first day of the period (YYYY-MM-DD); absent or null keeps it.</param>
/// <param name="PeriodUntil">New last day of the period, not before periodFrom; absent or null keeps it.</param>
/// <param name="Area">New area, free text, at most 200 characters; absent or null keeps it.</param>
public sealed record CorrectCasualtyFigure(
    long ExpectedVersion,
    string? Reason,
    Source? Source = null,
    FigureMetric? Metric = null,
    FigureCategory? Category = null,
    FigureQualifier? Qualifier = null,
    long? Value = null,
    long? Low = null,
    long? High = null,
    DateOnly? PeriodFrom = null,
    DateOnly? PeriodUntil = null,
    string? Area = null)
{
    public sealed class Validator : AbstractValidator<CorrectCasualtyFigure>
    {
        public Validator(LedgerClock clock)
        {
            RuleFor(c => c.ExpectedVersion).GreaterThan(0);
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
            RuleFor(c => c.Source).SetValidator(new Source.Validator(clock)!).When(c => c.Source is not null);
            RuleFor(c => c).Must(c => c.Value is null || (c.Low is null && c.High is null))
                .OverridePropertyName("value").WithMessage(FigureRules.ValueOrRange);
            RuleFor(c => c.Value).GreaterThanOrEqualTo(0);
            RuleFor(c => c.Low).GreaterThanOrEqualTo(0);
            RuleFor(c => c.High).GreaterThanOrEqualTo(c => c.Low ?? 0).When(c => c.High is not null).WithMessage(FigureRules.HighNotBelowLow);
            RuleFor(c => c.PeriodUntil).GreaterThanOrEqualTo(c => c.PeriodFrom).When(c => c.PeriodFrom is not null && c.PeriodUntil is not null)
                .WithMessage(FigureRules.PeriodInOrder);
            RuleFor(c => c.Area).NotEmpty().MaximumLength(Limits.Name).When(c => c.Area is not null);
            RuleFor(c => c)
                .Must(c => c.Source is not null || c.Metric is not null || c.Category is not null || c.Qualifier is not null || c.Value is not null
                        || c.Low is not null || c.High is not null || c.PeriodFrom is not null || c.PeriodUntil is not null || c.Area is not null)
                .OverridePropertyName("reason")
                .WithMessage("a correction changes at least one field of the figure");
        }
    }

    /// <summary>The figure as this correction makes it read, and the wire names of the fields that change.</summary>
    public (CasualtyFigureReported Figure, IReadOnlyList<string> Fields) Apply(CasualtyFigureReported current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var changes = new FieldChanges();
        // The number is one of two forms: a value, or a range. Giving one form replaces the other.
        var (value, low, high) = Value is not null ? (Value, (long?)null, (long?)null)
            : Low is not null || High is not null ? (null, Low ?? current.Low, High ?? current.High)
            : (current.Value, current.Low, current.High);
        var corrected = current with
        {
            Source = changes.Take("source", Source, current.Source),
            Metric = changes.TakeValue("metric", Metric, current.Metric),
            Category = changes.TakeValue("category", Category, current.Category),
            Qualifier = changes.TakeValue("qualifier", Qualifier, current.Qualifier),
            Value = value,
            Low = low,
            High = high,
            PeriodFrom = changes.TakeValue("periodFrom", PeriodFrom, current.PeriodFrom),
            PeriodUntil = changes.TakeValue("periodUntil", PeriodUntil, current.PeriodUntil),
            Area = changes.Take("area", Area?.Trim(), current.Area),
        };
        changes.Mark("value", value != current.Value);
        changes.Mark("low", low != current.Low);
        changes.Mark("high", high != current.High);
        return (corrected, changes.Names);
    }
}

public static class CorrectCasualtyFigureEndpoint
{
    /// <summary>Who may, which version, still open; then the correction must change something and leave a figure that holds together.</summary>
    public static ProblemDetails Before(CorrectCasualtyFigure command, CasualtyFigure figure, ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(figure);
        if (Revisions.Allow(user, figure, command.ExpectedVersion, "correct") is { } refused)
        {
            return refused;
        }

        var (corrected, fields) = command.Apply(figure.Fact);
        if (fields.Count == 0)
        {
            return LedgerProblems.Invalid("reason", $"the correction changes nothing: every field it gives already has that value at version {figure.Version}");
        }

        var errors = FigureRules.Check(corrected);
        return errors.Count == 0 ? WolverineContinue.NoProblems : LedgerProblems.Invalid(errors);
    }

    public static CasualtyFigureCorrected Decide(CorrectCasualtyFigure command, CasualtyFigure figure)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(figure);
        var (corrected, fields) = command.Apply(figure.Fact);
        return new CasualtyFigureCorrected(figure.Id, corrected, fields, command.Reason!.Trim());
    }

    /// <summary>Correct an aggregate casualty figure</summary>
    /// <remarks>Appends the figure as corrected: the fields given replace the current ones, the others stay (`value` replaces a range, `low`/`high` a value; `reportedBy` is not correctable). The totals' `figures` at an `asOf` before the correction show the original, after it the corrected figure. `expectedVersion` must be the current version (409 otherwise, or for a retracted figure); only the client that recorded the figure or an admin may correct it (403). 404 for an unknown id. Refused with 400 naming each wrong field (also when the corrected figure as a whole breaks a rule of the report, e.g. `periodUntil` before `periodFrom`), or `reason` when nothing would change; nothing is recorded then.</remarks>
    [WolverinePost("/api/casualty-figures/{id}/corrections", OperationId = "CorrectCasualtyFigure")]
    [ForReporters]
    [Tags("Casualties")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(
        CorrectCasualtyFigure command,
        [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] CasualtyFigure figure) =>
        (new Receipt(figure.Id, figure.Version + 1, AlreadyRecorded: false), [Decide(command, figure)]);
}

public static class RetractCasualtyFigureEndpoint
{
    public static ProblemDetails Before(Retraction command, CasualtyFigure figure, ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(figure);
        return Revisions.Allow(user, figure, command.ExpectedVersion, "retract")
            ?? WolverineContinue.NoProblems;
    }

    /// <summary>Retract an aggregate casualty figure</summary>
    /// <remarks>Retracts the figure: it stays readable by id (with `retracted: true` and its history) and leaves the totals' `figures` from then on; an `asOf` before the retraction still shows it. It takes no further correction or retraction. 403 unless the caller recorded it or is an admin; 404 for an unknown id; 409 for a stale `expectedVersion` or a figure already retracted.</remarks>
    [WolverinePost("/api/casualty-figures/{id}/retraction", OperationId = "RetractCasualtyFigure")]
    [ForReporters]
    [Tags("Casualties")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(
        Retraction command,
        [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] CasualtyFigure figure) =>
        (new Receipt(figure.Id, figure.Version + 1, AlreadyRecorded: false), [new CasualtyFigureRetracted(figure.Id, command.Reason!.Trim())]);
}
