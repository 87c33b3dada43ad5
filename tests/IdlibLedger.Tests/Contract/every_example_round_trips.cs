using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IdlibLedger.Tests.Fixtures;
using Json.Schema;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace IdlibLedger.Tests.Contract;

/// <summary>
/// Every operation's documented example, sent to a fresh ledger in an order that makes its ids exist: each gets the
/// documented status, and every answer is valid against the document's schema for that operation and status.
/// With LEDGER_WRITE_OPENAPI=1 the answers become the document's response examples
/// (src/IdlibLedger/Infrastructure/OpenApiExamples.responses.json; rebuild, then regenerate docs/openapi.json).
/// </summary>
public sealed partial class every_example_round_trips(LedgerFixture ledger) : LedgerTest(ledger)
{
    private const string Schema = "ledger_examples";
    private const string Attack = "0194a3f0-2020-7a26-8000-000000000013";
    private const string SecondProposal = "0194a3f0-2020-7226-8000-0000000000b2";
    private const string SecondPost = "0194a3f0-2018-7f00-8000-000000000005";
    private const string SecondCeasefire = "0194a3f0-2020-7305-8000-000000000002";
    private const string SecondCorridor = "0194a3f0-2020-7315-8000-000000000002";
    private const string SecondAgreement = "0194a3f0-2018-7917-8000-00000000500d";
    private const string SecondRound = "0194a3f0-2020-7226-8000-0000000000a2";
    private const string SecondFigure = "0194a3f0-2020-7226-8000-0000000000d2";

    /// <summary>
    /// The run, in order. A step with a <c>Change</c>, <c>Path</c> or <c>Body</c> of its own is not the documented example
    /// (a second proposal to withdraw, refusals); its answer is checked but not recorded.
    /// </summary>
    private static readonly Step[] Steps =
    [
        new("ListRegions", 200),
        new("RegisterRegion", 201),
        new("GetRegion", 200),
        new("GetRegionMap", 200),
        new("CorrectRegion", 200),
        new("RegisterRegion", 201, Change: body => body["id"] = "sochi-demilitarised-zone"),
        new("RetractRegion", 200),
        new("RegisterAgreement", 201),
        new("GetAgreement", 200),
        new("CorrectAgreement", 200),
        new("RegisterAgreement", 201, Change: body => body["id"] = SecondAgreement),
        new("RetractAgreement", 200),
        new("RecordControlChange", 201),
        new("GetControlChange", 200),
        new("CorrectControlChange", 200),
        new("RecordControlChange", 201, Change: body => body["id"] = "0194a3f0-2020-7c00-8000-000000000003"),
        new("RetractControlChange", 200),
        new("GetControlMap", 200),
        new("GetControlShares", 200),
        new("GetPointHolder", 200),
        new("EstablishObservationPost", 201),
        new("ChangeObservationPostStatus", 200),
        new("GetObservationPost", 200),
        new("ListObservationPosts", 200),
        new("OpenNegotiationRound", 201),
        new("RecordNegotiationOutcome", 200),
        new("GetNegotiationRound", 200),
        new("CorrectNegotiationRound", 200),
        new("OpenNegotiationRound", 201, Change: body => body["id"] = SecondRound),
        new("RetractNegotiationRound", 200),
        new("ProposeMap", 201),
        new("AcceptProposal", 200),
        new("RejectProposal", 200),
        new("GetProposal", 200),
        new("ProposeMap", 201, Change: body => body["id"] = SecondProposal),
        new("WithdrawProposal", 200),
        new("ListProposals", 200),
        new("RelocateObservationPost", 200),
        new("CorrectObservationPost", 200),
        new("EstablishObservationPost", 201, Change: body => body["id"] = SecondPost),
        new("RetractObservationPost", 200),
        new("ReportAttack", 201),
        new("ReportAttack", 200),
        new("ReportAttacksInBatch", 200),
        new("ReportAttacksInBatch", 200, ContentType: "application/x-ndjson"),
        new("CorrectAttackReport", 200),
        new("DisputeAttackReport", 200),
        new("RetractAttackReport", 200),
        new("GetAttack", 200),
        new("ListAttacks", 200),
        new("ListAttackChanges", 200),
        new("GetLedgerExtent", 200),
        new("ReportCasualtyFigure", 201),
        new("GetCasualtyFigure", 200),
        new("CorrectCasualtyFigure", 200),
        new("ReportCasualtyFigure", 201, Change: body => body["id"] = SecondFigure),
        new("RetractCasualtyFigure", 200),
        new("ImportUcdpGed", 200, ContentType: "text/csv"),
        new("GetImportRejections", 200),
        new("GetImportWarnings", 200),
        new("GetCasualtyTotals", 200),
        new("ExportAttacksCsv", 200),
        new("ExportAttacksGeoJson", 200),
        new("StreamLedgerEvents", 200),
        new("DeclareCeasefire", 201),
        new("ReportCeasefireViolation", 200),
        new("OpenCorridor", 201),
        new("ListCorridors", 200),
        new("CloseCorridor", 200),
        new("ExtendCeasefire", 200),
        new("GetCeasefire", 200),
        new("ListCeasefires", 200),
        new("EndCeasefire", 200),
        new("CorrectCeasefire", 200),
        new("GetCorridor", 200),
        new("CorrectCorridor", 200),
        new("OpenCorridor", 201, Change: body => body["id"] = SecondCorridor),
        new("RetractCorridor", 200),
        new("DeclareCeasefire", 201, Change: body => body["id"] = SecondCeasefire),
        new("RetractCeasefire", 200),
        new("CreateApiKey", 201),
        new("ListApiKeys", 200),
        new("GetApiKey", 200),
        new("RevokeApiKey", 200),
        new("GetAuditSnapshot", 200),
        new("ReplayEvents", 200, CaughtUp: true),
        new("VerifyChain", 200),
        new("VerifyReadModels", 200),
        new("GetAuditKeys", 200),
        new("CreateCheckpoint", 201),
        new("ListCheckpoints", 200),
        new("GetLatestCheckpoint", 200),
        new("CheckConsistency", 200),
        new("ExportAuditBundle", 200),
        new("ListAttacks", 400, Path: "/api/attacks?at=yesterday"),
        new("GetAttack", 404, Path: "/api/attacks/0194a3f0-0000-7000-8000-000000000000"),
        new("ReportAttack", 400, Body: "{}"),
    ];

    /// <summary>Values the server makes up, which a later example names: where the answer holds them, and which parameters stand for them.</summary>
    private static readonly Capture[] Captures =
    [
        new("CreateApiKey", ["details", "id"], [("GetApiKey", "id"), ("RevokeApiKey", "id")]),
        new("ImportUcdpGed", ["id"], [("GetImportRejections", "id"), ("GetImportWarnings", "id")]),
        new("CreateCheckpoint", ["sequence"], [("CheckConsistency", "sequence")]),
        new("CreateCheckpoint", ["hash"], [("CheckConsistency", "hash")]),
        new("CreateCheckpoint", ["signature"], [("CheckConsistency", "signature")]),
        new("CreateCheckpoint", ["recordedAt"], [("CheckConsistency", "recordedAt")]),
        new("CreateCheckpoint", ["signedAt"], [("CheckConsistency", "signedAt")]),
        new("CreateCheckpoint", ["keyId"], [("CheckConsistency", "keyId")]),
    ];

    [Fact]
    public async Task each_example_gets_its_documented_status_and_a_body_valid_against_its_schema()
    {
        await Ledger.ExecuteAsync($"drop schema if exists {Schema} cascade");
        // No reference regions (an empty boundary file, else LEDGER_SHARED_DATA is used): the examples name only the
        // region they register, and the audit answers, which hold every event, stay small.
        var noRegions = Directory.CreateTempSubdirectory("idlib-ledger-examples-");
        await File.WriteAllTextAsync(Path.Combine(noRegions.FullName, "syria_adm1_governorates_ocha.geojson"), """{"type": "FeatureCollection", "features": []}""");
        await using var host = await Ledger.StartHostAsync(Schema, new Dictionary<string, string> { ["Ledger:SharedDataPath"] = noRegions.FullName });
        noRegions.Delete(recursive: true);
        var document = await host.GetJsonAsync("/openapi/v1.json");
        var operations = Operations(document);
        operations.Keys.Except(Steps.Select(s => s.OperationId)).ShouldBeEmpty("every operation has a step");

        var recorder = new Recorder(document.ToJsonString());
        var failures = new List<string>();
        using var client = host.Client();
        foreach (var step in Steps)
        {
            var (method, template, operation) = operations[step.OperationId];
            if (step.CaughtUp)
            {
                await host.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
            }

            var path = step.Path ?? Url(step.OperationId, template, operation, recorder);
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (operation["requestBody"]?["content"] is JsonObject bodies)
            {
                var type = step.ContentType ?? "application/json";
                var example = bodies[type]?["example"];
                if (example is null)
                {
                    failures.Add($"{step.OperationId}: no example for {type}");
                    continue;
                }

                var body = step.Body ?? (example is JsonValue text && text.TryGetValue<string>(out var raw) ? raw : Changed(example, step.Change));
                request.Content = new StringContent(body, Encoding.UTF8, type);
            }

            using var response = await client.SendAsync(request);
            var answer = await response.Content.ReadAsStringAsync();
            var where = $"{method} {path} ({step.OperationId})";
            if ((int)response.StatusCode != step.Status)
            {
                failures.Add($"{where}: expected {step.Status}, got {(int)response.StatusCode}: {answer[..Math.Min(answer.Length, 1500)]}");
                continue;
            }

            var status = step.Status.ToString(CultureInfo.InvariantCulture);
            var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
            if (operation["responses"]?[status]?["content"]?[mediaType] is not { } media)
            {
                failures.Add($"{where}: {status} with {mediaType} is not documented");
                continue;
            }

            if (media["schema"] is { } schema && IsJson(mediaType)
                && Validate(document, schema, answer, $"{step.OperationId}/{status}") is { } errors)
            {
                failures.Add($"{where} {status}: {errors}\n{answer[..Math.Min(answer.Length, 600)]}");
            }

            recorder.Captured(step.OperationId, answer);
            if (step.Documented && step.Status < 300 && recorder.Record(step.OperationId, status, mediaType, answer))
            {
                if (media["example"] is null && !Recording)
                {
                    failures.Add($"{step.OperationId} {status}: no response example (record them: LEDGER_WRITE_OPENAPI=1)");
                }
            }
        }

        failures.ShouldBeEmpty(string.Join("\n\n", failures));
        if (Recording)
        {
            await File.WriteAllTextAsync(ResponsesPath(), recorder.Normalised());
        }
    }

    /// <summary>The operation's path with its documented parameter examples (a value the server made up: the one it made up in this run).</summary>
    private static string Url(string operationId, string template, JsonObject operation, Recorder recorder)
    {
        var query = new List<string>();
        foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
        {
            var name = (string)parameter!["name"]!;
            var example = parameter["example"];
            if (recorder.Actual(operationId, name) is not { } value)
            {
                if (example is null)
                {
                    continue;
                }

                value = example is JsonValue v && v.TryGetValue<string>(out var s) ? s : example.ToJsonString();
            }

            switch ((string?)parameter["in"])
            {
                case "path":
                    template = template.Replace($"{{{name}}}", Uri.EscapeDataString(value), StringComparison.Ordinal);
                    break;
                case "query":
                    query.Add($"{name}={Uri.EscapeDataString(value)}");
                    break;
                default:
                    break;
            }
        }

        return query.Count == 0 ? template : $"{template}?{string.Join('&', query)}";
    }

    private static bool IsJson(string mediaType) => mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal);

    private static string Changed(JsonNode example, Action<JsonObject>? change)
    {
        var body = example.DeepClone();
        change?.Invoke(body.AsObject());
        return body.ToJsonString();
    }

    private static Dictionary<string, (string Method, string Path, JsonObject Operation)> Operations(JsonObject document) =>
        document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => (Method: o.Key.ToUpperInvariant(), Path: p.Key, Operation: o.Value!.AsObject())))
            .ToDictionary(o => (string)o.Operation["operationId"]!, StringComparer.Ordinal);

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

    private static bool Recording => Environment.GetEnvironmentVariable("LEDGER_WRITE_OPENAPI") == "1";

    private static string ResponsesPath() =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(ContractDocument.CommittedPath))!, "src", "IdlibLedger", "Infrastructure", "OpenApiExamples.responses.json");

    private sealed record Step(
        string OperationId, int Status, string? ContentType = null, Action<JsonObject>? Change = null, string? Path = null, string? Body = null, bool CaughtUp = false)
    {
        public bool Documented => Change is null && Path is null && Body is null;
    }

    private sealed record Capture(string OperationId, string[] Property, (string OperationId, string Parameter)[] StandsFor);

    /// <summary>
    /// The answers of one run, and what in them changes from run to run: recording instants, generated ids, hashes and
    /// signatures, API key secrets. Values a later example names (captured) become that example's parameters.
    /// </summary>
    private sealed partial class Recorder(string document)
    {
        private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        private readonly DateTimeOffset _started = DateTimeOffset.UtcNow.AddHours(-1);
        private readonly Dictionary<(string OperationId, string Parameter), JsonNode> _captured = [];
        private readonly List<(string OperationId, string Status, string MediaType, string Body)> _answers = [];

        public string? Actual(string operationId, string parameter) =>
            _captured.GetValueOrDefault((operationId, parameter)) is { } value
                ? value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value.ToJsonString()
                : null;

        public void Captured(string operationId, string answer)
        {
            foreach (var capture in Captures.Where(c => c.OperationId == operationId))
            {
                var value = JsonNode.Parse(answer);
                foreach (var name in capture.Property)
                {
                    value = value?[name];
                }

                foreach (var consumer in capture.StandsFor)
                {
                    if (value is not null)
                    {
                        _captured[consumer] = value.DeepClone();
                    }
                }
            }
        }

        /// <summary>Keeps the operation's first answer as its example; false for a later one (a retry's 200).</summary>
        public bool Record(string operationId, string status, string mediaType, string body)
        {
            if (_answers.Any(a => a.OperationId == operationId))
            {
                return false;
            }

            _answers.Add((operationId, status, mediaType, body));
            return true;
        }

        /// <summary>OpenApiExamples.responses.json: by operationId, the status, content type and (normalised) body, and the parameters that name what the server made up.</summary>
        public string Normalised()
        {
            var known = Guids().Matches(document).Select(m => m.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var ids = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
            // The run's instants move to a fixed morning, as far apart as they were (an API key still expires in 90 days);
            // the same instant in any format moves alike and keeps its format.
            var instants = _answers.SelectMany(a => Instants().Matches(a.Body)).Select(Instant).OfType<DateTimeOffset>()
                .Where(i => i >= _started).Distinct().ToList();
            var first = instants.Count == 0 ? default : instants.Min();
            var moved = instants.ToDictionary(i => i, i => new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero) + (i - first));

            string Normalise(string text)
            {
                text = Instants().Replace(text, m => Instant(m) is { } instant && moved.TryGetValue(instant, out var made) ? Format(made, m) : m.Value);
                text = Guids().Replace(text, m => known.Contains(m.Value) ? m.Value
                    : ids.TryGetValue(m.Value, out var id) ? id : ids[m.Value] = $"0194a3f0-2026-7000-8000-{ids.Count + 1:x12}");
                return Secrets().Replace(text, m => secrets.TryGetValue(m.Value, out var s) ? s : secrets[m.Value] = Fake(m.Value, secrets.Count));
            }

            var result = new JsonObject();
            foreach (var (operationId, status, mediaType, body) in _answers)
            {
                var parameters = new JsonObject(_captured.Where(c => c.Key.OperationId == operationId)
                    .Select(c => KeyValuePair.Create(c.Key.Parameter, Strings(c.Value, Normalise))));
                result[operationId] = new JsonObject
                {
                    ["status"] = status,
                    ["contentType"] = mediaType,
                    ["body"] = IsJson(mediaType) ? Strings(JsonNode.Parse(body), Normalise) : Normalise(body),
                };
                if (parameters.Count > 0)
                {
                    result[operationId]!["parameters"] = parameters;
                }
            }

            return result.ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";
        }

        private static DateTimeOffset? Instant(Match match) =>
            DateTimeOffset.TryParse(match.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value : null;

        /// <summary>The instant written as the matched one is: as many decimals, "Z" or an offset.</summary>
        private static string Format(DateTimeOffset instant, Match like)
        {
            var decimals = Math.Max(0, like.Groups[1].Value.Length - 1);
            var fraction = decimals == 0 ? "" : "." + new string('f', decimals);
            return instant.UtcDateTime.ToString($"yyyy-MM-dd'T'HH:mm:ss{fraction}", CultureInfo.InvariantCulture) + (like.Groups[2].Value == "Z" ? "Z" : "+00:00");
        }

        /// <summary>The JSON with <paramref name="change"/> applied to every string in it (JSON escapes are not text to change).</summary>
        private static JsonNode? Strings(JsonNode? node, Func<string, string> change) => node switch
        {
            JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Strings(p.Value, change)))),
            JsonArray a => new JsonArray([.. a.Select(item => Strings(item, change))]),
            JsonValue v when v.TryGetValue<string>(out var text) => JsonValue.Create(change(text)),
            _ => node?.DeepClone(),
        };

        /// <summary>A made-up value of the same length and alphabet (hex stays hex, base64 stays base64).</summary>
        private static string Fake(string value, int index)
        {
            var seed = SHA256.HashData(Encoding.UTF8.GetBytes($"idlib-ledger-example-{index}"));
            var hex = value.All(Uri.IsHexDigit);
            var text = new StringBuilder();
            while (text.Length < value.Length)
            {
                text.Append(hex ? Convert.ToHexStringLower(seed) : Convert.ToBase64String(seed).TrimEnd('='));
                seed = SHA256.HashData(seed);
            }

            return text.ToString(0, value.Length);
        }

        [GeneratedRegex(@"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
        private static partial Regex Guids();

        [GeneratedRegex(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")]
        private static partial Regex Instants();

        // Hashes and key ids (hex), signatures, seals and key secrets (base64 or base64url, with capitals and digits): runs no prose or path has.
        [GeneratedRegex(@"(?<![A-Za-z0-9+/_\\-])(?:[0-9a-f]{16,}|(?=[A-Za-z0-9+/_-]*[A-Z])(?=[A-Za-z0-9+/_-]*[0-9])[A-Za-z0-9+/_-]{40,}={0,2})(?![A-Za-z0-9+/_-])")]
        private static partial Regex Secrets();
    }
}
