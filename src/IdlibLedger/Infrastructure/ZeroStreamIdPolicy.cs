using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Wolverine.Http;
using Wolverine.Http.CodeGen;
using Wolverine.Marten;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// A command on the all-zero stream id (<c>POST /api/attacks/00000000-…/corrections</c>) is answered 404 like any
/// unknown id. Marten refuses to load an empty Guid (it throws), so the check runs before the aggregate is loaded.
/// </summary>
public sealed class ZeroStreamIdPolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        ArgumentNullException.ThrowIfNull(chains);
        foreach (var chain in chains.Where(LoadsAnAggregate))
        {
            var check = new MethodCall(typeof(ZeroStreamIdPolicy), nameof(RefuseZeroIds));
            chain.Middleware.InsertRange(0, [check, new MaybeEndWithResultFrame(check.ReturnVariable!)]);
        }
    }

    /// <summary>Called by the generated endpoint code: continue, or stop with a 404.</summary>
    public static IResult RefuseZeroIds(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        foreach (var (name, value) in httpContext.Request.RouteValues)
        {
            if (value is string text && Guid.TryParse(text, out var id) && id == Guid.Empty)
            {
                return LedgerProblems.NotFound($"{name} {text} names no stream: the all-zero UUID is never an id here").ToResult();
            }
        }

        return WolverineContinue.Result();
    }

    private static bool LoadsAnAggregate(HttpChain chain) =>
        chain.Method.Method.GetParameters().Any(p => p.IsDefined(typeof(WriteAggregateAttribute), inherit: true) || p.IsDefined(typeof(ReadAggregateAttribute), inherit: true));
}
