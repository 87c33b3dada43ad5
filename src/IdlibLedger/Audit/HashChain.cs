using System.Buffers;
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
        ArgumentNullException.ThrowIfNull(link);
        return Next(previousHash, link, CanonicalUtf8(link.Data));
    }

    /// <summary><see cref="Next(string, ChainLink)"/> with the link's data already canonical (<see cref="CanonicalForms"/>): hashed as bytes, never as one string.</summary>
    public static string Next(string previousHash, ChainLink link, ReadOnlySpan<byte> canonicalData)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(Head(previousHash, link)));
        sha.AppendData(canonicalData);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    public static string Preimage(string previousHash, ChainLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        return Head(previousHash, link) + Canonical(link.Data);
    }

    /// <summary>Every line of the preimage but the data, each with its line break.</summary>
    private static string Head(string previousHash, ChainLink link)
    {
        ArgumentNullException.ThrowIfNull(previousHash);
        ArgumentNullException.ThrowIfNull(link);
        return string.Create(CultureInfo.InvariantCulture,
            $"{previousHash}\n{link.Sequence}\n{link.StreamId:D}\n{link.Version}\n{link.Type}\n{link.RecordedAt.UtcDateTime.ToString(RecordedAtFormat, CultureInfo.InvariantCulture)}\n");
    }

    /// <summary>
    /// Canonical JSON: keys sorted by ordinal at every level, no white space, numbers as written (or, for the
    /// seals, as plain decimals: <see cref="Seals.PlainNumber"/>).
    /// </summary>
    public static string Canonical(string json, bool plainNumbers = false) => Encoding.UTF8.GetString(CanonicalUtf8(json, plainNumbers));

    /// <summary><see cref="Canonical"/> as UTF-8, what the chain and the seals hash.</summary>
    public static byte[] CanonicalUtf8(string json, bool plainNumbers = false)
    {
        using var document = JsonDocument.Parse(json);
        var buffer = new ArrayBufferWriter<byte>(json.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(document.RootElement, writer, plainNumbers);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Both canonical forms of one stored event's data from one parse: as written (what the chain hashes) and with
    /// plain numbers (what the seal covers). The chain checks each row's seal and hashes it, so it needs both.
    /// </summary>
    public static (byte[] AsWritten, byte[] PlainNumbers) CanonicalForms(string json)
    {
        using var document = JsonDocument.Parse(json);
        var written = new ArrayBufferWriter<byte>(json.Length + 64);
        using (var writer = new Utf8JsonWriter(written))
        {
            Write(document.RootElement, writer, plainNumbers: false);
        }

        var asWritten = written.WrittenSpan.ToArray();
        // Most stored data has plain numbers only (jsonb keeps what it was sent): then both forms are one.
        if (!HasNumberToRewrite(document.RootElement))
        {
            return (asWritten, asWritten);
        }

        var plain = new ArrayBufferWriter<byte>(json.Length + 64);
        using (var writer = new Utf8JsonWriter(plain))
        {
            Write(document.RootElement, writer, plainNumbers: true);
        }

        return (asWritten, plain.WrittenSpan.ToArray());
    }

    private static bool HasNumberToRewrite(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Any(p => HasNumberToRewrite(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Any(HasNumberToRewrite),
        JsonValueKind.Number => element.GetRawText() is var number && Seals.PlainNumber(number) != number,
        _ => false,
    };

    /// <summary>Writes the element canonically: keys sorted by ordinal, numbers as written or as plain decimals.</summary>
    private static void Write(JsonElement element, Utf8JsonWriter writer, bool plainNumbers)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                // Each name read once (JsonProperty.Name allocates); ties keep their order, as a stable sort would.
                var properties = new List<(string Name, int At, JsonElement Value)>();
                foreach (var property in element.EnumerateObject())
                {
                    properties.Add((property.Name, properties.Count, property.Value));
                }

                properties.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name) is var order and not 0 ? order : a.At.CompareTo(b.At));
                foreach (var (name, _, value) in properties)
                {
                    writer.WritePropertyName(name);
                    Write(value, writer, plainNumbers);
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
