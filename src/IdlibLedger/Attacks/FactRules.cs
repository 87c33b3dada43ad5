using FluentValidation;
using IdlibLedger.Infrastructure;
using IdlibLedger.Spatial;

namespace IdlibLedger.Attacks;

/// <summary>Validation rules shared by reports and corrections, so both refuse the same things.</summary>
public static class FactRules
{
    public const int MaxTextLength = 4000;
    public const int MaxNameLength = 200;

    public static IRuleBuilderOptionsConditions<T, GeoJsonPoint?> MustBeValidPoint<T>(this IRuleBuilder<T, GeoJsonPoint?> rule) =>
        rule.Custom((point, context) =>
        {
            if (point is null)
            {
                return;
            }

            if (!string.Equals(point.Type, "Point", StringComparison.Ordinal))
            {
                context.AddFailure($"{context.PropertyPath}.type", "location must be a GeoJSON Point (\"type\": \"Point\")");
            }

            if (point.Coordinates is null)
            {
                context.AddFailure($"{context.PropertyPath}.coordinates", "coordinates are required: [longitude, latitude]");
                return;
            }

            if (PositionRules.Check(point.Coordinates) is { } defect)
            {
                var path = defect.Axis >= 0 ? $"{context.PropertyPath}.coordinates[{defect.Axis}]" : $"{context.PropertyPath}.coordinates";
                context.AddFailure(path, defect.Message);
            }
        });

    public sealed class SourceValidator : AbstractValidator<Source>
    {
        public SourceValidator(LedgerClock clock)
        {
            RuleFor(s => s.Outlet).NotEmpty().MaximumLength(MaxNameLength);
            RuleFor(s => s.Title).MaximumLength(MaxTextLength);
            RuleFor(s => s.Url)
                .Must(url => Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                .When(s => s.Url is not null)
                .WithMessage("url must be an absolute http(s) address");
            RuleFor(s => s.PublishedAt)
                .Must(date => date <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime.AddDays(1)))
                .When(s => s.PublishedAt is not null)
                .WithMessage("publishedAt cannot be in the future");
            RuleFor(s => s.ClaimedBy).MaximumLength(MaxNameLength);
        }
    }

    public sealed class CategoryCasualtiesValidator : AbstractValidator<CategoryCasualties>
    {
        public CategoryCasualtiesValidator()
        {
            RuleFor(c => c.Category).NotNull();
            RuleFor(c => c.Party)
                .NotEmpty().When(c => c.Category == CasualtyCategory.Military)
                .WithMessage("military casualties name the party they belonged to");
            RuleFor(c => c.Party).MaximumLength(MaxNameLength);
            RuleFor(c => c)
                .Must(c => c.Killed is not null || c.Injured is not null)
                .OverridePropertyName("killed")
                .WithMessage("give killed, injured or both");
            RuleFor(c => c.Killed!).SetValidator(new EstimateValidator()).When(c => c.Killed is not null);
            RuleFor(c => c.Injured!).SetValidator(new EstimateValidator()).When(c => c.Injured is not null);
        }
    }

    public sealed class EstimateValidator : AbstractValidator<Estimate>
    {
        public EstimateValidator()
        {
            RuleFor(e => e.Low).GreaterThanOrEqualTo(0);
            RuleFor(e => e.Best).GreaterThanOrEqualTo(0);
            RuleFor(e => e.High).GreaterThanOrEqualTo(0);
            RuleFor(e => e.Best).GreaterThanOrEqualTo(e => e.Low).WithMessage("best must not be below low (low ≤ best ≤ high)");
            RuleFor(e => e.High).GreaterThanOrEqualTo(e => e.Best).WithMessage("high must not be below best (low ≤ best ≤ high)");
        }
    }

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
    }
}
