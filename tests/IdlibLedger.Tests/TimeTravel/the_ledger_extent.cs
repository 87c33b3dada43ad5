using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;

namespace IdlibLedger.Tests.TimeTravel;

/// <summary>GET /api/extent: the span of valid time and the place the ledger covers as known at asOf, for a page's slider and map.</summary>
public sealed class the_ledger_extent(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static DateTimeOffset Utc(int month, int day, int hour = 12) => new(2020, month, day, hour, 0, 0, TimeSpan.Zero);

    private static List<double> Bbox(JsonObject extent) => [.. extent["bbox"]!.AsArray().Select(c => c!.GetValue<double>())];

    [Fact]
    public async Task an_empty_ledger_covers_nothing()
    {
        var extent = await Host.GetJsonAsync("/api/extent?asOf=2020-03-01");

        extent["from"].ShouldBeNull();
        extent["until"].ShouldBeNull();
        extent["bbox"].ShouldBeNull();
        extent["lastRecordedAt"].ShouldBeNull();
        extent["attacks"]!.GetValue<long>().ShouldBe(0);
        extent["asOf"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 3, 1, 23, 59, 59, 999, 999, TimeSpan.Zero));
    }

    [Fact]
    public async Task attacks_and_control_changes_span_the_time_and_place_known_at_as_of()
    {
        Ledger.Clock.Set(Utc(3, 5));
        await Host.ReportedAttackAsync();
        Ledger.Clock.Set(Utc(3, 6));
        var later = await Host.ReportedAttackAsync(Given.Report(b =>
        {
            b["occurredAt"] = "2020-02-27";
            b["location"] = new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(36.5, 35.6) };
        }));
        Ledger.Clock.Set(Utc(3, 8));
        await Host.RecordedControlChangeAsync("Syrian Arab Army", GivenTerritory.Box(36.9, 35.7, 37.1, 36.1), "2020-01-28");
        Ledger.Clock.Set(Utc(3, 12));
        await Host.RevisedAsync($"/api/attacks/{later}/retraction", Revising.Retraction(1));

        var first = await Host.GetJsonAsync("/api/extent?asOf=2020-03-05");
        var both = await Host.GetJsonAsync("/api/extent?asOf=2020-03-07");
        var withControl = await Host.GetJsonAsync("/api/extent?asOf=2020-03-09");
        var afterRetraction = await Host.GetJsonAsync("/api/extent?asOf=2020-03-13");

        first["attacks"]!.GetValue<long>().ShouldBe(1);
        first["from"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 2, 10, 0, 0, 0, TimeSpan.Zero));
        first["until"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 2, 11, 0, 0, 0, TimeSpan.Zero));
        Bbox(first).ShouldBe([36.78, 35.93, 36.78, 35.93]);
        first["lastRecordedAt"]!.GetValue<DateTimeOffset>().ShouldBe(Utc(3, 5), TimeSpan.FromSeconds(1));

        both["attacks"]!.GetValue<long>().ShouldBe(2);
        both["until"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 2, 28, 0, 0, 0, TimeSpan.Zero));
        Bbox(both).ShouldBe([36.5, 35.6, 36.78, 35.93]);

        withControl["from"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 1, 28, 0, 0, 0, TimeSpan.Zero));
        Bbox(withControl).ShouldBe([36.5, 35.6, 37.1, 36.1]);
        withControl["lastRecordedAt"]!.GetValue<DateTimeOffset>().ShouldBe(Utc(3, 8), TimeSpan.FromSeconds(1));

        afterRetraction["attacks"]!.GetValue<long>().ShouldBe(1);
        afterRetraction["until"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 2, 11, 0, 0, 0, TimeSpan.Zero));
        Bbox(afterRetraction).ShouldBe([36.78, 35.7, 37.1, 36.1]);
        afterRetraction["lastRecordedAt"]!.GetValue<DateTimeOffset>().ShouldBe(Utc(3, 12), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task a_malformed_as_of_is_refused_naming_it() =>
        (await Host.GetJsonAsync("/api/extent?asOf=tomorrow", expectedStatus: 400)).ShouldNameField("asOf");
}
