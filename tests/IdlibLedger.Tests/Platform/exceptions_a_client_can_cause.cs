using IdlibLedger.Infrastructure;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

/// <summary>
/// LedgerExceptionHandler: a command whose checks passed but whose decision finds the ledger changed in between
/// (a corridor's covering ceasefire retracted by another request) answers 409 with the reason, not a 500.
/// </summary>
public sealed class exceptions_a_client_can_cause
{
    [Fact]
    public void a_state_changed_between_checks_and_decision_is_409_with_its_reason()
    {
        var problem = LedgerExceptionHandler.ToProblem(new StateChangedException("no ceasefire covers the route any longer"));

        problem.ShouldNotBeNull();
        problem.Status.ShouldBe(409);
        problem.Detail.ShouldBe("no ceasefire covers the route any longer");
    }

    [Fact]
    public void an_exception_no_client_can_cause_stays_a_500()
    {
        LedgerExceptionHandler.ToProblem(new InvalidOperationException("a bug")).ShouldBeNull();
    }
}
