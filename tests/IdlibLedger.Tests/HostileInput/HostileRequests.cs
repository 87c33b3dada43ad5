using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IdlibLedger.Tests.HostileInput;

/// <summary>One generated request: which command, what was done to its valid sample, and what to send.</summary>
public sealed record HostileRequest(string Operation, string Kind, string Url, byte[]? Body, string? ContentType)
{
    public HttpRequestMessage ToMessage()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Url);
        if (Body is not null)
        {
            request.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        return request;
    }
}

/// <summary>
/// Hostile variations of valid requests, drawn from a seeded <see cref="Random"/> (the same seed gives the same
/// mutations): fields dropped, given twice or renamed; wrong JSON types; huge, tiny, negative and non-finite numbers;
/// control characters, lone surrogates, invalid UTF-8 and odd Unicode in text; extreme dates; zero, unknown and
/// malformed ids; deep nesting; truncated, empty and random bodies; wrong media types; and a few of these at once.
/// </summary>
public sealed class HostileRequests(Random random)
{
    private const string Mark = "__hostile_mark__";
    private static readonly string QuotedMark = $"\"{Mark}\"";

    /// <summary>A variation of <paramref name="sample"/>.</summary>
    public HostileRequest Next(Sample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Body is null)
        {
            return Bodiless(sample);
        }

        if (!sample.IsJson)
        {
            return Csv(sample);
        }

        var kind = Pick(JsonKinds(sample));
        return kind switch
        {
            "combined" => Combined(sample),
            "content-type" => ContentType(sample),
            "truncated" => With(sample, kind, sample.Body[..random.Next(sample.Body.Length)]),
            "root" => With(sample, kind, Encoding.UTF8.GetBytes(Pick(["null", "[]", "{}", "\"report\"", "42", "true", "[{}]", "[null]", "", " ", "\n", "{\"\":null}"]))),
            "garbage" => With(sample, kind, RandomBytes()),
            "byte-order-mark" => With(sample, kind, [.. Encoding.UTF8.Preamble, .. sample.Body]),
            "invalid-utf8" => With(sample, kind, InvalidUtf8(sample.Json)),
            "id-in-path" => new HostileRequest(sample.Command.Operation, kind, sample.UrlWithId(HostileId()), sample.Body, sample.ContentType),
            _ => With(sample, kind, Encoding.UTF8.GetBytes(Mutate(sample.Json, kind))),
        };
    }

    private static List<(string Kind, int Weight)> JsonKinds(Sample sample) =>
    [
        ("drop-field", 8), ("duplicate-field", 6), ("rename-field", 6), ("wrong-type", 10), ("number", 10), ("text", 12),
        ("invalid-utf8", 3), ("date", 5), ("id-in-body", 3), ("deep-nesting", 3), ("truncated", 5), ("root", 3),
        ("garbage", 2), ("byte-order-mark", 1), ("content-type", 6), ("large-array", 2), ("combined", 8),
        .. sample.Command.OnAStream ? new[] { ("id-in-path", 5) } : [],
    ];

    private static readonly string[] Structural = ["drop-field", "duplicate-field", "rename-field", "wrong-type", "number", "text", "date", "id-in-body", "deep-nesting", "large-array"];

    private HostileRequest Combined(Sample sample)
    {
        var json = sample.Json;
        var kinds = Enumerable.Range(0, random.Next(2, 4)).Select(_ => Pick(Structural)).ToList();
        var text = json.ToJsonString();
        foreach (var kind in kinds)
        {
            // Raw-text mutations (a key twice, a number no JsonNode holds) end the chain: the next one could not parse it.
            text = Mutate(json, kind);
            if (JsonParses(text) is not { } parsed)
            {
                break;
            }

            json = parsed;
        }

        var url = sample.Command.OnAStream && random.Next(4) == 0 ? sample.UrlWithId(HostileId()) : sample.Url;
        return new HostileRequest(sample.Command.Operation, "combined", url, Encoding.UTF8.GetBytes(text), sample.ContentType);
    }

    private static JsonNode? JsonParses(string text)
    {
        try
        {
            // Walked and written once: a key given twice and a lone surrogate parse, and fail only when the node is used.
            var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 4096 });
            _ = Nodes(node).Count();
            node?.ToJsonString();
            return node;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    private static HostileRequest With(Sample sample, string kind, byte[] body) =>
        new(sample.Command.Operation, kind, sample.Url, body, sample.ContentType);

    /// <summary>The JSON text of <paramref name="body"/> after one mutation of <paramref name="kind"/>.</summary>
    private string Mutate(JsonNode body, string kind)
    {
        var copy = body.DeepClone();
        var nodes = Nodes(copy).ToList();
        var objects = nodes.OfType<JsonObject>().Where(o => o.Count > 0).ToList();
        switch (kind)
        {
            case "drop-field" when objects.Count > 0:
            {
                var obj = Pick(objects);
                obj.Remove(Pick(obj.Select(p => p.Key).ToList()));
                return copy.ToJsonString();
            }

            case "duplicate-field" when objects.Count > 0:
            {
                var obj = Pick(objects);
                var (key, value) = Pick(obj.ToList());
                var again = random.Next(3) == 0 ? RandomValue() : value?.DeepClone();
                obj[Mark] = null;
                var name = random.Next(4) == 0 ? key.ToUpperInvariant() : key;
                return copy.ToJsonString().Replace($"{QuotedMark}:null", $"{JsonSerializer.Serialize(name)}:{again?.ToJsonString() ?? "null"}", StringComparison.Ordinal);
            }

            case "rename-field" when objects.Count > 0:
            {
                var obj = Pick(objects);
                var key = Pick(obj.Select(p => p.Key).ToList());
                var value = obj[key];
                obj.Remove(key);
                var name = Pick([key.ToUpperInvariant(), key + "x", "", " " + key, key + "\u0000", "$type", "__proto__", "constructor", "id", "recordedBy", "recordedAt", "version", new string('k', 300)]);
                obj[Mark] = value;
                return copy.ToJsonString().Replace(QuotedMark + ":", JsonString(name) + ":", StringComparison.Ordinal);
            }

            case "wrong-type":
            {
                var target = Pick(nodes);
                return Replace(copy, target, RandomValue()?.ToJsonString() ?? "null");
            }

            case "number":
            {
                var numbers = nodes.Where(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number).ToList();
                return Replace(copy, Pick(numbers.Count > 0 ? numbers : nodes), Pick(Numbers));
            }

            case "text":
            {
                var strings = nodes.Where(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String).ToList();
                var target = Pick(strings.Count > 0 ? strings : nodes);
                return Replace(copy, target, HostileString(target is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "x"));
            }

            case "date":
            {
                var dates = nodes.Where(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is var s && s.Length >= 10 && char.IsAsciiDigit(s[0]) && s[4] == '-').ToList();
                return Replace(copy, Pick(dates.Count > 0 ? dates : nodes), JsonString(Pick(Dates)));
            }

            case "id-in-body":
            {
                var ids = nodes.Where(n => n?.Parent is JsonObject && n.GetPropertyName() is var name && (name == "id" || name.EndsWith("Id", StringComparison.Ordinal))).ToList();
                if (ids.Count == 0 && copy is JsonObject root)
                {
                    root["id"] = "";
                    ids = [root["id"]];
                }

                return Replace(copy, Pick(ids.Count > 0 ? ids : nodes), JsonString(HostileId()));
            }

            case "deep-nesting":
            {
                var depth = Pick([10, 63, 64, 65, 200, 2000]);
                var (open, close) = random.Next(2) == 0 ? ("[", "]") : ("{\"a\":", "}");
                return Replace(copy, Pick(nodes), string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)));
            }

            case "large-array":
            {
                var arrays = nodes.OfType<JsonArray>().Where(a => a.Count > 0).ToList();
                if (arrays.Count == 0)
                {
                    return copy.ToJsonString();
                }

                var array = Pick(arrays);
                var item = array[0];
                var times = Pick([2, 50, 1001, 5000]);
                var items = string.Join(",", Enumerable.Repeat(item?.ToJsonString() ?? "null", times));
                return Replace(copy, array, "[" + items + "]");
            }

            default:
                return copy.ToJsonString();
        }
    }

    /// <summary>The text of <paramref name="root"/> with <paramref name="target"/> replaced by the raw JSON <paramref name="raw"/>.</summary>
    private static string Replace(JsonNode root, JsonNode? target, string raw)
    {
        if (target is null || ReferenceEquals(target, root))
        {
            return raw;
        }

        target.ReplaceWith(JsonValue.Create(Mark));
        return root.ToJsonString().Replace(QuotedMark, raw, StringComparison.Ordinal);
    }

    private static IEnumerable<JsonNode?> Nodes(JsonNode? node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject obj => obj.Select(p => p.Value),
            JsonArray array => array,
            _ => [],
        };
        foreach (var child in children.ToList())
        {
            foreach (var descendant in Nodes(child))
            {
                yield return descendant;
            }
        }
    }

    private static readonly string[] Numbers =
    [
        "1e400", "-1e400", "1e-400", "-1e-400", "2e-324", "4.9e-324", "1e308", "-1.7976931348623157e308", "0", "-0", "-1", "0.5",
        "-2147483649", "2147483648", "2147483647", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "123456789012345678901234567890", "1" + new string('0', 400), "0." + new string('0', 400) + "1", "1E+2", "1e-2", "3.0",
    ];

    private static readonly string[] Dates =
    [
        "0001-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-14:00",
        "9999-12-31T23:59:59.9999999Z", "2020-02-30", "2020-13-01", "2020-02-10T25:00:00Z", "2020-02-10T14:30:00+15:00",
        "1900-01-01", "2020-02-10T14:30:00.123456789Z", "+275760-09-13", "2020-02-10 14:30", "20200210", "2020-W07-1",
        "2020-02-10T14:30:00", "2100-01-01", "1970-01-01T00:00:00Z", "2020-02-10T14:30:00\u0000Z",
    ];

    private string HostileId() => Pick(
    [
        "00000000-0000-0000-0000-000000000000", "00000000000000000000000000000000", "{00000000-0000-0000-0000-000000000000}",
        RandomGuid().ToString(), "ffffffff-ffff-ffff-ffff-ffffffffffff", "not-a-uuid", "1", "-1", new string('a', 1000),
        "00000000-0000-0000-0000-00000000000g", "%2500", "..%2F..%2Fkeys", "%20", "null",
    ]);

    /// <summary>A JSON string literal (raw, escapes included) meant to upset whatever reads it.</summary>
    private string HostileString(string original)
    {
        var pieces = new List<string>();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            pieces.Add(Pick(
            [
                "\\u0000", "\\u0001", "\\u0007", "\\u001b", "\\u001f", "\\u007f", "\\t", "\\n", "\\r", "\\b", "\\f",
                "\\ud800", "\\udfff", "\\udc00\\ud800", "\\ud83d\\ude00", "\\u2028", "\\u2029", "\\ufeff", "\\ufffe", "\\uffff",
                "\u0085", "\u200b", "\u202e", "é", "漢字", "🙂", "\\\"", "\\\\", "'; drop table mt_events; --", "<script>",
                "%00", "${jndi:ldap://x}", "../../etc/passwd", JsonEncodedText.Encode(original).ToString(),
            ]));
        }

        var text = string.Concat(pieces.OrderBy(_ => random.Next()));
        return Pick(
        [
            $"\"{text}\"", "\"\"", "\"   \"", $"\"{new string('x', 4001)}\"", $"\"{new string('y', 70_000)}\"",
            $"\"{text}{JsonEncodedText.Encode(original)}\"",
        ]);
    }

    private static string JsonString(string text) => "\"" + JsonEncodedText.Encode(text, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping) + "\"";

    private JsonNode? RandomValue() => Pick<JsonNode?>(
    [
        null, JsonValue.Create("x"), JsonValue.Create(""), JsonValue.Create(42), JsonValue.Create(-1), JsonValue.Create(1.5),
        JsonValue.Create(true), JsonValue.Create(false), new JsonArray(), new JsonObject(), new JsonArray(1, 2),
        new JsonObject { ["a"] = 1 }, new JsonArray(new JsonObject()), JsonValue.Create("2020-02-10"),
    ]);

    /// <summary>The body with one string's text spliced with bytes that are not UTF-8 (or UTF-8 of a surrogate).</summary>
    private byte[] InvalidUtf8(JsonNode body)
    {
        var copy = body.DeepClone();
        var strings = Nodes(copy).Where(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String).ToList();
        var text = Replace(copy, strings.Count > 0 ? Pick(strings) : copy, QuotedMark);
        var bytes = Encoding.UTF8.GetBytes(text);
        var at = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Mark));
        byte[] bad = Pick<byte[]>([[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0x80], [0xE2, 0x82]]);
        return at < 0 ? [.. bytes, .. bad] : [.. bytes[..at], .. bad, .. bytes[(at + Mark.Length)..]];
    }

    private Guid RandomGuid()
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private byte[] RandomBytes()
    {
        var bytes = new byte[random.Next(1, 512)];
        random.NextBytes(bytes);
        return bytes;
    }

    private HostileRequest ContentType(Sample sample)
    {
        var (type, encoding) = Pick<(string?, Encoding)>(
        [
            (null, Encoding.UTF8), ("text/plain", Encoding.UTF8), ("application/json; charset=utf-16", Encoding.Unicode),
            ("application/json; charset=utf-16", Encoding.UTF8), ("application/json; charset=utf-32", Encoding.UTF32),
            ("application/json; charset=iso-8859-1", Encoding.Latin1), ("application/xml", Encoding.UTF8),
            ("multipart/form-data; boundary=x", Encoding.UTF8), ("application/x-www-form-urlencoded", Encoding.UTF8),
            ("*/*", Encoding.UTF8), ("application/*", Encoding.UTF8), ("text/json", Encoding.UTF8), ("json", Encoding.UTF8),
            (";;;", Encoding.UTF8), ("application/json; charset=utf-8", Encoding.UTF8), ("APPLICATION/JSON", Encoding.UTF8),
            ("application/vnd.idlib+json", Encoding.UTF8), ("application/x-ndjson", Encoding.UTF8), ("text/csv", Encoding.UTF8),
            ("application/json; charset=\"utf-8\"", Encoding.UTF8), ("application/json; charset=", Encoding.UTF8),
        ]);
        var body = encoding == Encoding.UTF8 ? sample.Body! : encoding.GetBytes(Encoding.UTF8.GetString(sample.Body!));
        return new HostileRequest(sample.Command.Operation, "content-type", sample.Url, body, type);
    }

    /// <summary>A command that takes no body (a revocation, a checkpoint): a body anyway, or a hostile id.</summary>
    private HostileRequest Bodiless(Sample sample)
    {
        if (sample.Command.OnAStream && random.Next(2) == 0)
        {
            return new HostileRequest(sample.Command.Operation, "id-in-path", sample.UrlWithId(HostileId()), null, null);
        }

        var body = random.Next(3) switch
        {
            0 => RandomBytes(),
            1 => Encoding.UTF8.GetBytes(HostileString("x")),
            _ => Encoding.UTF8.GetBytes("{\"reason\": " + HostileString("compromised") + "}"),
        };
        return new HostileRequest(sample.Command.Operation, "body-added", sample.Url, body, Pick<string?>([null, "application/json", "text/plain", "application/json; charset=utf-16"]));
    }

    /// <summary>The UCDP GED import (text/csv): hostile cells, columns, bytes and media types.</summary>
    private HostileRequest Csv(Sample sample)
    {
        var text = Encoding.UTF8.GetString(sample.Body!);
        var lines = text.Split('\n').ToList();
        var kind = Pick(["cell", "cell", "cell", "columns", "truncated", "garbage", "invalid-utf8", "content-type", "json-body"]);
        switch (kind)
        {
            case "cell":
            {
                var cells = lines[1].Split(',');
                cells[random.Next(cells.Length)] = Pick(
                [
                    "", "1e400", "-1", "1e-400", "NaN", "99999999999999999999", "2147483648", "9999-12-31", "0001-01-01", "2020-02-30",
                    "\0", "a\u0001b", "\"unterminated", "\"a,b\"", "x\ny", new string('z', 5000), "\ud800", "🙂", "-180.000001", "91",
                    Guid.Empty.ToString(), "samples-dup",
                ]);
                lines[1] = string.Join(',', cells);
                break;
            }

            case "columns":
            {
                var header = lines[0].Split(',').ToList();
                var column = random.Next(header.Count);
                if (random.Next(2) == 0)
                {
                    header.RemoveAt(column);
                }
                else
                {
                    header.Insert(column, header[column]);
                }

                lines[0] = string.Join(',', header);
                break;
            }

            case "truncated":
                return new HostileRequest(sample.Command.Operation, "csv-" + kind, sample.Url, sample.Body![..random.Next(sample.Body!.Length)], sample.ContentType);
            case "garbage":
                return new HostileRequest(sample.Command.Operation, "csv-" + kind, sample.Url, RandomBytes(), sample.ContentType);
            case "invalid-utf8":
                return new HostileRequest(sample.Command.Operation, "csv-" + kind, sample.Url, [.. sample.Body!, 0xC3, 0x28, 0xFF, (byte)'\n'], sample.ContentType);
            case "content-type":
                return new HostileRequest(sample.Command.Operation, "csv-" + kind, sample.Url, sample.Body, Pick<string?>([null, "application/json", "text/plain", "text/csv; charset=utf-16", "text/csvx"]));
            case "json-body":
                return new HostileRequest(sample.Command.Operation, "csv-" + kind, sample.Url, Encoding.UTF8.GetBytes("{\"rows\": []}"), sample.ContentType);
        }

        return new HostileRequest(sample.Command.Operation, "csv-" + kind, sample.Url, Encoding.UTF8.GetBytes(string.Join('\n', lines)), sample.ContentType);
    }

    private string Pick(List<(string Kind, int Weight)> weighted)
    {
        var roll = random.Next(weighted.Sum(k => k.Weight));
        foreach (var (kind, weight) in weighted)
        {
            roll -= weight;
            if (roll < 0)
            {
                return kind;
            }
        }

        return weighted[^1].Kind;
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
