using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// Before an endpoint that takes a JSON body reads it: the body must be labelled with a media type the endpoint
/// accepts (<c>application/json</c>, or a <c>+json</c> type; the batch also takes <c>application/x-ndjson</c>) in
/// UTF-8, else 415; and it must not hold what <see cref="LedgerJson.FindDefect"/> refuses, else 400 naming the field.
/// Endpoints that declare no accepted types (imports take text/csv; revocations and checkpoints take no body) pass.
/// </summary>
public sealed class JsonRequests(RequestDelegate next)
{
    public const string NdJson = "application/x-ndjson";

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var endpoint = context.GetEndpoint();
        var accepted = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes;
        if (endpoint?.DisplayName == RoutingRefusedMediaType)
        {
            // Routing (AcceptsMatcherPolicy) found the path but no endpoint taking this media type: answer as below.
            await UnsupportedMediaTypeAsync(context, ["application/json"]);
            return;
        }

        if (accepted is not { Count: > 0 })
        {
            await next(context);
            return;
        }

        var request = context.Request;
        MediaTypeHeaderValue? mediaType = null;
        if (request.ContentType is { } contentType && (!MediaTypeHeaderValue.TryParse(contentType, out mediaType) || !IsAccepted(mediaType, accepted)))
        {
            await UnsupportedMediaTypeAsync(context, accepted);
            return;
        }

        // Read whole (RequestLimits and Kestrel have bounded its size), then handed on from memory.
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        body.Position = 0;
        request.Body = body;
        if (body.Length > 0 && mediaType is null)
        {
            await UnsupportedMediaTypeAsync(context, accepted);
            return;
        }

        if (FindDefect(body, ndjson: mediaType?.MediaType.Equals(NdJson, StringComparison.OrdinalIgnoreCase) == true) is { } defect)
        {
            await LedgerProblems.Invalid(
                new Dictionary<string, string[]> { [defect.Path.Length == 0 ? "body" : defect.Path] = [defect.Message] },
                "The body is not the JSON this command expects. Nothing was recorded.").ToResult().ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    /// <summary>The display name of the endpoint that ASP.NET Core routing selects to answer 415.</summary>
    private const string RoutingRefusedMediaType = "415 HTTP Unsupported Media Type";

    private static readonly JsonSerializerOptions ProblemJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// 415 naming the <c>Content-Type</c> header. Written with the web defaults, not the service's JSON options, so
    /// that the header's name is not camel-cased as a dictionary key (as IdempotencyKeys does for its header).
    /// </summary>
    private static Task UnsupportedMediaTypeAsync(HttpContext context, IReadOnlyList<string> accepted)
    {
        var sent = context.Request.ContentType is { Length: > 0 } type ? $"'{type}'" : "no Content-Type";
        var problem = new HttpValidationProblemDetails(new Dictionary<string, string[]>
        {
            [HeaderNames.ContentType] = [$"this endpoint takes {string.Join(" or ", accepted)} in UTF-8 (no charset, or charset=utf-8); the request sent {sent}"],
        })
        {
            Status = StatusCodes.Status415UnsupportedMediaType,
            Title = "The body is not in a media type this endpoint takes",
            Type = "https://www.rfc-editor.org/rfc/rfc9110#name-415-unsupported-media-type",
            Detail = "Send the body as UTF-8 JSON with Content-Type: application/json. Nothing was recorded.",
        };
        problem.Extensions["traceId"] = System.Diagnostics.Activity.Current?.Id ?? context.TraceIdentifier;
        return Results.Json(problem, ProblemJson, "application/problem+json", problem.Status).ExecuteAsync(context);
    }

    /// <summary>A subtype of an accepted type (application/json covers application/*+json), with no charset but UTF-8.</summary>
    private static bool IsAccepted(MediaTypeHeaderValue mediaType, IReadOnlyList<string> accepted) =>
        HeaderUtilities.RemoveQuotes(mediaType.Charset) is var charset && (charset.Length == 0 || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        && accepted.Any(type => MediaTypeHeaderValue.TryParse(type, out var acceptedType) && mediaType.IsSubsetOf(acceptedType));

    private static JsonDefect? FindDefect(MemoryStream body, bool ndjson)
    {
        var json = body.GetBuffer().AsSpan(0, (int)body.Length);
        return ndjson ? FindDefectInLines(json) : LedgerJson.FindDefect(json);
    }

    /// <summary>NDJSON as the batch reads it: one value per non-empty line, numbered from 0 in the path.</summary>
    private static JsonDefect? FindDefectInLines(ReadOnlySpan<byte> body)
    {
        var index = 0;
        foreach (var range in body.Split((byte)'\n'))
        {
            var line = body[range].Trim(" \t\r"u8);
            if (line.IsEmpty)
            {
                continue;
            }

            if (LedgerJson.FindDefect(line) is { } defect)
            {
                return new JsonDefect($"[{index}]{(defect.Path.Length == 0 || defect.Path[0] == '[' ? "" : ".")}{defect.Path}", defect.Message);
            }

            index++;
        }

        return null;
    }
}
