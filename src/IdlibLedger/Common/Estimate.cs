using FluentValidation;
using System.Text.Json.Serialization;

namespace IdlibLedger.Common;

/// <summary>An estimate as UCDP gives it: <c>low ≤ best ≤ high</c>. A bare number in JSON means all three.</summary>
/// <param name="Low">Lowest estimate, ≥ 0.</param>
/// <param name="Best">Best estimate, low ≤ best ≤ high.</param>
/// <param name="High">Highest estimate.</param>
[JsonConverter(typeof(EstimateJsonConverter))]
public sealed record Estimate(int Low, int Best, int High)
{
    public static Estimate None { get; } = new(0, 0, 0);

    public static Estimate Exactly(int count) => new(count, count, count);

    public Estimate Plus(Estimate other) => new(Low + other.Low, Best + other.Best, High + other.High);

    public sealed class Validator : AbstractValidator<Estimate>
    {
        public Validator()
        {
            RuleFor(e => e.Low).GreaterThanOrEqualTo(0);
            RuleFor(e => e.Best).GreaterThanOrEqualTo(0);
            RuleFor(e => e.High).GreaterThanOrEqualTo(0);
            RuleFor(e => e.Best).GreaterThanOrEqualTo(e => e.Low).WithMessage("best must not be below low (low ≤ best ≤ high)");
            RuleFor(e => e.High).GreaterThanOrEqualTo(e => e.Best).WithMessage("high must not be below best (low ≤ best ≤ high)");
        }
    }
}
