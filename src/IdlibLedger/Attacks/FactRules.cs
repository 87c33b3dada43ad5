using FluentValidation;
using IdlibLedger.Common;
using IdlibLedger.Spatial;
using IdlibLedger.Territory;

namespace IdlibLedger.Attacks;

/// <summary>Validation rules shared by reports and corrections, so both refuse the same things.</summary>
public static class FactRules
{
    /// <summary>A GeoJSON Point with valid coordinates inside the area of interest (Ledger:AreaOfInterest, as for geometries).</summary>
    public static IRuleBuilderOptionsConditions<T, GeoJsonPoint?> MustBeValidPoint<T>(this IRuleBuilder<T, GeoJsonPoint?> rule, GeometryLimits limits) =>
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
                return;
            }

            if (PositionRules.CheckInArea(point.Coordinates, limits.Rules) is { } outside)
            {
                context.AddFailure($"{context.PropertyPath}.coordinates", outside.Message + "; GeoJSON puts longitude first: [lon, lat]");
            }
        });

    public sealed class CategoryCasualtiesValidator : AbstractValidator<CategoryCasualties>
    {
        public CategoryCasualtiesValidator()
        {
            RuleFor(c => c.Category).NotNull();
            RuleFor(c => c.Party)
                .NotEmpty().When(c => c.Category == CasualtyCategory.Military)
                .WithMessage("military casualties name the party they belonged to");
            RuleFor(c => c.Party).MaximumLength(Limits.Name);
            RuleFor(c => c)
                .Must(c => c.Killed is not null || c.Injured is not null)
                .OverridePropertyName("killed")
                .WithMessage("give killed, injured or both");
            RuleFor(c => c.Killed!).SetValidator(new Estimate.Validator()).When(c => c.Killed is not null);
            RuleFor(c => c.Injured!).SetValidator(new Estimate.Validator()).When(c => c.Injured is not null);
        }
    }
}
