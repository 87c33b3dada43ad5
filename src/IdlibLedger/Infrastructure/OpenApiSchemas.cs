using System.Globalization;
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
        options.AddSchemaTransformer(async (schema, context, cancellation) =>
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
                if (type != context.JsonTypeInfo.Type && schema.Description is null)
                {
                    // The XML comment of an enum reaches its own schema, not that of its nullable form: borrow it.
                    schema.Description = (await context.GetOrCreateSchemaAsync(type, null, cancellation)).Description;
                }
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
                    ["low"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0", Description = "The lowest credible count; defaults to best." },
                    ["best"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0", Description = "The most likely count." },
                    ["high"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0", Description = "The highest credible count; defaults to best." },
                };
                schema.Required = new HashSet<string> { "best" };
                schema.Description = "An estimate, low ≤ best ≤ high (UCDP). In requests a bare whole number n means {low: n, best: n, high: n}; missing low/high default to best.";
            }
            else if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object && schema.Properties is { Count: > 0 })
            {
                DescribeRequired(schema, context.JsonTypeInfo, context.ApplicationServices);
                MarkGeoJson(schema, context.JsonTypeInfo);
            }
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
                var rules = descriptor.GetRulesForMember(property.Name).ToList();
                var components = rules.SelectMany(rule => rule.Components).ToList();
                // A RuleForEach checks the items, not the list; a property with a default (level = "custom") may be left out.
                var own = rules.Where(rule => !IsForEach(rule)).SelectMany(rule => rule.Components)
                    .Where(c => !c.HasCondition && !c.HasAsyncCondition).ToList();
                if (own.Any(c => c.Validator is INotNullValidator or INotEmptyValidator || RefusesDefault(c.Validator, property.PropertyType))
                    && !HasDefault(typeInfo, property))
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

    private static bool IsForEach(IValidationRule rule) =>
        rule.GetType().GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICollectionRule<,>));

    /// <summary>A non-nullable number left out is 0, which a rule like GreaterThan(0) refuses (expectedVersion).</summary>
    private static bool RefusesDefault(IPropertyValidator validator, Type type) =>
        type.IsValueType && Nullable.GetUnderlyingType(type) is null && validator is IComparisonValidator
        {
            Comparison: Comparison.GreaterThan or Comparison.GreaterThanOrEqual or Comparison.NotEqual, ValueToCompare: IConvertible bound,
        } comparison
        && (comparison.Comparison == Comparison.NotEqual ? Convert.ToDecimal(bound, CultureInfo.InvariantCulture) == 0
            : comparison.Comparison == Comparison.GreaterThan ? Convert.ToDecimal(bound, CultureInfo.InvariantCulture) >= 0
            : Convert.ToDecimal(bound, CultureInfo.InvariantCulture) > 0);

    /// <summary>Whether the record's constructor gives the property a non-null default, which a body that leaves it out gets.</summary>
    private static bool HasDefault(JsonTypeInfo typeInfo, JsonPropertyInfo property) =>
        typeInfo.Type.GetConstructors().SelectMany(c => c.GetParameters())
            .Any(p => string.Equals(p.Name, property.AttributeProvider is MemberInfo m ? m.Name : null, StringComparison.Ordinal) && p.HasDefaultValue && p.DefaultValue is not null);

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
