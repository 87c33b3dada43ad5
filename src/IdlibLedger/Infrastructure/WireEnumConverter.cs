using System.Text.Json;
using System.Text.Json.Serialization;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// Reads and writes an enum by its wire name only (no numbers, no C# names). An unknown value fails with
/// System.Text.Json's own message, which carries the field's path; <see cref="WolverineProblems"/> then lists the
/// allowed values in the 400.
/// </summary>
public sealed class WireEnumConverter<TEnum> : JsonConverter<TEnum> where TEnum : struct, Enum
{
    private static readonly Dictionary<string, TEnum> ByName =
        Enum.GetValues<TEnum>().ToDictionary(Wire.Name, v => v, StringComparer.Ordinal);

    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (text is not null && ByName.TryGetValue(text, out var value))
        {
            return value;
        }

        throw new JsonException();
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(Wire.Name(value));
    }
}
