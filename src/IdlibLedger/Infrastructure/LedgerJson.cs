using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace IdlibLedger.Infrastructure;

/// <summary>One JSON dialect for HTTP and for the event store: camelCase, enums by wire name, UTC times.</summary>
public static partial class LedgerJson
{
    /// <summary>
    /// The fields that hold free text, wherever they appear in a body: only they may hold tab, line feed and carriage
    /// return. Every other string (names, parties, ids, vocabulary) is a label that people match and group by, where
    /// an invisible character would make two equal-looking labels differ.
    /// </summary>
    public static IReadOnlySet<string> FreeTextFields { get; } =
        new HashSet<string>(["description", "reason", "title", "terms", "summary", "outcome"], StringComparer.OrdinalIgnoreCase);

    /// <summary>System.Text.Json's default, which the service keeps: deeper bodies are refused by the serializer.</summary>
    private const int MaxDepth = 64;

    /// <summary>The dialect as ready-made options, for code outside HTTP and Marten.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions();
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DictionaryKeyPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new UtcDateTimeOffsetConverter());
        options.Converters.Add(new NullableUtcDateTimeOffsetConverter());
    }

    /// <summary>
    /// Parses an ISO 8601 date ("2020-02-10", midnight UTC) or date-time ("2020-02-10T08:30:00Z"); a time without
    /// an offset is UTC, never the server's local zone. Nothing else: "2020-02-28 10:00 PM" is refused. The instant
    /// is truncated to the microsecond, the precision PostgreSQL keeps, so that a value read back from a table and
    /// one replayed from the events compare alike.
    /// </summary>
    public static bool TryParseInstant(string? text, out DateTimeOffset value, out bool dateOnly)
    {
        value = default;
        dateOnly = false;
        if (string.IsNullOrWhiteSpace(text) || !IsoInstant().IsMatch(text))
        {
            return false;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            dateOnly = true;
            value = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            value = ToMicroseconds(value);
            return true;
        }

        return false;
    }

    /// <summary>The instant without its sub-microsecond ticks (the 7th fractional digit), as PostgreSQL keeps it.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset value) =>
        value.AddTicks(-(value.UtcTicks % TimeSpan.TicksPerMicrosecond));

    // A date, or a date 'T' time (seconds and fraction optional) with an optional 'Z' or numeric offset.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex IsoInstant();

    private sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String && TryParseInstant(reader.GetString(), out var value, out _))
            {
                return value;
            }

            // No message: System.Text.Json then reports the field's path, and WolverineProblems says what is expected.
            throw new JsonException();
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToUniversalTime());
    }

    private sealed class NullableUtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset?>
    {
        private readonly UtcDateTimeOffsetConverter _inner = new();

        public override bool HandleNull => true;

        public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? null : _inner.Read(ref reader, typeof(DateTimeOffset), options);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
        {
            if (value is { } v)
            {
                _inner.Write(writer, v, options);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    /// <summary>
    /// The first thing in a request body that the ledger refuses although System.Text.Json would read it: a key
    /// given twice in one object (the last would silently win; keys match case-insensitively, as the binder does),
    /// a control character in text (C0 and DEL; tab, line feed and carriage return only in <see cref="FreeTextFields"/>),
    /// text that is not valid Unicode (a lone surrogate), and a number that is not finite or rounds to 0 although
    /// it is not 0 (<c>1e-400</c>). Null when there is none, or when the body is not well-formed JSON: the reader of
    /// the endpoint refuses that with its own message.
    /// </summary>
    public static JsonDefect? FindDefect(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json.StartsWith(Utf8Bom) ? utf8Json[Utf8Bom.Length..] : utf8Json, new JsonReaderOptions { MaxDepth = MaxDepth });
        var frames = new List<Frame>();
        try
        {
            while (reader.Read())
            {
                var parent = frames.Count == 0 ? null : frames[^1];
                if (parent is { Names: null } && reader.TokenType is not (JsonTokenType.EndArray or JsonTokenType.EndObject))
                {
                    parent.Index++;
                }

                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        frames.Add(new Frame(new HashSet<string>(StringComparer.OrdinalIgnoreCase)));
                        break;
                    case JsonTokenType.StartArray:
                        frames.Add(new Frame(null));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        var name = ReadText(ref reader);
                        parent!.Name = null;
                        if ((name is null ? NotUnicode : TextDefect(name, freeText: false)) is { } keyDefect)
                        {
                            return new JsonDefect(PathOf(frames), "a key of this object is not allowed: " + keyDefect);
                        }

                        parent.Name = name;
                        if (!parent.Names!.Add(name!))
                        {
                            return new JsonDefect(PathOf(frames), $"the key '{name}' is given more than once; give each field once");
                        }

                        break;
                    case JsonTokenType.String:
                        var text = ReadText(ref reader);
                        var freeText = parent is { Names: not null, Name: { } field } && FreeTextFields.Contains(field);
                        if ((text is null ? NotUnicode : TextDefect(text, freeText)) is { } textDefect)
                        {
                            return new JsonDefect(PathOf(frames), textDefect);
                        }

                        break;
                    case JsonTokenType.Number:
                        if (NumberDefect(ref reader) is { } numberDefect)
                        {
                            return new JsonDefect(PathOf(frames), numberDefect);
                        }

                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private const string NotUnicode = "the text is not valid Unicode (invalid UTF-8, or a lone surrogate such as \\ud800)";

    /// <summary>The string, or null when it is not valid UTF-8 / UTF-16 (System.Text.Json throws on a lone surrogate).</summary>
    private static string? ReadText(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string? TextDefect(string text, bool freeText)
    {
        foreach (var c in text)
        {
            if (c is < ' ' or '\u007F' && !(freeText && c is '\t' or '\n' or '\r'))
            {
                return freeText
                    ? $"control character U+{(int)c:X4} is not allowed; free text may hold tab, line feed and carriage return, and no other control character"
                    : $"control character U+{(int)c:X4} is not allowed; this field takes no control characters (only free text such as description or reason may hold tab, line feed and carriage return)";
            }
        }

        return null;
    }

    private static string? NumberDefect(ref Utf8JsonReader reader)
    {
        if (!reader.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            return "the number is out of range: numbers must be finite";
        }

        // 1e-400 reads as 0: refuse it rather than record a value the client did not send.
        var literal = reader.ValueSpan;
        var exponent = literal.IndexOfAny((byte)'e', (byte)'E');
        var mantissa = exponent >= 0 ? literal[..exponent] : literal;
        return value == 0 && mantissa.IndexOfAnyInRange((byte)'1', (byte)'9') >= 0
            ? "the number is too small to be represented: it would be read as 0"
            : null;
    }

    /// <summary>The JSON path of the current value as the ledger names fields: <c>sources[0].title</c>.</summary>
    private static string PathOf(List<Frame> frames)
    {
        var path = new StringBuilder();
        foreach (var frame in frames)
        {
            if (frame.Names is null)
            {
                path.Append(CultureInfo.InvariantCulture, $"[{frame.Index}]");
            }
            else if (frame.Name is not null)
            {
                path.Append(path.Length == 0 ? "" : ".").Append(frame.Name);
            }
        }

        return path.ToString();
    }

    /// <summary>An open object (the keys seen so far, and the current one) or array (the current index).</summary>
    private sealed class Frame(HashSet<string>? names)
    {
        public HashSet<string>? Names { get; } = names;

        public string? Name { get; set; }

        public int Index { get; set; } = -1;
    }
}

/// <summary>What is wrong in a request body, and where: the JSON path (empty for the body itself).</summary>
public sealed record JsonDefect(string Path, string Message);
