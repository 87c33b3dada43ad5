using System.Text.Json;
using JasperFx;
using JasperFx.Events;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// Turns the exceptions a client can cause into ProblemDetails: unreadable JSON or CSV → 400 naming the field (or the
/// body), an oversized body → 413, a concurrency conflict → 409; and an unreachable database → 503 with Retry-After.
/// Anything else stays a 500.
/// </summary>
public sealed partial class LedgerExceptionHandler(IProblemDetailsService problems, ILogger<LedgerExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var problem = ToProblem(exception);
        if (problem is null)
        {
            return false;
        }

        LogRefused(logger, httpContext.Request.Method, httpContext.Request.Path, problem.Status, problem.Detail);
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            LogDatabaseUnavailable(logger, exception);
            httpContext.Response.Headers.RetryAfter = DatabaseRetrySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status400BadRequest;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    public static ProblemDetails? ToProblem(Exception exception) => exception switch
    {
        BadHttpRequestException { InnerException: JsonException json } => FromJson(json),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } tooLarge => new ProblemDetails
        {
            Status = StatusCodes.Status413PayloadTooLarge,
            Title = "The request body is too large",
            Detail = tooLarge.Message + " Nothing was recorded.",
            Type = "https://www.rfc-editor.org/rfc/rfc9110#name-413-content-too-large",
        },
        BadHttpRequestException bad => LedgerProblems.Invalid("body", bad.Message),
        // The CSV reader refuses a file it cannot read (a header naming a column twice): the file's fault, not ours.
        ArgumentException or InvalidDataException when exception.TargetSite?.DeclaringType?.Assembly == typeof(nietras.SeparatedValues.Sep).Assembly =>
            LedgerProblems.Invalid("body", "the CSV file cannot be read: " + exception.Message),
        ExistingStreamIdCollisionException or Marten.Exceptions.ExistingStreamIdCollisionException =>
            LedgerProblems.Conflict("the stream already exists; another request recorded it at the same time"),
        EventStreamUnexpectedMaxEventIdException => LedgerProblems.Conflict("the stream moved on while this command ran; read it again and retry with its current version"),
        ConcurrencyException concurrency => LedgerProblems.Conflict(concurrency.Message + " Read the current version and retry with it as expectedVersion."),
        StateChangedException changed => LedgerProblems.Conflict(changed.Message),
        _ when DatabaseUnavailable(exception) => new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "The database is unavailable",
            Detail = $"The ledger cannot reach its database just now. Retry after {DatabaseRetrySeconds} seconds; a write cut off " +
                "this way may or may not have been recorded, so send it again with the same Idempotency-Key.",
            Type = "https://www.rfc-editor.org/rfc/rfc9110#name-503-service-unavailable",
        },
        _ => null,
    };

    /// <summary>The Retry-After of a 503 while the database is unreachable: about what a PostgreSQL restart takes.</summary>
    public const int DatabaseRetrySeconds = 5;

    /// <summary>
    /// The database refused or dropped the connection, is shutting down or starting, or has no connection left:
    /// anywhere in the chain, since Marten and Wolverine wrap Npgsql's exceptions. Not a query's own error.
    /// </summary>
    private static bool DatabaseUnavailable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.PostgresException postgres:
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is Npgsql.PostgresErrorCodes.AdminShutdown or Npgsql.PostgresErrorCodes.CrashShutdown
                            or Npgsql.PostgresErrorCodes.CannotConnectNow or Npgsql.PostgresErrorCodes.TooManyConnections;
                case Npgsql.NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException:
                    return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database is unavailable")]
    private static partial void LogDatabaseUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused {Method} {Path} with {Status}: {Detail}")]
    private static partial void LogRefused(ILogger logger, string method, PathString path, int? status, string? detail);

    private static HttpValidationProblemDetails FromJson(JsonException json)
    {
        var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "body" : json.Path.TrimStart('$', '.');
        var message = json.InnerException is { } inner and not JsonException ? inner.Message : json.Message;
        // System.Text.Json appends its own path/position text; keep the first sentence, which says what is wrong.
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        message = cut > 0 ? message[..cut] : message;
        return LedgerProblems.Invalid(
            new Dictionary<string, string[]> { [field] = [message] },
            "The body is not the JSON this command expects. Nothing was recorded.");
    }
}

/// <summary>
/// The ledger changed between a command's checks and its decision (another request got in between): answered 409,
/// as a stale version is, so that the client reads again and retries.
/// </summary>
public sealed class StateChangedException(string message) : Exception(message);
