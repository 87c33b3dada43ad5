namespace IdlibLedger.Infrastructure;

/// <summary>The answer to a command that created or changed a stream: its id and version, and whether it was a retry.</summary>
/// <param name="Id">The stream's id.</param>
/// <param name="Version">The stream's version after the command; the expectedVersion of the next one.</param>
/// <param name="AlreadyRecorded">true when the command was a retry of one already recorded (nothing was appended).</param>
public sealed record Receipt(Guid Id, long Version, bool AlreadyRecorded)
{
    /// <summary>
    /// The HTTP answer to a creating command (<see cref="Streams"/>): 201 with the new stream's Location, 200 with
    /// the same Location for a retry of one already recorded (nothing appended), or the refusal.
    /// </summary>
    public static IResult Answer(string route, StreamStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        return start switch
        {
            { Refusal: { } refusal } => refusal.ToResult(),
            { Receipt: { AlreadyRecorded: true } receipt } => new AlreadyRecordedResult($"{route}/{receipt.Id}", receipt),
            { Receipt: { } receipt } => Results.Created($"{route}/{receipt.Id}", receipt),
            _ => throw new ArgumentException("a stream start has a receipt or a refusal", nameof(start)),
        };
    }

    private sealed class AlreadyRecordedResult(string location, Receipt receipt) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return Results.Ok(receipt).ExecuteAsync(httpContext);
        }
    }
}
