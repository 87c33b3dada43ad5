using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;

namespace IdlibLedger.Attacks.Reporting;

/// <summary>The answer to a report: where the report lives and its version.</summary>
public sealed record AttackReceipt(Guid Id, int Version, bool AlreadyRecorded);

public static class ReportAttackEndpoint
{
    /// <summary>The decider: a valid report becomes one AttackReported event.</summary>
    public static AttackReported Decide(ReportAttack command, Guid attackId) =>
        new(attackId, command.ToFacts(), command.ReportedBy!.Trim());

    /// <summary>
    /// The HTTP side: names the stream (so retries map to it), hands the validated command to Wolverine and
    /// answers 201 for a new report, 200 with the same Location for a retry of one already recorded.
    /// </summary>
    [WolverinePost("/api/attacks", OperationId = "ReportAttack")]
    [ForReporters]
    [Tags("Attacks")]
    [ProducesResponseType<AttackReceipt>(StatusCodes.Status201Created)]
    [ProducesResponseType<AttackReceipt>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static async Task<IResult> Post(
        ReportAttack command,
        HttpResponse response,
        IMessageBus bus,
        CancellationToken cancellation)
    {
        var receipt = await bus.InvokeAsync<AttackReceipt>(command with { Id = command.Id ?? StreamIds.New() }, cancellation);
        var location = $"/api/attacks/{receipt.Id}";
        if (receipt.AlreadyRecorded)
        {
            response.Headers.Location = location;
            return Results.Ok(receipt);
        }

        return Results.Created(location, receipt);
    }
}

/// <summary>The Wolverine handler of ReportAttack: starts the attack's stream, or recognises a retry.</summary>
public static class ReportAttackHandler
{
    public static async Task<AttackReceipt> Handle(ReportAttack command, IDocumentSession session, CancellationToken cancellation)
    {
        var attackId = command.Id ?? throw new ArgumentException("ReportAttack reaches its handler with the stream id chosen", nameof(command));
        var existing = await session.Events.FetchStreamStateAsync(attackId, cancellation);
        if (existing is not null)
        {
            // A retry of a report already recorded: answer as before, append nothing.
            return new AttackReceipt(attackId, (int)existing.Version, AlreadyRecorded: true);
        }

        session.Events.StartStream<AttackReport>(attackId, ReportAttackEndpoint.Decide(command, attackId));
        return new AttackReceipt(attackId, 1, AlreadyRecorded: false);
    }
}
