using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Attacks;

/// <summary>
/// Every bad input is refused with a ProblemDetails that names the wrong field (or parameter), and nothing is
/// appended: the event count is the same after the request as before it.
/// </summary>
public sealed class bad_input_is_refused(LedgerFixture ledger) : LedgerTest(ledger)
{
    /// <summary>The ledger's "now" in these tests, so that "in the future" is a fixed date.</summary>
    private static readonly DateTimeOffset Now = new(2020, 3, 5, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The id of the attack the read tests report first, so that a read by id has something to find.</summary>
    private const string SomeAttack = "0195a3c4-2f00-7000-8000-000000000001";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Ledger.Clock.Set(Now);
    }

    // ---- POST /api/attacks ------------------------------------------------------------------------------------

    /// <summary>(case, body, the field the answer must name, a text its message must contain).</summary>
    public static TheoryData<string, string, string, string?> BadReports()
    {
        var rows = new TheoryData<string, string, string, string?>();
        void Add(string @case, Action<JsonObject> change, string field, string? says = null) =>
            rows.Add(@case, Given.Report(change).ToJsonString(), field, says);

        foreach (var required in new[]
                 {
                     "perpetrator", "targets", "eventType", "location", "locationPrecision", "occurredAt", "datePrecision",
                     "description", "sources", "casualties", "reportedBy",
                 })
        {
            Add($"{required} missing", b => b.Remove(required), required);
        }

        Add("perpetrator too long", b => b["perpetrator"] = new string('p', 201), "perpetrator", "200");

        // Estimates: low ≤ best ≤ high, none negative.
        Add("low above best", b => b["casualties"] = Given.Killed("military", "Turkish Armed Forces", 6, 5, 7), "casualties[0].killed.best");
        Add("best above high", b => b["casualties"] = Given.Killed("military", "Turkish Armed Forces", 5, 8, 7), "casualties[0].killed.high");
        Add("negative killed", b => b["casualties"] = Given.Killed("civilian", null, -1, 0, 0), "casualties[0].killed.low");

        // Geometry.
        Add("longitude 200", b => b["location"] = Point(200, 35.93), "location.coordinates[0]", "longitude");
        Add("latitude -91", b => b["location"] = Point(36.78, -91), "location.coordinates[1]", "latitude");
        Add("one coordinate", b => b["location"]!["coordinates"] = new JsonArray(36.78), "location.coordinates");
        Add("a polygon", b => b["location"]!["type"] = "Polygon", "location.type", "Point");
        Add("a point in Istanbul, outside the area of interest", b => b["location"] = Point(28.97, 41.01), "location.coordinates", "area of interest");
        rows.Add(
            "infinite longitude",
            Given.TaftanazReport.Replace("[36.78, 35.93]", "[1e999, 35.93]", StringComparison.Ordinal),
            "location.coordinates[0]",
            null);

        // Time.
        Add("occurredAt in the future", b => b["occurredAt"] = "2020-03-07T00:00:00Z", "occurredAt", "future");
        Add("occurredAt and occurredFrom", b =>
        {
            b["occurredFrom"] = "2020-02-08";
            b["occurredUntil"] = "2020-02-10";
        }, "occurredAt", "not both");
        Add("occurredUntil before occurredFrom", b =>
        {
            b.Remove("occurredAt");
            b["occurredFrom"] = "2020-02-10";
            b["occurredUntil"] = "2020-02-08";
            b["datePrecision"] = "days";
        }, "occurredUntil");
        Add("datePrecision days without a range", b => b["datePrecision"] = "days", "datePrecision");
        foreach (var (@case, until) in new[] { ("a 1-day range", "2020-02-09"), ("a 7-day range", "2020-02-15"), ("a 20-day range", "2020-02-28") })
        {
            Add($"datePrecision days over {@case}", b =>
            {
                b.Remove("occurredAt");
                b["occurredFrom"] = "2020-02-08";
                b["occurredUntil"] = until;
                b["datePrecision"] = "days";
            }, "occurredUntil", "2 to 6 days");
        }

        Add("occurredAt not ISO 8601", b => b["occurredAt"] = "2020-02-28 10:00 PM", "occurredAt");

        // Sources and casualties.
        Add("no sources", b => b["sources"] = new JsonArray(), "sources");
        Add("a null source", b => b["sources"] = new JsonArray((JsonNode?)null), "sources[0]");
        Add("a source without outlet", b => b["sources"]![0]!.AsObject().Remove("outlet"), "sources[0].outlet");
        Add("a null casualty", b => b["casualties"] = new JsonArray((JsonNode?)null), "casualties[0]");
        Add("military casualties without party", b => b["casualties"] = Given.Killed("military", null, 5, 5, 5), "casualties[0].party", "party");

        // Unknown vocabulary: the answer lists the allowed values.
        Add("unknown eventType", b => b["eventType"] = "nonsense", "eventType", "violence-against-civilians");
        Add("unknown locationPrecision", b => b["locationPrecision"] = "1km", "locationPrecision", "within-25km");
        Add("unknown casualty category", b => b["casualties"]![0]!["category"] = "militar", "casualties[0].category", "military");

        // Wrong JSON types.
        Add("perpetrator a number", b => b["perpetrator"] = 5, "perpetrator", "string");
        Add("targets a string", b => b["targets"] = "x", "targets", "array");
        Add("killed a word", b => b["casualties"]![0]!["killed"] = "many", "casualties[0].killed", "whole number");
        return rows;
    }

    [Theory]
    [MemberData(nameof(BadReports))]
    public async Task a_bad_report_is_400_naming_the_field_and_records_nothing(string @case, string body, string field, string? says)
    {
        var problem = await RefusedAsync(HttpMethod.Post, "/api/attacks", body, HttpStatusCode.BadRequest, expectedEvents: 0, @case);

        ShouldNameField(problem, field, says, @case);
    }

    /// <summary>(case, body): bodies that are not a JSON object at all; the answer names the body.</summary>
    public static TheoryData<string, string> UnreadableBodies() => new()
    {
        { "truncated JSON", Given.TaftanazReport[..(Given.TaftanazReport.Length / 2)] },
        { "an array instead of an object", "[" + Given.TaftanazReport + "]" },
        { "an empty body", "" },
        { "null", "null" },
        { "not JSON", "perpetrator=Syrian Arab Army" },
        { "two objects", Given.TaftanazReport + Given.TaftanazReport },
    };

    [Theory]
    [MemberData(nameof(UnreadableBodies))]
    public async Task an_unreadable_body_is_400_naming_the_body_and_records_nothing(string @case, string body)
    {
        var problem = await RefusedAsync(HttpMethod.Post, "/api/attacks", body, HttpStatusCode.BadRequest, expectedEvents: 0, @case);

        ShouldNameField(problem, "body", null, @case);
    }

    [Fact]
    public async Task a_body_over_the_size_limit_is_413_and_records_nothing()
    {
        // A report that would otherwise be valid, made long by many sources: about 70 kB, over the test host's 64 KiB.
        var sources = new JsonArray();
        while (sources.ToJsonString().Length < 70_000)
        {
            sources.Add(new JsonObject
            {
                ["outlet"] = $"Outlet {sources.Count}",
                ["publishedAt"] = "2020-02-26",
                ["title"] = new string('t', 200),
            });
        }

        var body = Given.Report(b => b["sources"] = sources).ToJsonString();
        Encoding.UTF8.GetByteCount(body).ShouldBeGreaterThan(65_536);

        var problem = await RefusedAsync(HttpMethod.Post, "/api/attacks", body, HttpStatusCode.RequestEntityTooLarge, expectedEvents: 0, "too large");

        problem["detail"]!.GetValue<string>().ShouldContain("65536");
    }

    // ---- POST /api/attacks/{id}/corrections and /retraction ---------------------------------------------------------

    /// <summary>(case, correction body, the field the answer must name).</summary>
    public static TheoryData<string, string, string> BadCorrections() => new()
    {
        { "reason missing", """{"expectedVersion": 1, "description": "Shelling near Taftanaz"}""", "reason" },
        { "reason blank", """{"expectedVersion": 1, "reason": "  ", "description": "Shelling near Taftanaz"}""", "reason" },
        { "expectedVersion 0", """{"expectedVersion": 0, "reason": "second source", "description": "Shelling near Taftanaz"}""", "expectedVersion" },
        { "no field changed", """{"expectedVersion": 1, "reason": "second source"}""", "reason" },
        {
            "low above best",
            """{"expectedVersion": 1, "reason": "second source", "casualties": [{"category": "military", "party": "Turkish Armed Forces", "killed": {"low": 8, "best": 7, "high": 9}}]}""",
            "casualties[0].killed.best"
        },
        { "unknown eventType", """{"expectedVersion": 1, "reason": "second source", "eventType": "nonsense"}""", "eventType" },
        { "unknown locationPrecision", """{"expectedVersion": 1, "reason": "second source", "locationPrecision": "1km"}""", "locationPrecision" },
        { "latitude -91", """{"expectedVersion": 1, "reason": "second source", "location": {"type": "Point", "coordinates": [36.78, -91]}}""", "location.coordinates[1]" },
        { "outside the area of interest", """{"expectedVersion": 1, "reason": "second source", "location": {"type": "Point", "coordinates": [28.97, 41.01]}}""", "location.coordinates" },
        { "occurredAt in the future", """{"expectedVersion": 1, "reason": "second source", "occurredAt": "2020-03-07T00:00:00Z"}""", "occurredAt" },
        { "no sources left", """{"expectedVersion": 1, "reason": "second source", "sources": []}""", "sources" },
        { "a null casualty", """{"expectedVersion": 1, "reason": "second source", "casualties": [null]}""", "casualties[0]" },
    };

    [Theory]
    [MemberData(nameof(BadCorrections))]
    public async Task a_bad_correction_is_400_naming_the_field_and_records_nothing(string @case, string body, string field)
    {
        var id = await Host.ReportedAttackAsync();

        var problem = await RefusedAsync(HttpMethod.Post, $"/api/attacks/{id}/corrections", body, HttpStatusCode.BadRequest, expectedEvents: 1, @case);

        ShouldNameField(problem, field, null, @case);
    }

    [Fact]
    public async Task a_correction_restating_the_current_facts_changes_nothing_and_is_refused()
    {
        var id = await Host.ReportedAttackAsync();
        var sameAsReported = """{"expectedVersion": 1, "reason": "second source", "perpetrator": "Syrian Arab Army", "eventType": "explosions-remote-violence"}""";

        var problem = await RefusedAsync(HttpMethod.Post, $"/api/attacks/{id}/corrections", sameAsReported, HttpStatusCode.BadRequest, expectedEvents: 1, "restated");

        problem["errors"]!.AsObject().Count.ShouldBeGreaterThan(0);
    }

    /// <summary>(case, retraction body, the field the answer must name).</summary>
    public static TheoryData<string, string, string> BadRetractions() => new()
    {
        { "reason missing", """{"expectedVersion": 1}""", "reason" },
        { "expectedVersion 0", """{"expectedVersion": 0, "reason": "duplicate of another report"}""", "expectedVersion" },
    };

    [Theory]
    [MemberData(nameof(BadRetractions))]
    public async Task a_bad_retraction_is_400_naming_the_field_and_records_nothing(string @case, string body, string field)
    {
        var id = await Host.ReportedAttackAsync();

        var problem = await RefusedAsync(HttpMethod.Post, $"/api/attacks/{id}/retraction", body, HttpStatusCode.BadRequest, expectedEvents: 1, @case);

        ShouldNameField(problem, field, null, @case);
    }

    // ---- query parameters of the reads ----------------------------------------------------------------------------

    [Theory]
    [InlineData("/api/attacks?at=garbage", "at")]
    [InlineData("/api/attacks?asOf=2020-13-45", "asOf")]
    [InlineData("/api/attacks?from=yesterday", "from")]
    [InlineData("/api/attacks?at=2020-02-28%2010:00%20PM", "at")]
    [InlineData("/api/attacks?asOf=2020-02-28%2022:00", "asOf")]
    [InlineData("/api/attacks?from=02/28/2020", "from")]
    [InlineData("/api/attacks?to=2020-02-28T10:00:00Z%20trailing", "to")]
    [InlineData("/api/casualties/totals?at=2020-02-28%2010:00%20PM", "at")]
    [InlineData($"/api/attacks/{SomeAttack}?asOf=2020-02-28%2010:00%20PM", "asOf")]
    [InlineData("/api/attacks?from=2020-03-01&to=2020-02-01", "to")]
    [InlineData("/api/attacks?bbox=36.0,35.5,37.0", "bbox")]
    [InlineData("/api/attacks?bbox=37.0,35.5,36.0,36.3", "bbox")]
    [InlineData("/api/attacks?pageSize=0", "pageSize")]
    [InlineData("/api/attacks?pageSize=501", "pageSize")]
    [InlineData("/api/attacks?page=0", "page")]
    [InlineData("/api/attacks?page=first", "page")]
    [InlineData("/api/attacks?pageSize=lots", "pageSize")]
    [InlineData("/api/attacks?includeRetracted=maybe", "includeRetracted")]
    [InlineData("/api/casualties/totals?at=garbage", "at")]
    [InlineData("/api/casualties/totals?asOf=2020-13-45", "asOf")]
    [InlineData("/api/casualties/totals?from=2020-03-01&to=2020-02-01", "to")]
    [InlineData("/api/casualties/totals?bbox=36.0,35.5,37.0", "bbox")]
    [InlineData("/api/casualties/totals?groupBy=weekday", "groupBy")]
    [InlineData($"/api/attacks/{SomeAttack}?at=garbage", "at")]
    [InlineData($"/api/attacks/{SomeAttack}?asOf=2020-13-45", "asOf")]
    public async Task a_bad_query_parameter_is_400_naming_it(string url, string parameter)
    {
        await Host.ReportedAttackAsync(Given.Report(b => b["id"] = SomeAttack));

        var problem = await RefusedAsync(HttpMethod.Get, url, null, HttpStatusCode.BadRequest, expectedEvents: 1, url);

        ShouldNameField(problem, parameter, null, url);
    }

    /// <summary>
    /// The last day of the calendar is an odd bound but not a server error: the read answers (200), or refuses the
    /// bound by name (400). A bare date is widened to the end of that day, which must not overflow.
    /// </summary>
    [Theory]
    [InlineData("/api/attacks?at=9999-12-31", "at")]
    [InlineData("/api/attacks?asOf=9999-12-31", "asOf")]
    [InlineData("/api/attacks?to=9999-12-31", "to")]
    [InlineData("/api/casualties/totals?at=9999-12-31", "at")]
    [InlineData("/api/casualties/totals?asOf=9999-12-31", "asOf")]
    [InlineData($"/api/attacks/{SomeAttack}?at=9999-12-31", "at")]
    [InlineData($"/api/attacks/{SomeAttack}?asOf=9999-12-31", "asOf")]
    public async Task the_last_day_of_the_calendar_is_answered_not_a_server_error(string url, string parameter)
    {
        await Host.ReportedAttackAsync(Given.Report(b => b["id"] = SomeAttack));

        using var client = Host.Client();
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        var said = $"GET {url} answered {(int)response.StatusCode}: {text}";

        response.StatusCode.ShouldBeOneOf([HttpStatusCode.OK, HttpStatusCode.BadRequest], said);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            ShouldNameField(JsonNode.Parse(text)!.AsObject(), parameter, null, url);
        }

        (await Ledger.EventCountAsync()).ShouldBe(1);
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private static JsonObject Point(double longitude, double latitude) =>
        new() { ["type"] = "Point", ["coordinates"] = new JsonArray(longitude, latitude) };

    /// <summary>Checks the ledger holds <paramref name="expectedEvents"/> events, then that the request is refused with nothing appended.</summary>
    private async Task<JsonObject> RefusedAsync(HttpMethod method, string url, string? body, HttpStatusCode status, long expectedEvents, string @case)
    {
        (await Ledger.EventCountAsync()).ShouldBe(expectedEvents, $"{@case}: events before the request");
        return await Ledger.RefusedAsync(method, url, body, status, @case);
    }

    private static void ShouldNameField(JsonObject problem, string field, string? says, string @case)
    {
        var said = $"{@case}: {problem.ToJsonString()}";
        var errors = problem["errors"].ShouldBeOfType<JsonObject>(said);
        errors.ShouldContainKey(field, said);
        var messages = errors[field]!.AsArray().Select(m => m!.GetValue<string>()).ToList();
        messages.ShouldNotBeEmpty(said);
        if (says is not null)
        {
            string.Join(" ", messages).ShouldContain(says, Case.Insensitive, said);
        }
    }
}
