using System.Text.Json;
using System.Text;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Importing;

/// <summary>A page of an import's rejections or warnings: the rows after a line, at most <c>limit</c> of them.</summary>
/// <param name="After">Only rows after this line: the X-Next-After header of the previous page; default 0 (from the first row).</param>
/// <param name="Limit">Most rows on the page, 1 to 10,000 (a row's warnings count as one row); default every row.</param>
public sealed record ImportLogPage([FromQuery(Name = "after")] long? After = null, [FromQuery(Name = "limit")] int? Limit = null);

public static class ImportEndpoints
{
    /// <summary>Import files are larger than commands: up to this many bytes (Ledger:MaxImportBytes).</summary>
    public const long DefaultMaxImportBytes = 64L * 1024 * 1024;

    /// <summary>Import a UCDP GED file</summary>
    /// <remarks>POST a UCDP GED CSV file (text/csv) as the body: every row becomes an attack report, a re-import adds nothing (a row's stream id comes from its UCDP id), and the answer counts imported, already present and rejected rows and warnings, shows the first rejections and warnings and links the downloads of all of them. A file without the GED columns is 400 naming them; another media type is 415.</remarks>
    /// <param name="reportedBy">Who reports the imported rows (recorded as each report's reportedBy); at most 200 characters.</param>
    /// <param name="anomalies">Rows whose own estimates disagree (low above best, best above high, best not the deaths' sum): `repair` (default) imports them with the documented repair and lists each as a warning; `reject` refuses them by line.</param>
    [WolverinePost("/api/imports/ucdp-ged", OperationId = "ImportUcdpGed")]
    [ForAdmins]
    [Tags("Imports")]
    [ProducesResponseType<ImportReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status415UnsupportedMediaType)]
    public static async Task<IResult> Post(HttpRequest request, string? reportedBy, string? anomalies, UcdpGedImporter importer, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(importer);
        if (request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Send the file as text/csv",
                detail: "The body is a UCDP GED CSV file (RFC 4180) with Content-Type text/csv. Nothing was recorded.");
        }

        if (reportedBy?.Trim().Length > Limits.Name)
        {
            return LedgerProblems.Invalid(nameof(reportedBy), $"reportedBy is at most {Limits.Name} characters").ToResult();
        }

        if (AnomaliesOf(anomalies) is not { } handling)
        {
            return LedgerProblems.Invalid(nameof(anomalies), $"anomalies is {AnomalyChoices}, not '{anomalies}'").ToResult();
        }

        // Read as it arrives (asynchronously: Kestrel allows no synchronous reads), a row at a time, never whole.
        using var body = new StreamReader(request.Body, Encoding.UTF8);
        using var file = await UcdpGedFile.OpenAsync(body, cancellation);
        if (file.Problems.Count > 0)
        {
            var missing = UcdpGedFile.Columns.Where(file.Problems.ContainsKey).ToList();
            return LedgerProblems.Invalid(file.Problems.ToDictionary(p => p.Key, p => p.Value),
                (missing.Count > 0 ? $"The file's first line lacks the UCDP GED columns {string.Join(", ", missing)}. " : "The file's first line is not a UCDP GED header. ")
                + "Nothing was recorded.").ToResult();
        }

        var report = await importer.ImportAsync(file, string.IsNullOrWhiteSpace(reportedBy) ? "ucdp-ged-import" : reportedBy.Trim(), handling, null, cancellation);
        return Results.Ok(report);
    }

    /// <summary>Most rows a page of an import's rejections or warnings may ask for.</summary>
    public const int MaxPageRows = 10_000;

    /// <summary>Download an import's rejected rows</summary>
    /// <remarks>Every row an import rejected, in line order, as NDJSON (one {line, ucdpId, columns, reasons} per line); with `limit`, a page of that many rows after line `after` (the X-Next-After header gives the last line of the page). Kept for Ledger:ImportRejectionDays after the import (7 by default); 404 after that.</remarks>
    /// <param name="id">The import's id, from its report.</param>
    [WolverineGet("/api/imports/{id}/rejections", OperationId = "GetImportRejections")]
    [ForAdmins]
    [Tags("Imports")]
    [Produces("application/x-ndjson")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> Rejections(
        Guid id, [AsParameters] ImportLogPage page, HttpResponse response, ImportLog log, LedgerClock clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (await ProblemAsync(id, page, "rejections", log, clock, cancellation) is { } problem)
        {
            return problem;
        }

        var after = page.After ?? 0;
        var until = await log.RejectionsPageEndAsync(id, after, page.Limit, cancellation);
        return Ndjson(response, page, until, log.RejectionsAsync(id, after, until ?? after, cancellation));
    }

    /// <summary>Download an import's warnings</summary>
    /// <remarks>Every warning an import gave (a row imported although its own estimates disagree), in line order, as NDJSON (one {line, ucdpId, columns, reason, repair} per line; a row can give two); with `limit`, a page of that many rows' warnings after line `after` (a row's warnings are never split; the X-Next-After header gives the last line of the page). Kept as long as the import's rejections; 404 after that.</remarks>
    /// <param name="id">The import's id, from its report.</param>
    [WolverineGet("/api/imports/{id}/warnings", OperationId = "GetImportWarnings")]
    [ForAdmins]
    [Tags("Imports")]
    [Produces("application/x-ndjson")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> Warnings(
        Guid id, [AsParameters] ImportLogPage page, HttpResponse response, ImportLog log, LedgerClock clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (await ProblemAsync(id, page, "warnings", log, clock, cancellation) is { } problem)
        {
            return problem;
        }

        var after = page.After ?? 0;
        var until = await log.WarningsPageEndAsync(id, after, page.Limit, cancellation);
        return Ndjson(response, page, until, log.WarningsAsync(id, after, until ?? after, cancellation));
    }

    /// <summary>A 400 for a bad page, a 404 for an import the log does not know or no longer keeps; null when the list can be read.</summary>
    private static async Task<ProblemHttpResult?> ProblemAsync(Guid id, ImportLogPage page, string what, ImportLog log, LedgerClock clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var errors = new Dictionary<string, string[]>();
        if (page.After is < 0)
        {
            errors["after"] = ["after is a line number, 0 or more"];
        }

        if (page.Limit is < 1 or > MaxPageRows)
        {
            errors["limit"] = [$"limit is between 1 and {MaxPageRows} rows"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.Problem(LedgerProblems.Invalid(errors, "Fix the query parameters named under 'errors'."));
        }

        var entry = await log.FindAsync(id, cancellation);
        if (entry is null || entry.KeptUntil <= clock.GetUtcNow())
        {
            return TypedResults.Problem(LedgerProblems.NotFound(entry is null
                ? $"The ledger knows no import {id} (or its {what} have expired and been deleted)."
                : $"The {what} of import {id} were kept for {log.KeptFor.TotalDays:0.##} days, until {entry.KeptUntil:O}; they have expired."));
        }

        return null;
    }

    /// <summary>The rows as NDJSON, written as they are read; a page that is not empty names its last line in X-Next-After.</summary>
    private static PushStreamHttpResult Ndjson<T>(HttpResponse response, ImportLogPage page, long? until, IAsyncEnumerable<T> rows)
    {
        if (page.Limit is not null && until is { } last)
        {
            response.Headers["X-Next-After"] = last.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return TypedResults.Stream(async body =>
        {
            var newline = "\n"u8.ToArray();
            await foreach (var row in rows)
            {
                await JsonSerializer.SerializeAsync(body, row, LedgerJson.Options);
                await body.WriteAsync(newline);
            }
        }, "application/x-ndjson");
    }

    /// <summary>The values <c>anomalies</c> takes.</summary>
    public const string AnomalyChoices = "reject or repair";

    /// <summary>The <c>anomalies</c> option as given (query parameter or command-line flag): repair when absent, null when neither value.</summary>
    public static SourceAnomalies? AnomaliesOf(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "repair" => SourceAnomalies.Repair,
        "reject" => SourceAnomalies.Reject,
        _ => null,
    };

    /// <summary>Imports get their own body limit, larger than a command's (RequestLimits lets them through).</summary>
    public static bool IsImport(PathString path) => path.StartsWithSegments("/api/imports");

    public static void AllowLargeBody(HttpContext context, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }
    }

}
