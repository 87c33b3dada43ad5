using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using FluentValidation;
using FluentValidation.Validators;
using IdlibLedger.Common;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// Teaches the OpenAPI document what the ledger's JSON really is: enums by wire name, estimates as a whole number or
/// {low, best, high}, instants as date-time strings, GeoJSON fields by their shapes, and <c>required</c> as the server
/// has it — for a command, what its validator requires; for anything the server writes, what is never null (nulls
/// are omitted, see <see cref="LedgerJson"/>).
/// </summary>
public static class OpenApiSchemas
{
    public static void Describe(OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddSchemaTransformer((schema, context, _) =>
        {
            var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
            if (type == typeof(DateTimeOffset) || type == typeof(DateTime))
            {
                schema.Type = JsonSchemaType.String;
                schema.Format = "date-time";
            }
            else if (type == typeof(DateOnly))
            {
                schema.Type = JsonSchemaType.String;
                schema.Format = "date";
            }
            else if (IsLedgerEnum(type))
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
            else if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object && schema.Properties is { Count: > 0 })
            {
                DescribeRequired(schema, context.JsonTypeInfo, context.ApplicationServices);
                MarkGeoJson(schema, context.JsonTypeInfo);
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// A type the ledger validates (a command, or a part of one) requires what its validator requires, unconditionally,
    /// and its lengths are the validator's; any other type is written by the server, which omits nulls.
    /// </summary>
    private static void DescribeRequired(OpenApiSchema schema, JsonTypeInfo typeInfo, IServiceProvider services)
    {
        var validator = services.GetService(typeof(IValidator<>).MakeGenericType(typeInfo.Type)) as IValidator;
        var required = new SortedSet<string>(StringComparer.Ordinal);
        if (validator is not null)
        {
            var descriptor = validator.CreateDescriptor();
            foreach (var property in typeInfo.Properties)
            {
                // Rules are named as on the wire (FluentValidationPolicy.UseJsonFieldNames).
                var components = descriptor.GetRulesForMember(property.Name).SelectMany(rule => rule.Components).ToList();
                if (components.Any(c => c.Validator is INotNullValidator or INotEmptyValidator && !c.HasCondition && !c.HasAsyncCondition))
                {
                    required.Add(property.Name);
                }

                var length = components.Select(c => c.Validator).OfType<ILengthValidator>().FirstOrDefault(l => l.Max > 0);
                if (length is not null && schema.Properties!.TryGetValue(property.Name, out var propertySchema) && propertySchema is OpenApiSchema inline
                    && inline.Type?.HasFlag(JsonSchemaType.String) == true)
                {
                    inline.MaxLength = length.Max;
                }
            }
        }
        else
        {
            var nullability = new NullabilityInfoContext();
            foreach (var property in typeInfo.Properties)
            {
                if (!property.IsExtensionData && schema.Properties!.ContainsKey(property.Name) && NeverNull(property, nullability))
                {
                    required.Add(property.Name);
                }
            }
        }

        schema.Required = required;
    }

    /// <summary>
    /// Names, on the object, its properties that hold GeoJSON and the components each takes; OpenApiContract swaps them
    /// in once the components exist (the property's own schema is the shared JsonElement one, so it cannot carry this).
    /// </summary>
    private static void MarkGeoJson(OpenApiSchema schema, JsonTypeInfo typeInfo)
    {
        var marks = new JsonObject();
        foreach (var property in typeInfo.Properties)
        {
            if (property.AttributeProvider?.GetCustomAttributes(typeof(GeoJsonAttribute), inherit: false).OfType<GeoJsonAttribute>().FirstOrDefault() is { } geoJson)
            {
                marks[property.Name] = new JsonArray([.. geoJson.Components.Select(c => (JsonNode)c)]);
            }
        }

        if (marks.Count > 0)
        {
            schema.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            schema.Extensions[OpenApiGeoJson.Mark] = new JsonNodeExtension(marks);
        }
    }

    private static bool NeverNull(JsonPropertyInfo property, NullabilityInfoContext nullability)
    {
        if (property.PropertyType.IsValueType)
        {
            return Nullable.GetUnderlyingType(property.PropertyType) is null;
        }

        return property.AttributeProvider switch
        {
            PropertyInfo p => nullability.Create(p).ReadState == NullabilityState.NotNull,
            FieldInfo f => nullability.Create(f).ReadState == NullabilityState.NotNull,
            _ => false,
        };
    }

    private static bool IsLedgerEnum(Type type) => type.IsEnum && type.Namespace?.StartsWith("IdlibLedger", StringComparison.Ordinal) == true;
}
