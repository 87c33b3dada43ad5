using FluentValidation;
using FluentValidation.Results;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Wolverine.Http;
using Wolverine.Http.CodeGen;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// Runs the FluentValidation validator of an endpoint's request body (or query object) before the endpoint,
/// and answers 400 ProblemDetails naming each wrong field when it fails, so nothing is appended.
/// (WolverineFx.Http.FluentValidation is not available to us; this is the same idea in a few lines.)
/// </summary>
public sealed class FluentValidationPolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        ArgumentNullException.ThrowIfNull(chains);
        ArgumentNullException.ThrowIfNull(container);
        foreach (var chain in chains)
        {
            var validated = chain.HasRequestType ? chain.RequestType : chain.ComplexQueryStringType;
            if (validated is null || !container.RegistrationsFor(typeof(IValidator<>).MakeGenericType(validated)).Any())
            {
                continue;
            }

            chain.Metadata.ProducesValidationProblem();
            var validate = new MethodCall(typeof(FluentValidationPolicy), typeof(FluentValidationPolicy).GetMethod(nameof(ValidateAsync))!.MakeGenericMethod(validated));
            chain.Middleware.InsertRange(0, [validate, new MaybeEndWithResultFrame(validate.ReturnVariable!)]);
        }
    }

    /// <summary>Called by the generated endpoint code: continue, or stop with a 400.</summary>
    public static async Task<IResult> ValidateAsync<T>(IEnumerable<IValidator<T>> validators, T message)
    {
        ArgumentNullException.ThrowIfNull(validators);
        if (message is null)
        {
            return LedgerProblems.Invalid("body", "a JSON body is required").ToResult();
        }

        var failures = new List<ValidationFailure>();
        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(message);
            failures.AddRange(result.Errors);
        }

        if (failures.Count == 0)
        {
            return WolverineContinue.Result();
        }

        var errors = failures
            .GroupBy(f => string.IsNullOrEmpty(f.PropertyName) ? "body" : f.PropertyName)
            .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct().ToArray());
        return LedgerProblems.Invalid(errors).ToResult();
    }

    /// <summary>Field names in errors follow the JSON contract (camelCase), not the C# members.</summary>
    public static void UseJsonFieldNames()
    {
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) => member is null ? null : JsonName(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => member is null ? null : JsonName(member.Name);
    }

    private static string JsonName(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
