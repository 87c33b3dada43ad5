using System.Text.Json;
using System.Text.Json.Serialization;

namespace IdlibLedger.Common;

/// <summary>
/// Reads <c>13</c> as low = best = high = 13 and <c>{"low", "best", "high"}</c> with low/high defaulting to
/// best; writes the object form. Range rules (low ≤ best ≤ high, no negatives) are the validators' job.
/// Failures carry no message so that System.Text.Json reports the field's path (see WolverineProblems).
/// </summary>
public sealed class EstimateJsonConverter : JsonConverter<Estimate>
{
    public override Estimate Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return Estimate.Exactly(reader.GetInt32());
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException();
        }

        int? low = null, best = null, high = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            var value = reader.TokenType == JsonTokenType.Null ? (int?)null : reader.GetInt32();
            switch (name?.ToLowerInvariant())
            {
                case "low": low = value; break;
                case "best": best = value; break;
                case "high": high = value; break;
                default: throw new JsonException();
            }
        }

        best ??= low == high ? low : null;
        if (best is null)
        {
            throw new JsonException();
        }

        return new Estimate(low ?? best.Value, best.Value, high ?? best.Value);
    }

    public override void Write(Utf8JsonWriter writer, Estimate value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteNumber("low", value.Low);
        writer.WriteNumber("best", value.Best);
        writer.WriteNumber("high", value.High);
        writer.WriteEndObject();
    }
}
