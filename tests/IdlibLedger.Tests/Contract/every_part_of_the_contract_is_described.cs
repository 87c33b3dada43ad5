using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Contract;

/// <summary>A client developer reads the OpenAPI document, not the code: every operation, parameter and property says what it is.</summary>
public sealed class every_part_of_the_contract_is_described(LedgerFixture ledger) : LedgerTest(ledger)
{
    [Fact]
    public async Task every_operation_has_a_summary_and_a_description()
    {
        var document = await Host.GetJsonAsync("/openapi/v1.json");
        var undescribed = new List<string>();
        foreach (var (method, path, operation) in Operations(document))
        {
            var summary = (string?)operation["summary"];
            var description = (string?)operation["description"];
            // Without XML comments, Wolverine's generated names (POST_api_attacks) stand in for both.
            if (string.IsNullOrWhiteSpace(summary) || summary.Contains("_api", StringComparison.Ordinal))
            {
                undescribed.Add($"{method} {path}: summary");
            }

            if (string.IsNullOrWhiteSpace(description) || description.StartsWith($"{method}_", StringComparison.Ordinal))
            {
                undescribed.Add($"{method} {path}: description");
            }
        }

        undescribed.ShouldBeEmpty();
    }

    [Fact]
    public async Task every_parameter_has_a_description()
    {
        var document = await Host.GetJsonAsync("/openapi/v1.json");
        var undescribed = Operations(document)
            .SelectMany(o => (o.Operation["parameters"]?.AsArray() ?? []).Select(p => (o, Parameter: p!)))
            .Where(x => string.IsNullOrWhiteSpace((string?)x.Parameter["description"]))
            .Select(x => $"{x.o.Method} {x.o.Path}: {x.Parameter["in"]} {x.Parameter["name"]}")
            .ToList();

        undescribed.ShouldBeEmpty();
    }

    [Fact]
    public async Task every_property_of_every_schema_has_a_description_and_every_enum_says_what_its_values_mean()
    {
        var document = await Host.GetJsonAsync("/openapi/v1.json");
        var undescribed = new List<string>();
        foreach (var (name, schema) in document["components"]!["schemas"]!.AsObject())
        {
            if (schema!["enum"] is not null && string.IsNullOrWhiteSpace((string?)schema["description"]))
            {
                undescribed.Add($"{name} (enum)");
            }

            Properties(name, schema, undescribed);
        }

        foreach (var (method, path, operation) in Operations(document))
        {
            foreach (var (where, body) in Bodies(operation))
            {
                Properties($"{method} {path} {where}", body, undescribed);
            }
        }

        undescribed.ShouldBeEmpty();
    }

    private static IEnumerable<(string Method, string Path, JsonNode Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(path =>
            path.Value!.AsObject().Select(operation => (operation.Key.ToUpperInvariant(), path.Key, operation.Value!)));

    private static IEnumerable<(string Where, JsonNode Schema)> Bodies(JsonNode operation)
    {
        var request = operation["requestBody"]?["content"]?.AsObject().Select(c => ($"request {c.Key}", c.Value?["schema"])) ?? [];
        var responses = operation["responses"]?.AsObject().SelectMany(r =>
            r.Value?["content"]?.AsObject().Select(c => ($"{r.Key} {c.Key}", c.Value?["schema"])) ?? []) ?? [];
        return request.Concat(responses).Where(x => x.Item2 is not null).Select(x => (x.Item1, x.Item2!));
    }

    // Walks inline schemas (nested objects, array items, oneOf/anyOf/allOf); a $ref is checked where it is declared.
    private static void Properties(string where, JsonNode schema, List<string> undescribed)
    {
        if (schema is not JsonObject node)
        {
            return;
        }

        foreach (var (name, property) in node["properties"]?.AsObject() ?? [])
        {
            if (property is null || string.IsNullOrWhiteSpace((string?)property["description"]))
            {
                undescribed.Add($"{where}.{name}");
            }

            if (property is not null)
            {
                Properties($"{where}.{name}", property, undescribed);
            }
        }

        if (node["items"] is { } items)
        {
            Properties($"{where}[]", items, undescribed);
        }

        foreach (var combination in new[] { "oneOf", "anyOf", "allOf" })
        {
            foreach (var part in node[combination]?.AsArray() ?? [])
            {
                Properties(where, part!, undescribed);
            }
        }
    }
}
