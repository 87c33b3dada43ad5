using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// Marks a query parameter that binds as text, so that a refusal can name it, though its values are an enum's wire
/// names; the OpenAPI document lists them.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class WireValuesAttribute(Type enumType) : Attribute
{
    public Type EnumType { get; } = enumType;
}

/// <summary>
/// Completes what the XML comments cannot reach: the descriptions of the query parameters an endpoint binds with
/// <c>[AsParameters]</c> (written as the query record's <c>&lt;param&gt;</c> docs), and the properties of the
/// problem details ASP.NET Core declares.
/// </summary>
public static class OpenApiDescriptions
{
    public static void Describe(OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddOperationTransformer(DescribeQueryParametersAsync);
        options.AddSchemaTransformer((schema, context, _) =>
        {
            var type = context.JsonTypeInfo.Type;
            if (context.JsonPropertyInfo is null && typeof(Microsoft.AspNetCore.Mvc.ProblemDetails).IsAssignableFrom(type))
            {
                Fill(schema, Problem);
            }

            return Task.CompletedTask;
        });
    }

    // Wolverine describes an [AsParameters] member by its type only, so the XML comment transformer cannot find its
    // docs; the query record's own schema (described by that transformer) holds them under the same names.
    private static async Task DescribeQueryParametersAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellation)
    {
        if (operation.Parameters is not { Count: > 0 } parameters
            || context.Description.ActionDescriptor is not ControllerActionDescriptor { MethodInfo: { } method })
        {
            return;
        }

        // A command on an existing stream loads it by the route's id ([WriteAggregate]): no method parameter to document.
        foreach (var id in parameters.OfType<OpenApiParameter>().Where(p => p is { In: ParameterLocation.Path, Name: "id" } && string.IsNullOrEmpty(p.Description)))
        {
            id.Description = "The id (UUID) of the stream the path names, as returned in the receipt and the Location header when it was created.";
        }

        foreach (var record in method.GetParameters().Where(p => p.GetCustomAttribute<AsParametersAttribute>() is not null))
        {
            var schema = await context.GetOrCreateSchemaAsync(record.ParameterType, null, cancellation);
            foreach (var parameter in parameters.OfType<OpenApiParameter>().Where(p => string.IsNullOrEmpty(p.Description)))
            {
                var property = schema.Properties?.FirstOrDefault(p => string.Equals(p.Key, parameter.Name, StringComparison.OrdinalIgnoreCase)).Value;
                parameter.Description = property?.Description;
            }

            foreach (var parameter in parameters.OfType<OpenApiParameter>())
            {
                var values = record.ParameterType.GetConstructors().SelectMany(c => c.GetParameters())
                    .FirstOrDefault(p => p.GetCustomAttribute<FromQueryAttribute>()?.Name == parameter.Name)?.GetCustomAttribute<WireValuesAttribute>();
                if (values is not null && parameter.Schema is OpenApiSchema text)
                {
                    text.Enum = [.. Wire.Names(values.EnumType).Select(name => (JsonNode)JsonValue.Create(name))];
                }
            }
        }
    }

    private static void Fill(OpenApiSchema schema, Dictionary<string, string> descriptions)
    {
        foreach (var (name, property) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
        {
            if (property is OpenApiSchema inline && string.IsNullOrEmpty(inline.Description) && descriptions.TryGetValue(name, out var text))
            {
                inline.Description = text;
            }
        }
    }

    private static readonly Dictionary<string, string> Problem = new()
    {
        ["type"] = "A URI naming the kind of problem (RFC 9457); for the ledger's own problems, the RFC 9110 section of the status code.",
        ["title"] = "A short, human-readable summary of the kind of problem; the same for every occurrence of that kind.",
        ["status"] = "The HTTP status code of this answer, repeated in the body.",
        ["detail"] = "What went wrong with this request, and what to do about it.",
        ["instance"] = "The request that produced the problem (its method and path), when given.",
        ["errors"] = "For a refused request: each field (JSON path in camelCase, or query parameter name) with the reasons it was refused.",
    };
}
