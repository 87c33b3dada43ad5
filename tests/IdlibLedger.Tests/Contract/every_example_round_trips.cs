using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using Json.Schema;
using Shouldly;

namespace IdlibLedger.Tests.Contract;

/// <summary>
/// The documented examples, posted to an empty ledger in an order that makes the reads' ids exist: each gets the
/// documented status, and every answer is valid against the document's schema for that operation and status.
/// </summary>
public sealed class every_example_round_trips(LedgerFixture ledger) : LedgerTest(ledger)
{
    private const string Attack = "0194a3f0-2020-7a26-8000-000000000013";
    private const string ControlChange = "0194a3f0-2020-7c00-8000-000000000002";
    private const string Post = "0194a3f0-2018-7f00-8000-000000000001";
    private const string Figure = "0194a3f0-2020-7226-8000-0000000000d1";

    [Fact]
    public async Task each_example_gets_its_documented_status_and_a_body_valid_against_its_schema()
    {
        var document = JsonNode.Parse(await File.ReadAllTextAsync(ContractDocument.CommittedPath))!.AsObject();
        var calls = new (string Method, string Path, string OperationId, int Status)[]
        {
            ("POST", "/api/attacks", "ReportAttack", 201),
            ("POST", "/api/attacks", "ReportAttack", 200),
            ("POST", "/api/control-changes", "RecordControlChange", 201),
            ("POST", "/api/observation-posts", "EstablishObservationPost", 201),
            ("POST", "/api/casualty-figures", "ReportCasualtyFigure", 201),
            ("GET", $"/api/attacks/{Attack}", "GetAttack", 200),
            ("GET", "/api/attacks", "ListAttacks", 200),
            ("GET", "/api/casualties/totals", "GetCasualtyTotals", 200),
            ("GET", $"/api/control-changes/{ControlChange}", "GetControlChange", 200),
            ("GET", "/api/control-map", "GetControlMap", 200),
            ("GET", "/api/observation-posts", "ListObservationPosts", 200),
            ("GET", $"/api/observation-posts/{Post}", "GetObservationPost", 200),
            ("GET", $"/api/casualty-figures/{Figure}", "GetCasualtyFigure", 200),
            ("GET", "/api/ceasefires", "ListCeasefires", 200),
            ("GET", "/api/proposals", "ListProposals", 200),
            ("GET", "/api/regions", "ListRegions", 200),
            ("GET", "/api/audit/snapshot", "GetAuditSnapshot", 200),
            ("GET", "/api/attacks?at=yesterday", "ListAttacks", 400),
            ("GET", "/api/attacks/0194a3f0-0000-7000-8000-000000000000", "GetAttack", 404),
            ("POST", "/api/attacks", "ReportAttack", 400),
        };

        var failures = new List<string>();
        using var client = Host.Client();
        foreach (var (method, path, operationId, status) in calls)
        {
            var operation = Operation(document, operationId);
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method == "POST")
            {
                var body = status == 400 ? "{}" : operation["requestBody"]!["content"]!["application/json"]!["example"]!.ToJsonString();
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode != status)
            {
                failures.Add($"{method} {path} ({operationId}): expected {status}, got {(int)response.StatusCode}: {text}");
                continue;
            }

            var declared = operation["responses"]?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            if (declared is null)
            {
                failures.Add($"{operationId}: status {status} is not documented");
                continue;
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
            var media = declared["content"]?[mediaType];
            if (media is null)
            {
                failures.Add($"{operationId} {status}: content type {mediaType} is not documented");
                continue;
            }

            if (media["schema"] is { } schema && mediaType.EndsWith("json", StringComparison.Ordinal))
            {
                var errors = Validate(document, schema, text, $"{operationId}/{status}");
                if (errors is not null)
                {
                    failures.Add($"{method} {path} ({operationId} {status}): {errors}\n{text[..Math.Min(text.Length, 600)]}");
                }
            }
        }

        failures.ShouldBeEmpty(string.Join("\n\n", failures));
    }

    private static JsonObject Operation(JsonObject document, string operationId) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject())
            .Select(o => o.Value!.AsObject()).Single(o => (string?)o["operationId"] == operationId);

    /// <summary>The OpenAPI 3.1 schema is JSON Schema 2020-12; its component references become $defs of one schema.</summary>
    private static string? Validate(JsonObject document, JsonNode schema, string body, string name)
    {
        var components = document["components"]!["schemas"]!.ToJsonString();
        var root = $$"""{"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": {{components}}, "allOf": [{{schema.ToJsonString()}}]}"""
            .Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
        var built = JsonSchema.FromText(root, baseUri: new Uri($"https://idlib-ledger.test/{name}/{Guid.NewGuid():N}"));
        using var instance = JsonDocument.Parse(body);
        var results = built.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return results.IsValid ? null : string.Join("; ", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation}: {string.Join(", ", d.Errors!.Values)}"));
    }
}
