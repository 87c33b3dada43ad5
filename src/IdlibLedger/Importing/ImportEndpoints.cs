using IdlibLedger.Access;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Importing;

public static class ImportEndpoints
{
    /// <summary>Import files are larger than commands: up to this many bytes (Ledger:MaxImportBytes).</summary>
    public const long DefaultMaxImportBytes = 64L * 1024 * 1024;

    /// <summary>
    /// POST a UCDP GED CSV file (text/csv) as the body: every row becomes an attack report, re-imports add nothing,
    /// and the answer counts imported, already present and rejected rows (with line and reason).
    /// </summary>
    [WolverinePost("/api/imports/ucdp-ged", OperationId = "ImportUcdpGed")]
    [ForAdmins]
    [Tags("Imports")]
    [ProducesResponseType<ImportReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status415UnsupportedMediaType)]
    public static async Task<IResult> Post(HttpRequest request, string? reportedBy, UcdpGedImporter importer, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Send the file as text/csv",
                detail: "The body is a UCDP GED CSV file (RFC 4180) with Content-Type text/csv. Nothing was recorded.");
        }

        // Read the body asynchronously first: the CSV parser reads synchronously, which Kestrel does not allow.
        using var body = new StreamReader(request.Body, Encoding.UTF8);
        using var csv = new StringReader(await body.ReadToEndAsync(cancellation));
        var report = await importer.ImportAsync(csv, string.IsNullOrWhiteSpace(reportedBy) ? "ucdp-ged-import" : reportedBy.Trim(), null, cancellation);
        return Results.Ok(report);
    }

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
