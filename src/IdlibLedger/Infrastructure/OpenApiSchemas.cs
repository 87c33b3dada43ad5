using System.Text.Json.Nodes;
using IdlibLedger.Common;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// Teaches the OpenAPI document what the ledger's own JSON converters accept: enums by wire name, and
/// estimates as a whole number or {low, best, high}.
/// </summary>
public static class OpenApiSchemas
{
    public static void Describe(OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddSchemaTransformer((schema, context, _) =>
        {
            var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
            if (IsLedgerEnum(type))
            {
                schema.Type = JsonSchemaType.String;
                schema.Enum = [.. Wire.Names(type).Select(name => (JsonNode)JsonValue.Create(name))];
            }
            else if (context.JsonTypeInfo.ElementType is { } element && IsLedgerEnum(element))
            {
                // The items of a list of enums come out empty (their converter is the ledger's own), so they are described here.
                schema.Items = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Enum = [.. Wire.Names(element).Select(name => (JsonNode)JsonValue.Create(name))],
                };
            }
            else if (type == typeof(Estimate))
            {
                schema.Type = JsonSchemaType.Object;
                schema.Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["low"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" },
                    ["best"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" },
                    ["high"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" },
                };
                schema.Required = new HashSet<string> { "best" };
                schema.Description = "An estimate, low ≤ best ≤ high (UCDP). In requests a bare whole number n means {low: n, best: n, high: n}; missing low/high default to best.";
            }

            return Task.CompletedTask;
        });
    }

    private static bool IsLedgerEnum(Type type) => type.IsEnum && type.Namespace?.StartsWith("IdlibLedger", StringComparison.Ordinal) == true;
}
