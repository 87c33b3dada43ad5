namespace IdlibLedger.Infrastructure;

/// <summary>
/// Refuses request bodies over the configured size with 413 ProblemDetails before anything reads them.
/// Kestrel enforces the same limit on streamed bodies; this also covers hosts without Kestrel (tests).
/// </summary>
public sealed class RequestLimits(RequestDelegate next, long maxBodyBytes)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.ContentLength > maxBodyBytes)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await Results.Problem(
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "The request body is too large",
                detail: $"The body has {context.Request.ContentLength} bytes; this ledger takes at most {maxBodyBytes} bytes per request. Nothing was recorded.",
                type: "https://www.rfc-editor.org/rfc/rfc9110#name-413-content-too-large").ExecuteAsync(context);
            return;
        }

        await next(context);
    }
}
