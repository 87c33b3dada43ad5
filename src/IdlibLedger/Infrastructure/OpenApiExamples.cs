using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// Examples for every operation, keyed by operationId: what Scalar's "Test Request" sends and what the round-trip test
/// (tests/IdlibLedger.Tests/Contract/every_example_round_trips) sends to a fresh ledger, in an order that makes the ids
/// exist. Requests (OpenApiExamples.requests.json) are written by hand from the seed scenario (Idlib, February 2020,
/// Demo/seed-scenario.json) with fixed ids, so that they chain; responses (OpenApiExamples.responses.json) are the
/// answers that test recorded, with what changes from run to run (recording times, generated ids, hashes, keys)
/// replaced by fixed values.
/// </summary>
public static class OpenApiExamples
{
    private static readonly JsonObject RequestExamples = Load("requests");
    private static readonly JsonObject ResponseExamples = Load("responses");

    public static void Apply(OpenApiOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation.OperationId is not { } id)
        {
            return;
        }

        var request = RequestExamples[id] as JsonObject;
        var response = ResponseExamples[id] as JsonObject;
        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
        {
            // An id the server made up (an API key's, an import's) is the one the recorded answers hold.
            if (parameter.Name is { } name && (request?["parameters"]?[name] ?? response?["parameters"]?[name]) is { } value)
            {
                parameter.Example = value.DeepClone();
            }
        }

        foreach (var (type, media) in operation.RequestBody?.Content ?? new Dictionary<string, OpenApiMediaType>())
        {
            media.Example = (type == "application/json" ? request?["body"] : request?["text"]?[type])?.DeepClone() ?? media.Example;
        }

        if (response is not null && operation.Responses?.TryGetValue((string)response["status"]!, out var status) == true
            && status is OpenApiResponse { Content: { } contents } && contents.TryGetValue((string)response["contentType"]!, out var content))
        {
            content.Example = response["body"]?.DeepClone();
        }
    }

    private static JsonObject Load(string part)
    {
        var name = $"IdlibLedger.Infrastructure.OpenApiExamples.{part}.json";
        using var stream = typeof(OpenApiExamples).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in the service");
        return JsonNode.Parse(stream)!.AsObject();
    }
}
