using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// The OpenAPI document as a contract clients generate from: the bodies of the batch and the import, errors as
/// problem+json, GeoJSON components, no nullable types where the server never writes or accepts a null, shared enums
/// by reference, no host-specific servers (the committed docs/openapi.json must not depend on where it was served).
/// </summary>
public static class OpenApiContract
{
    private const string ProblemJson = "application/problem+json";

    public static void Describe(OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddOperationTransformer((operation, context, _) =>
        {
            DescribeBody(operation, context);
            DescribeResponses(operation, context);
            OpenApiExamples.Apply(operation);
            return Task.CompletedTask;
        });
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Servers = [];
            var schemas = document.Components?.Schemas;
            if (schemas is null)
            {
                return Task.CompletedTask;
            }

            var enums = schemas.Where(s => s.Value is OpenApiSchema { Enum.Count: > 0 })
                .ToDictionary(s => EnumKey(((OpenApiSchema)s.Value).Enum!), s => s.Key);
            foreach (var name in schemas.Keys.ToList())
            {
                schemas[name] = Rewrite(schemas[name], enums, top: true);
            }

            foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
            {
                // An endpoint returning IResult gets a 200 of "IResult" beside the status it declares; it never answers that.
                if (operation.Responses?.TryGetValue("200", out var placeholder) == true && operation.Responses.Keys.Count(k => k.StartsWith('2')) > 1
                    && placeholder.Content?.Values.Any(m => m.Schema is OpenApiSchemaReference { Reference.Id: "IResult" }) == true)
                {
                    operation.Responses.Remove("200");
                }

                foreach (var media in (operation.Responses?.Values.AsEnumerable() ?? []).SelectMany(r => r.Content?.Values.AsEnumerable() ?? [])
                    .Concat(operation.RequestBody?.Content?.Values.AsEnumerable() ?? []).OfType<OpenApiMediaType>())
                {
                    media.Schema = media.Schema is null ? null : Rewrite(media.Schema, enums, top: false);
                }
            }

            OpenApiGeoJson.AddComponents(schemas);
            OpenApiGeoJson.AddMaps(schemas);
            // Every raw-JSON field is a GeoJSON one now (redocly's no-unresolved-refs would catch one that is not).
            schemas.Remove("IResult");
            schemas.Remove("JsonElement");
            schemas.Remove("JsonNode");
            return Task.CompletedTask;
        });
    }

    private static void DescribeBody(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        switch (operation.OperationId)
        {
            case "ReportAttacksInBatch":
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The reports: a JSON array of ReportAttack bodies, or NDJSON with one ReportAttack body per line.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference("ReportAttack", context.Document) } },
                        [JsonRequests.NdJson] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "One ReportAttack JSON object per line." } },
                    },
                };
                break;
            case "ImportUcdpGed":
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "A UCDP GED CSV file (RFC 4180, a header row, one event per row).",
                    Content = new Dictionary<string, OpenApiMediaType> { ["text/csv"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
                };
                break;
            default:
                break;
        }
    }

    private static void DescribeResponses(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        operation.Responses ??= new OpenApiResponses();
        foreach (var (status, response) in operation.Responses.ToList())
        {
            if (status.StartsWith('2') && response is OpenApiResponse ok && ok.Content is { } content)
            {
                foreach (var (type, media) in content)
                {
                    if (type.StartsWith("application/geo+json", StringComparison.Ordinal) && media.Schema is null or OpenApiSchema { Type: null or JsonSchemaType.String, OneOf: null })
                    {
                        // Every geo+json answer is a FeatureCollection (a region too: one feature) of features of its own; an export declares it as a string.
                        media.Schema = new OpenApiSchemaReference(OpenApiGeoJson.Maps.GetValueOrDefault(operation.OperationId ?? "")
                            ?? throw new InvalidOperationException($"{operation.OperationId} answers GeoJSON: name its FeatureCollection in OpenApiGeoJson.Maps"), context.Document);
                    }
                    else if (type == "application/json" && media.Schema is OpenApiSchema { Type: null, OneOf: null, Properties: null } empty)
                    {
                        // A JsonElement answer: some JSON object the operation composes (the audit bundle).
                        empty.Type = JsonSchemaType.Object;
                    }
                    else if (type == JsonRequests.NdJson)
                    {
                        media.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "One JSON object per line (NDJSON)." };
                    }
                }
            }
            else if (status.StartsWith('4') || status.StartsWith('5'))
            {
                var schema = status == "400" ? "HttpValidationProblemDetails" : "ProblemDetails";
                operation.Responses[status] = new OpenApiResponse
                {
                    Description = string.IsNullOrWhiteSpace(response.Description) ? Describe(status) : response.Description,
                    Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = new OpenApiSchemaReference(schema, context.Document) } },
                };
            }
        }

        if (operation.RequestBody is not null)
        {
            operation.Responses.TryAdd("415", Problem(context, "415"));
        }

        operation.Responses.TryAdd("503", Problem(context, "503"));
    }

    private static OpenApiResponse Problem(OpenApiOperationTransformerContext context, string status) => new()
    {
        Description = Describe(status),
        Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", context.Document) } },
    };

    private static string Describe(string status) => status switch
    {
        "400" => "The request is invalid: `errors` names each field and what is wrong with it. Nothing was recorded.",
        "404" => "Not found.",
        "409" => "Conflict with the stream's state or version. Nothing was recorded.",
        "412" => "The expected version does not match. Nothing was recorded.",
        "415" => "The body is not of a type this operation accepts. Nothing was recorded.",
        "503" => "The database is unavailable; retry later.",
        _ => "An error, as RFC 9457 problem details.",
    };

    /// <summary>
    /// Drops <c>null</c> from every type (the server writes no nulls, and a null in a request means the same as an absent
    /// field), collapses a one-way <c>oneOf</c> to its reference, and replaces an inline enum by the shared one.
    /// </summary>
    private static IOpenApiSchema Rewrite(IOpenApiSchema candidate, Dictionary<string, string> enums, bool top)
    {
        if (candidate is not OpenApiSchema schema)
        {
            return candidate;
        }

        if (schema.Extensions?.Remove(OpenApiGeoJson.Mark, out var mark) == true && mark is JsonNodeExtension { Node: JsonObject marks } && schema.Properties is not null)
        {
            foreach (var (name, components) in marks)
            {
                schema.Properties[name] = Described(
                    OpenApiGeoJson.SchemaOf([.. components!.AsArray().Select(c => c!.GetValue<string>())]), DescriptionOf(schema.Properties[name]));
            }
        }

        if (schema.Type is { } type && type != JsonSchemaType.Null && type.HasFlag(JsonSchemaType.Null))
        {
            schema.Type = type & ~JsonSchemaType.Null;
        }

        if (schema.Enum is { Count: > 0 })
        {
            schema.Enum = [.. schema.Enum.Where(e => e is not null)];
            if (!top && enums.TryGetValue(EnumKey(schema.Enum), out var shared))
            {
                return Described(new OpenApiSchemaReference(shared), schema.Description);
            }
        }

        if (schema.OneOf is { Count: > 0 })
        {
            schema.OneOf = [.. schema.OneOf.Where(s => s is not OpenApiSchema { Type: JsonSchemaType.Null }).Select(s => Rewrite(s, enums, top: false))];
            if (schema.OneOf.Count == 1 && schema.Type is null && schema.Properties is null)
            {
                return Described(schema.OneOf[0], schema.Description);
            }
        }

        if (schema.Properties is { Count: > 0 })
        {
            foreach (var name in schema.Properties.Keys.ToList())
            {
                schema.Properties[name] = Rewrite(schema.Properties[name], enums, top: false);
            }
        }

        schema.Items = schema.Items is null ? null : Rewrite(schema.Items, enums, top: false);
        if (schema.AdditionalProperties is not null)
        {
            schema.AdditionalProperties = Rewrite(schema.AdditionalProperties, enums, top: false);
        }

        return schema;
    }

    /// <summary>The schema with the description of the property it stands for (OpenAPI 3.1 allows one beside a $ref).</summary>
    private static IOpenApiSchema Described(IOpenApiSchema schema, string? description) => schema switch
    {
        _ when string.IsNullOrWhiteSpace(description) => schema,
        OpenApiSchemaReference reference => new OpenApiSchemaReference(reference.Reference.Id!) { Description = description },
        OpenApiSchema inline => Copy(inline, description),
        _ => schema,
    };

    /// <summary>A property's description; of a nullable one, the generator leaves it on the non-null member of its oneOf.</summary>
    private static string? DescriptionOf(IOpenApiSchema property) =>
        property.Description ?? property.OneOf?.Select(member => member.Description).FirstOrDefault(d => !string.IsNullOrWhiteSpace(d));

    private static OpenApiSchema Copy(OpenApiSchema inline, string? description)
    {
        inline.Description ??= description;
        return inline;
    }

    private static string EnumKey(IEnumerable<JsonNode?> values) =>
        string.Join("\n", values.Select(v => v?.ToJsonString() ?? "null").Order(StringComparer.Ordinal));
}
