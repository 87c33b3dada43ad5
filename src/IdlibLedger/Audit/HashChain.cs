using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IdlibLedger.Audit;

/// <summary>One event as the hash chain sees it: its place in the global order, what it is, and its data.</summary>
public sealed record ChainLink(long Sequence, Guid StreamId, long Version, string Type, DateTimeOffset RecordedAt, string Data);

/// <summary>
/// The hash chain over the global event order (docs/domain.md, "The audit chain"). Each link is
/// SHA-256 of the UTF-8 text
/// <c>previousHashHex \n sequence \n streamId \n version \n type \n recordedAt \n canonicalData</c>, with
/// recordedAt in UTC to the microsecond (<c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>) and the data as canonical JSON
/// (object keys sorted by ordinal, no white space). The first link's previous hash is 64 zeros. Text in, hex out,
/// so an auditor can recompute it with any SHA-256 tool.
/// </summary>
public static class HashChain
{
    public static string Genesis { get; } = new('0', 64);

    /// <summary>How the chain, the seals and the bundles write an event's timestamp: UTC, to the microsecond.</summary>
    public const string RecordedAtFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static string Next(string previousHash, ChainLink link)
    {
        ArgumentNullException.ThrowIfNull(previousHash);
        ArgumentNullException.ThrowIfNull(link);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Preimage(previousHash, link))));
    }

    public static string Preimage(string previousHash, ChainLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        return string.Join('\n',
            previousHash,
            link.Sequence.ToString(CultureInfo.InvariantCulture),
            link.StreamId.ToString("D"),
            link.Version.ToString(CultureInfo.InvariantCulture),
            link.Type,
            link.RecordedAt.UtcDateTime.ToString(RecordedAtFormat, CultureInfo.InvariantCulture),
            Canonical(link.Data));
    }

    /// <summary>
    /// Canonical JSON: keys sorted by ordinal at every level, no white space, numbers as written (or, for the
    /// seals, as plain decimals: <see cref="Seals.PlainNumber"/>).
    /// </summary>
    public static string Canonical(string json, bool plainNumbers = false)
    {
        using var document = JsonDocument.Parse(json);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(document.RootElement, writer, plainNumbers);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(JsonElement element, Utf8JsonWriter writer, bool plainNumbers)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(property.Value, writer, plainNumbers);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(item, writer, plainNumbers);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(plainNumbers ? Seals.PlainNumber(element.GetRawText()) : element.GetRawText(), skipInputValidation: true);
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
