using System.Text;
using System.Text.Json;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Attacks.Reporting;
using IdlibLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Attacks.Batching;

/// <summary>The answer for one item of a batch: 201 recorded, 200 already recorded (same id), or 400 with errors.</summary>
/// <param name="Index">The item's position in the batch, from 0.</param>
/// <param name="Status">The status it would have alone: 201 recorded, 200 already recorded, 400 refused.</param>
/// <param name="Id">The report's id, or null when refused.</param>
/// <param name="Errors">For a refused item, each field with its reasons; null otherwise.</param>
public sealed record BatchItemResult(int Index, int Status, Guid? Id, IReadOnlyDictionary<string, string[]>? Errors);

/// <summary>The answer to a batch: counts and one result per item.</summary>

/// <param name="Items">Items in the batch.</param>

/// <param name="Recorded">Items recorded now.</param>

/// <param name="AlreadyRecorded">Items whose id was already recorded.</param>

/// <param name="Refused">Items refused.</param>

/// <param name="Results">One result per item, in order.</param>

public sealed record BatchResult(int Items, int Recorded, int AlreadyRecorded, int Refused, IReadOnlyList<BatchItemResult> Results);

/// <summary>
/// Many ReportAttack bodies at once, as a JSON array or NDJSON (one per line), up to <see cref="MaxItems"/>. Each
/// item is validated like a single report; the valid ones are appended in one transaction, the others answered
/// with their errors. An item with an <c>id</c> is idempotent: sent again, it is answered 200 and not appended.
/// </summary>
public static class ReportAttacksInBatchEndpoint
{
    public const int MaxItems = 1000;

    /// <summary>Report many attacks at once</summary>

    /// <remarks>Many ReportAttack bodies as a JSON array or NDJSON (one per line), each validated like a single report. The valid ones are appended in one transaction, the others answered with their errors; an item with an `id` already recorded is answered 200 and not appended. A body that breaks the common body rules refuses the whole batch.</remarks>

    [WolverinePost("/api/attacks/batch", OperationId = "ReportAttacksInBatch")]
    [ForReporters]
    [Tags("Attacks")]
    [Consumes("application/json", JsonRequests.NdJson)]
    [ProducesResponseType<BatchResult>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<IResult> Post(HttpRequest request, IValidator<ReportAttack> validator, IDocumentSession session, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(validator);
        ArgumentNullException.ThrowIfNull(session);
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(cancellation);
        var ndjson = request.ContentType?.StartsWith("application/x-ndjson", StringComparison.OrdinalIgnoreCase) == true;
        List<string> items;
        try
        {
            items = ndjson
                ? [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)]
                : [.. JsonDocument.Parse(text).RootElement.EnumerateArray().Select(e => e.GetRawText())];
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return LedgerProblems.Invalid("body", "a batch is a JSON array of reports, or NDJSON (application/x-ndjson) with one report per line").ToResult();
        }

        if (items.Count is 0 or > MaxItems)
        {
            return LedgerProblems.Invalid("body", $"a batch holds 1 to {MaxItems} reports, not {items.Count}").ToResult();
        }

        var results = new List<BatchItemResult>();
        for (var index = 0; index < items.Count; index++)
        {
            ReportAttack? report;
            try
            {
                report = JsonSerializer.Deserialize<ReportAttack>(items[index], LedgerJson.Options);
            }
            catch (JsonException e)
            {
                results.Add(new BatchItemResult(index, 400, null, new Dictionary<string, string[]> { [string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.')] = ["the value has the wrong JSON type or is not allowed here"] }));
                continue;
            }

            var validation = report is null ? null : await validator.ValidateAsync(report, cancellation);
            if (report is null || validation is { IsValid: false })
            {
                results.Add(new BatchItemResult(index, 400, null, validation?.Errors.GroupBy(f => f.PropertyName).ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).ToArray())
                    ?? new Dictionary<string, string[]> { ["body"] = ["a report is a JSON object"] }));
                continue;
            }

            // An id given twice in the batch, or already recorded, is answered 200 and appended once.
            var start = await Streams.StartOnceAsync(session, report.Id, typeof(AttackReport), id => Decision.Start(ReportAttackEndpoint.Decide(report, id)), cancellation);
            results.Add(new BatchItemResult(index, start.Started ? 201 : 200, start.Receipt!.Id, null));
        }

        return Results.Ok(new BatchResult(items.Count, results.Count(r => r.Status == 201), results.Count(r => r.Status == 200), results.Count(r => r.Status == 400), results));
    }
}
