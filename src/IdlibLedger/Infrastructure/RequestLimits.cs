namespace IdlibLedger.Infrastructure;

/// <summary>
/// Refuses request bodies over the configured size with 413 ProblemDetails before anything reads them.
/// Kestrel enforces the same limit on streamed bodies; this also covers hosts without Kestrel (tests).
/// </summary>
public sealed class RequestLimits(RequestDelegate next, long maxBodyBytes, long maxImportBytes)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var isImport = Importing.ImportEndpoints.IsImport(context.Request.Path);
        var limit = isImport ? maxImportBytes : maxBodyBytes;
        if (isImport)
        {
            Importing.ImportEndpoints.AllowLargeBody(context, maxImportBytes);
        }

        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await Results.Problem(
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "The request body is too large",
                detail: $"The body has {context.Request.ContentLength} bytes; this ledger takes at most {limit} bytes here. Nothing was recorded.",
                type: "https://www.rfc-editor.org/rfc/rfc9110#name-413-content-too-large").ExecuteAsync(context);
            return;
        }

        await next(context);
    }
}
