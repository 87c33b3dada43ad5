using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;

namespace IdlibLedger.Tests.HostileInput;

/// <summary>
/// Bodies a hostile or broken client sends, on every command of the OpenAPI document: each is refused with a
/// problem+json that names the field (or the Content-Type header), never a 500, and nothing is recorded.
/// </summary>
public sealed class hostile_json_is_refused(LedgerFixture ledger) : LedgerTest(ledger)
{
    private const string ZeroId = "00000000-0000-0000-0000-000000000000";

    // ---- text ---------------------------------------------------------------------------------------------------

    [Fact]
    public async Task a_nul_in_any_text_of_any_command_is_400_naming_the_field_and_records_nothing()
    {
        // PostgreSQL's jsonb cannot hold U+0000: before the ledger refused it, it reached the database and failed there (500).
        var wrong = new List<string>();
        var cases = 0;
        foreach (var sample in await JsonSamplesAsync())
        {
            foreach (var (path, _) in JsonLeaves.Of(sample.Json).Where(l => l.Value.GetValueKind() == JsonValueKind.String))
            {
                cases++;
                var body = JsonLeaves.With(sample.Json, path, "a\u0000b");
                await ExpectRefusalAsync(wrong, sample, $"NUL in {path}", sample.Request(body: Utf8(body)), 400, path);
            }
        }

        ShouldBeNone(wrong);
        cases.ShouldBeGreaterThan(100);
    }

    /// <summary>(case, the field changed, its new value as JSON text, the answer: 201, or 400 naming the field).</summary>
    public static TheoryData<string, string, string, int> TextCases() => new()
    {
        { "a tab, a line feed and a carriage return in free text", "description", "\"shelling\\tnear Taftanaz\\r\\nsecond line\"", 201 },
        { "a line feed in a source title (free text)", "sources[0].title", "\"Turkey expects\\nRussia to halt regime attacks\"", 201 },
        { "a surrogate pair (an emoji) in free text", "description", "\"shelling \\ud83d\\udca5 near Taftanaz\"", 201 },
        { "U+0001 in free text", "description", "\"shelling\\u0001\"", 400 },
        { "U+001F in free text", "description", "\"shelling\\u001f\"", 400 },
        { "DEL in free text", "description", "\"shelling\\u007f\"", 400 },
        { "a line feed in a name", "perpetrator", "\"Syrian\\nArab Army\"", 400 },
        { "a tab in a name", "reportedBy", "\"desk\\tankara\"", 400 },
        { "DEL in a source's outlet", "sources[0].outlet", "\"Daily\\u007fSabah\"", 400 },
        { "U+0000 in a target", "targets[0]", "\"Turkish\\u0000Armed Forces\"", 400 },
        { "U+0000 in a vocabulary value", "eventType", "\"battles\\u0000\"", 400 },
        { "a lone high surrogate", "description", "\"shelling \\ud800 near Taftanaz\"", 400 },
        { "a lone low surrogate", "perpetrator", "\"\\udc00Syrian Arab Army\"", 400 },
        { "a high surrogate at the end", "description", "\"shelling\\ud83d\"", 400 },
    };

    [Theory]
    [MemberData(nameof(TextCases))]
    public async Task control_characters_are_refused_but_in_free_text_tab_and_line_breaks(string @case, string field, string json, int status)
    {
        var body = JsonLeaves.With(Given.Report(), field, "VALUE").ToJsonString().Replace("\"VALUE\"", json, StringComparison.Ordinal);

        var before = await Ledger.AllEventCountAsync();
        using var client = Host.Client();
        var answer = await Answer.ToAsync(client, Post("/api/attacks", Encoding.UTF8.GetBytes(body), "application/json"));

        answer.Status.ShouldBe(status, $"{@case}: {answer}");
        if (status == 400)
        {
            ShouldName(answer, field, @case);
            (await Ledger.AllEventCountAsync()).ShouldBe(before, @case);
        }
        else
        {
            // What was accepted is what is read back: the text is kept as sent.
            var id = answer.Json["id"]!.GetValue<Guid>();
            var read = await Host.GetJsonAsync($"/api/attacks/{id}");
            var sent = JsonLeaves.Of(JsonNode.Parse(body)).Single(l => l.Path == field).Value.GetValue<string>();
            JsonLeaves.Of(read).Where(l => l.Path.EndsWith(field, StringComparison.Ordinal)).Select(l => l.Value.ToString()).ShouldContain(sent, @case);
        }
    }

    // ---- stream ids ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task a_command_on_the_all_zero_or_an_unknown_stream_is_404_and_records_nothing()
    {
        // Marten refuses to load the empty Guid: before the ledger checked it, every command on a stream answered 500.
        var wrong = new List<string>();
        var onStreams = (await SamplesAsync()).Where(s => s.Command.OnAStream).ToList();
        foreach (var sample in onStreams)
        {
            foreach (var id in new[] { ZeroId, "00000000000000000000000000000000", "{00000000-0000-0000-0000-000000000000}", Guid.NewGuid().ToString() })
            {
                await ExpectRefusalAsync(wrong, sample, $"id {id}", sample.Request(url: sample.UrlWithId(id)), 404, field: null);
            }
        }

        ShouldBeNone(wrong);
        onStreams.Count.ShouldBeGreaterThanOrEqualTo(13);
    }

    // ---- media types --------------------------------------------------------------------------------------------

    [Fact]
    public async Task a_body_without_a_content_type_is_415_naming_content_type_and_records_nothing()
    {
        var wrong = new List<string>();
        var samples = await JsonSamplesAsync();
        foreach (var sample in samples)
        {
            await ExpectRefusalAsync(wrong, sample, "no Content-Type", sample.Request(noContentType: true), 415, "Content-Type");
        }

        ShouldBeNone(wrong);
        samples.Select(s => s.Command.Operation).ShouldContain("ReportAttacksInBatch");
    }

    /// <summary>(case, Content-Type, body encoding): none of these is UTF-8 JSON as the endpoint takes it.</summary>
    public static TheoryData<string, string, string> RefusedMediaTypes() => new()
    {
        { "UTF-16, labelled", "application/json; charset=utf-16", "utf-16" },
        { "UTF-8 bytes labelled UTF-16", "application/json; charset=utf-16", "utf-8" },
        { "UTF-32", "application/json; charset=utf-32", "utf-32" },
        { "Latin-1", "application/json; charset=iso-8859-1", "utf-8" },
        { "plain text", "text/plain", "utf-8" },
        { "text/json", "text/json", "utf-8" },
        { "a form", "application/x-www-form-urlencoded", "utf-8" },
        { "XML", "application/xml", "utf-8" },
        { "any type", "*/*", "utf-8" },
        { "not a media type", "json", "utf-8" },
    };

    [Theory]
    [MemberData(nameof(RefusedMediaTypes))]
    public async Task a_body_that_is_not_utf8_json_is_415_naming_content_type(string @case, string contentType, string encoding)
    {
        foreach (var url in new[] { "/api/attacks", "/api/attacks/batch" })
        {
            var json = url.EndsWith("batch", StringComparison.Ordinal) ? $"[{Given.TaftanazReport}]" : Given.TaftanazReport;
            var before = await Ledger.AllEventCountAsync();
            using var client = Host.Client();
            var answer = await Answer.ToAsync(client, Post(url, Encoding.GetEncoding(encoding).GetBytes(json), contentType));

            answer.Status.ShouldBe(415, $"{@case} on {url}: {answer}");
            ShouldName(answer, "Content-Type", @case);
            (await Ledger.AllEventCountAsync()).ShouldBe(before, @case);
        }
    }

    [Theory]
    [InlineData("/api/attacks", "application/json")]
    [InlineData("/api/attacks", "application/json; charset=utf-8")]
    [InlineData("/api/attacks", "application/json; charset=UTF-8")]
    [InlineData("/api/attacks", "application/json;charset=\"utf-8\"")]
    [InlineData("/api/attacks", "application/vnd.idlib-ledger+json")]
    [InlineData("/api/attacks/batch", "application/json")]
    [InlineData("/api/attacks/batch", "application/x-ndjson")]
    [InlineData("/api/attacks/batch", "application/x-ndjson; charset=utf-8")]
    public async Task utf8_json_is_taken_with_or_without_its_charset(string url, string contentType)
    {
        var json = url.EndsWith("batch", StringComparison.Ordinal)
            ? contentType.StartsWith("application/x-ndjson", StringComparison.Ordinal) ? Given.Report().ToJsonString() : $"[{Given.TaftanazReport}]"
            : Given.TaftanazReport;
        using var client = Host.Client();

        var answer = await Answer.ToAsync(client, Post(url, Encoding.UTF8.GetBytes(json), contentType));

        answer.Status.ShouldBeOneOf([200, 201], answer.ToString());
        (await Ledger.EventCountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task the_import_still_takes_text_csv_and_refuses_json()
    {
        using var client = Host.Client();
        var answer = await Answer.ToAsync(client, Post("/api/imports/ucdp-ged", Encoding.UTF8.GetBytes(Given.TaftanazReport), "application/json"));

        answer.Status.ShouldBe(415, answer.ToString());
        answer.MediaType.ShouldBe("application/problem+json");
        answer.Json["title"]!.GetValue<string>().ShouldContain("text/csv");
    }

    // ---- duplicate keys -----------------------------------------------------------------------------------------

    [Fact]
    public async Task a_key_given_twice_in_any_command_is_400_naming_it_and_records_nothing()
    {
        // System.Text.Json lets the last one win; two values for one field is a client bug the ledger should not guess at.
        var wrong = new List<string>();
        foreach (var sample in (await JsonSamplesAsync()).Where(s => s.Json is JsonObject { Count: > 0 }))
        {
            var (key, value) = sample.Json.AsObject().First();
            var text = Encoding.UTF8.GetString(sample.Body!);
            var twice = "{" + JsonSerializer.Serialize(key) + ":" + value!.ToJsonString() + "," + text[1..];
            await ExpectRefusalAsync(wrong, sample, $"{key} twice", sample.Request(body: Encoding.UTF8.GetBytes(twice)), 400, key);
        }

        ShouldBeNone(wrong);
    }

    /// <summary>(case, the body, the field the answer names): keys twice in nested objects and read by custom converters.</summary>
    public static TheoryData<string, string, string> NestedDuplicates() => new()
    {
        { "location.type twice", Given.TaftanazReport.Replace("\"type\": \"Point\"", "\"type\": \"Point\", \"type\": \"Point\"", StringComparison.Ordinal), "location.type" },
        { "coordinates twice", Given.TaftanazReport.Replace("\"coordinates\": [36.78, 35.93]", "\"coordinates\": [0, 0], \"coordinates\": [36.78, 35.93]", StringComparison.Ordinal), "location.coordinates" },
        { "an estimate's low twice", Given.TaftanazReport.Replace("\"low\": 5", "\"low\": 0, \"low\": 5", StringComparison.Ordinal), "casualties[0].killed.low" },
        { "a source's outlet twice", Given.TaftanazReport.Replace("\"outlet\": \"Daily Sabah\"", "\"outlet\": \"Anadolu\", \"outlet\": \"Daily Sabah\"", StringComparison.Ordinal), "sources[0].outlet" },
        { "the same key in another case", Given.TaftanazReport.Replace("\"perpetrator\":", "\"Perpetrator\": \"Hayat Tahrir al-Sham\", \"perpetrator\":", StringComparison.Ordinal), "perpetrator" },
    };

    [Theory]
    [MemberData(nameof(NestedDuplicates))]
    public async Task a_key_given_twice_in_a_nested_object_is_400_naming_it(string @case, string body, string field)
    {
        body.ShouldNotBe(Given.TaftanazReport);
        using var client = Host.Client();

        var answer = await Answer.ToAsync(client, Post("/api/attacks", Encoding.UTF8.GetBytes(body), "application/json"));

        answer.Status.ShouldBe(400, $"{@case}: {answer}");
        ShouldName(answer, field, @case);
        (await Ledger.EventCountAsync()).ShouldBe(0, @case);
    }

    // ---- numbers ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task a_number_that_is_not_finite_or_rounds_to_zero_is_400_naming_it_in_any_command()
    {
        // 1e-400 reads as 0 (a longitude of 0 is in range) and 1e400 as infinity: neither is what the client sent.
        var wrong = new List<string>();
        var cases = 0;
        foreach (var sample in await JsonSamplesAsync())
        {
            var text = Encoding.UTF8.GetString(sample.Body!);
            foreach (var (path, _) in JsonLeaves.Of(sample.Json).Where(l => l.Value.GetValueKind() == JsonValueKind.Number))
            {
                foreach (var number in new[] { "1e-400", "-2e-324", "1e400", "-1e400", "1" + new string('0', 400) })
                {
                    cases++;
                    var body = JsonLeaves.With(sample.Json, path, "NUMBER").ToJsonString().Replace("\"NUMBER\"", number, StringComparison.Ordinal);
                    await ExpectRefusalAsync(wrong, sample, $"{path} = {number}", sample.Request(body: Encoding.UTF8.GetBytes(body)), 400, path);
                }
            }

            text.ShouldNotContain("NUMBER");
        }

        ShouldBeNone(wrong);
        cases.ShouldBeGreaterThan(50);
    }

    // ---- batches ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/x-ndjson")]
    public async Task a_batch_with_hostile_text_in_one_report_is_400_naming_it_and_records_none(string contentType)
    {
        var reports = new[] { Given.Report(), Given.Report(b => b["description"] = "a\u0000b"), Given.Report() };
        var body = contentType == "application/json"
            ? new JsonArray([.. reports]).ToJsonString()
            : string.Join("\n\n", reports.Select(r => r.ToJsonString()));
        using var client = Host.Client();

        var answer = await Answer.ToAsync(client, Post("/api/attacks/batch", Encoding.UTF8.GetBytes(body), contentType));

        answer.Status.ShouldBe(400, answer.ToString());
        ShouldName(answer, "[1].description", contentType);
        (await Ledger.EventCountAsync()).ShouldBe(0);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private async Task<List<Sample>> SamplesAsync()
    {
        using var setup = Host.Client("hostile-setup");
        var samples = new List<Sample>();
        try
        {
            foreach (var command in await Command.AllAsync(Host))
            {
                samples.Add(await command.SampleAsync(setup));
            }
        }
        finally
        {
            await Ledger.ForgetTestRegionsAsync();
        }

        return samples;
    }

    private async Task<List<Sample>> JsonSamplesAsync() => [.. (await SamplesAsync()).Where(s => s.IsJson)];

    /// <summary>Sends the request; adds to <paramref name="wrong"/> unless it is refused with the status, as problem+json naming the field, appending nothing.</summary>
    private async Task ExpectRefusalAsync(List<string> wrong, Sample sample, string @case, HttpRequestMessage request, int status, string? field)
    {
        var before = await Ledger.AllEventCountAsync();
        using var client = Host.Client();
        var answer = await Answer.ToAsync(client, request);
        var appended = await Ledger.AllEventCountAsync() - before;
        var said = $"{sample.Command.Operation} ({sample.Command.PathTemplate}), {@case}: expected {status}{(field is null ? "" : $" naming '{field}'")}, got {answer}";
        var named = field is null || (answer.MediaType == "application/problem+json" && answer.Json["errors"] is JsonObject errors && errors.ContainsKey(field));
        if (answer.Status != status || answer.MediaType != "application/problem+json" || !named || appended != 0)
        {
            wrong.Add(appended == 0 ? said : $"{said}, and {appended} event(s) appended");
        }
    }

    private static void ShouldBeNone(List<string> wrong) =>
        wrong.Count.ShouldBe(0, $"{wrong.Count} answers were not as expected; the first:\n{string.Join("\n", wrong.Take(15))}");

    private static void ShouldName(Answer answer, string field, string @case)
    {
        answer.MediaType.ShouldBe("application/problem+json", $"{@case}: {answer}");
        var errors = answer.Json["errors"].ShouldBeOfType<JsonObject>($"{@case}: {answer}");
        errors.ShouldContainKey(field, $"{@case}: {answer}");
    }

    private static HttpRequestMessage Post(string url, byte[] body, string contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return request;
    }

    private static byte[] Utf8(JsonNode body) => Encoding.UTF8.GetBytes(body.ToJsonString());
}
