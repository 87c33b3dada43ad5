using System.Security.Claims;
using IdlibLedger.Access;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace IdlibLedger.Territory.ControlChanges;

public static class RetractControlChangeEndpoint
{
    /// <summary>Before the decider: the caller recorded the change (or is an admin), the version it saw is current, and it is not retracted already.</summary>
    public static ProblemDetails Before(Retraction command, ControlChange change, ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(change);
        return Revisions.Allow(user, change, command.ExpectedVersion, "retract")
            ?? WolverineContinue.NoProblems;
    }

    public static ControlChangeRetracted Decide(Retraction command, ControlChange change)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(change);
        return new ControlChangeRetracted(change.Id, command.Reason!.Trim());
    }

    /// <summary>Retract a control change</summary>
    /// <remarks>Withdraws the change for a reason: from the retraction's recording on, the control map, its shares, front lines and the holder of a point no longer apply it (a read with an earlier `asOf` still does). The change and its history stay readable by id, with `retracted: true`. Only the client that recorded it or an admin may retract it (403); 404 for an unknown id; 409 for a stale `expectedVersion` or a change already retracted.</remarks>
    [WolverinePost("/api/control-changes/{id}/retraction", OperationId = "RetractControlChange")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(
        Retraction command,
        [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] ControlChange change) =>
        (new Receipt(change.Id, change.Version + 1, AlreadyRecorded: false), [Decide(command, change)]);
}
