using Microsoft.AspNetCore.Mvc;

namespace IdlibLedger.Infrastructure;

/// <summary>The ProblemDetails (RFC 9457) the ledger answers with, built in one place so they read alike.</summary>
public static class LedgerProblems
{
    public static ProblemDetails Conflict(string detail) => new()
    {
        Status = StatusCodes.Status409Conflict,
        Title = "The command conflicts with the ledger's current state",
        Type = "https://www.rfc-editor.org/rfc/rfc9110#name-409-conflict",
        Detail = detail,
    };

    public static ProblemDetails NotFound(string detail) => new()
    {
        Status = StatusCodes.Status404NotFound,
        Title = "Not found",
        Type = "https://www.rfc-editor.org/rfc/rfc9110#name-404-not-found",
        Detail = detail,
    };

    /// <summary>A 400 naming each wrong field (camelCase JSON paths, as the client sent them).</summary>
    public static HttpValidationProblemDetails Invalid(IDictionary<string, string[]> errors, string? detail = null) => new(errors)
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "One or more fields are invalid",
        Type = "https://www.rfc-editor.org/rfc/rfc9110#name-400-bad-request",
        Detail = detail ?? "Nothing was recorded. Correct the fields named under 'errors' and send the command again.",
    };

    public static HttpValidationProblemDetails Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult ToResult(this ProblemDetails problem) => Results.Problem(problem);
}
