using System.Text.Json.Nodes;
using Alba;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Security;

namespace IdlibLedger.Tests.HostileInput;

/// <summary>A command (POST) of the OpenAPI document: its operation id and path template (<c>/api/attacks/{id}/corrections</c>).</summary>
public sealed record Command(string Operation, string PathTemplate)
{
    public bool OnAStream => PathTemplate.Contains("{id}", StringComparison.Ordinal);

    /// <summary>Every POST of the running service's OpenAPI document.</summary>
    public static async Task<IReadOnlyList<Command>> AllAsync(IAlbaHost host)
    {
        var document = await host.GetJsonAsync("/openapi/v1.json");
        return [.. document["paths"]!.AsObject()
            .Where(path => path.Value!["post"] is not null)
            .Select(path => new Command(path.Value!["post"]!["operationId"]!.GetValue<string>(), path.Key))
            .OrderBy(c => c.Operation, StringComparer.Ordinal)];
    }

    /// <summary>A request this command answers with 2xx (<see cref="ValidRequests"/>), its prerequisites created by <paramref name="setup"/>.</summary>
    public async Task<Sample> SampleAsync(HttpClient setup)
    {
        using var request = await ValidRequests.ByOperation[Operation](setup, setup);
        return new Sample(
            this,
            request.RequestUri!.OriginalString,
            request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(),
            request.Content?.Headers.ContentType?.ToString());
    }
}

/// <summary>One valid request of a command: its URL, body bytes and Content-Type (null: none sent).</summary>
public sealed record Sample(Command Command, string Url, byte[]? Body, string? ContentType)
{
    public bool IsJson => ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true;

    public JsonNode Json => JsonNode.Parse(Body!)!;

    /// <summary>The URL with the stream id replaced (for commands on a stream).</summary>
    public string UrlWithId(string id)
    {
        var prefix = Command.PathTemplate[..Command.PathTemplate.IndexOf("{id}", StringComparison.Ordinal)];
        var rest = Url[prefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return prefix + id + (slash < 0 ? "" : rest[slash..]);
    }

    public HttpRequestMessage Request(string? url = null, byte[]? body = null, string? contentType = null, bool noContentType = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url ?? Url);
        var bytes = body ?? Body;
        if (bytes is not null)
        {
            request.Content = new ByteArrayContent(bytes);
            var type = noContentType ? null : contentType ?? ContentType;
            if (type is not null)
            {
                // Without validation: the fuzz sends media types a client library would refuse to build.
                request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }

        return request;
    }
}

/// <summary>An answer, read whole.</summary>
public sealed record Answer(int Status, string? MediaType, string Text)
{
    public static async Task<Answer> ToAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await client.SendAsync(request);
            return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
        }
    }

    public JsonObject Json => JsonNode.Parse(Text)!.AsObject();

    public override string ToString() => $"{Status} {MediaType}: {(Text.Length > 400 ? Text[..400] + "…" : Text)}";
}

/// <summary>The leaves of a JSON body, by the path the ledger names them with (<c>sources[0].title</c>).</summary>
public static class JsonLeaves
{
    public static IEnumerable<(string Path, JsonValue Value)> Of(JsonNode? node, string path = "")
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    foreach (var leaf in Of(child, path.Length == 0 ? name : $"{path}.{name}"))
                    {
                        yield return leaf;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var leaf in Of(array[i], $"{path}[{i}]"))
                    {
                        yield return leaf;
                    }
                }

                break;
            case JsonValue value:
                yield return (path, value);
                break;
        }
    }

    /// <summary>A copy of <paramref name="body"/> with the leaf at <paramref name="path"/> replaced by <paramref name="value"/>.</summary>
    public static JsonNode With(JsonNode body, string path, JsonNode? value)
    {
        var copy = body.DeepClone();
        var leaf = Of(copy).Single(l => l.Path == path).Value;
        leaf.ReplaceWith(value);
        return copy;
    }
}
