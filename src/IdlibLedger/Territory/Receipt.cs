namespace IdlibLedger.Territory;

/// <summary>The answer to a command that created or changed a stream: its id and version, and whether it was a retry.</summary>
public sealed record Receipt(Guid Id, long Version, bool AlreadyRecorded)
{
    public static IResult Created(string location, Guid id) => Results.Created(location, new Receipt(id, 1, false));

    /// <summary>A retry of a command already recorded: 200 with the same Location, nothing appended.</summary>
    public static IResult AlreadyRecordedAt(string location, Guid id) =>
        new AlreadyRecordedResult(location, new Receipt(id, 1, true));

    private sealed class AlreadyRecordedResult(string location, Receipt receipt) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return Results.Ok(receipt).ExecuteAsync(httpContext);
        }
    }
}
