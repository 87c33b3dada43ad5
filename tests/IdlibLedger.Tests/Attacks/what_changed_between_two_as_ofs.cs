using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;

namespace IdlibLedger.Tests.Attacks;

/// <summary>GET /api/attacks/changes: every attack version the ledger recorded between two transaction times.</summary>
public sealed class what_changed_between_two_as_ofs(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static DateTimeOffset Utc(int month, int day, int hour = 12) => new(2020, month, day, hour, 0, 0, TimeSpan.Zero);

    /// <summary>Reported on 5 March, a second report on 6 March, the first corrected on 10 March, the second retracted on 12 March.</summary>
    private async Task<(Guid Corrected, Guid Retracted)> HistoryAsync()
    {
        Ledger.Clock.Set(Utc(3, 5));
        var corrected = await Host.ReportedAttackAsync();
        Ledger.Clock.Set(Utc(3, 6));
        var retracted = await Host.ReportedAttackAsync(Given.Report(b =>
        {
            b["perpetrator"] = "Hay'at Tahrir al-Sham";
            b["location"] = new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(36.63, 35.82) };
        }));
        Ledger.Clock.Set(Utc(3, 10));
        await Host.CorrectedAsync(corrected, new JsonObject
        {
            ["expectedVersion"] = 1, ["reason"] = "the place as the MoD gave it",
            ["location"] = new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(36.7, 35.9) },
        });
        Ledger.Clock.Set(Utc(3, 12));
        await Host.RevisedAsync($"/api/attacks/{retracted}/retraction", Revising.Retraction(1));
        return (corrected, retracted);
    }

    private static List<(Guid Id, int Version, string Change)> Items(JsonObject page) =>
        [.. page["items"]!.AsArray().Select(i => (i!["attackId"]!.GetValue<Guid>(), i["version"]!.GetValue<int>(), i["change"]!.GetValue<string>()))];

    [Fact]
    public async Task the_changes_up_to_an_as_of_before_the_correction_are_the_two_reports()
    {
        var (corrected, retracted) = await HistoryAsync();

        var page = await Host.GetJsonAsync("/api/attacks/changes?since=2020-03-01&asOf=2020-03-09");

        Items(page).ShouldBe([(corrected, 1, "reported"), (retracted, 1, "reported")]);
        page["totalItems"]!.GetValue<long>().ShouldBe(2);
        page["since"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 3, 1, 23, 59, 59, 999, 999, TimeSpan.Zero));
        page["asOf"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 3, 9, 23, 59, 59, 999, 999, TimeSpan.Zero));
        var first = page["items"]![0]!;
        first["recordedAt"]!.GetValue<DateTimeOffset>().ShouldBe(Utc(3, 5), TimeSpan.FromSeconds(1));
        first["recordedBy"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        first["perpetrator"]!.GetValue<string>().ShouldBe("Syrian Arab Army");
        first["occurredFrom"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 2, 10, 0, 0, 0, TimeSpan.Zero));
        first["occurredUntil"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 2, 11, 0, 0, 0, TimeSpan.Zero));
        first["location"]!["type"]!.GetValue<string>().ShouldBe("Point");
        first["location"]!["coordinates"]!.AsArray().Select(c => c!.GetValue<double>()).ShouldBe([36.78, 35.93]);
    }

    [Fact]
    public async Task the_changes_after_the_reports_are_the_correction_and_the_retraction_with_their_versions_facts()
    {
        var (corrected, retracted) = await HistoryAsync();

        var page = await Host.GetJsonAsync("/api/attacks/changes?since=2020-03-06&asOf=2020-03-12");
        var nothingYet = await Host.GetJsonAsync("/api/attacks/changes?since=2020-03-06&asOf=2020-03-09");

        Items(page).ShouldBe([(corrected, 2, "corrected"), (retracted, 2, "retracted")]);
        page["items"]![0]!["location"]!["coordinates"]!.AsArray().Select(c => c!.GetValue<double>()).ShouldBe([36.7, 35.9]);
        page["items"]![1]!["perpetrator"]!.GetValue<string>().ShouldBe("Hay'at Tahrir al-Sham");
        page["items"]![1]!["recordedAt"]!.GetValue<DateTimeOffset>().ShouldBe(Utc(3, 12), TimeSpan.FromSeconds(1));
        Items(nothingYet).ShouldBeEmpty();
        nothingYet["totalItems"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public async Task a_dispute_is_a_change_too()
    {
        Ledger.Clock.Set(Utc(3, 5));
        var id = await Host.ReportedAttackAsync();
        Ledger.Clock.Set(Utc(3, 7));
        await Host.RevisedAsync($"/api/attacks/{id}/disputes", new JsonObject
        {
            ["party"] = "Syrian Arab Army", ["reason"] = "no artillery fired that day",
        });

        Items(await Host.GetJsonAsync("/api/attacks/changes?since=2020-03-06&asOf=2020-03-08")).ShouldBe([(id, 2, "disputed")]);
    }

    [Fact]
    public async Task the_changes_come_a_page_at_a_time_in_recording_order()
    {
        var ids = new List<Guid>();
        for (var day = 1; day <= 5; day++)
        {
            Ledger.Clock.Set(Utc(4, day));
            ids.Add(await Host.ReportedAttackAsync());
        }

        var first = await Host.GetJsonAsync("/api/attacks/changes?since=2020-03-31&asOf=2020-04-30&page=1&pageSize=2");
        var last = await Host.GetJsonAsync("/api/attacks/changes?since=2020-03-31&asOf=2020-04-30&page=3&pageSize=2");
        var past = await Host.GetJsonAsync("/api/attacks/changes?since=2020-03-31&asOf=2020-04-30&page=4&pageSize=2");

        Items(first).Select(i => i.Id).ShouldBe(ids.Take(2));
        Items(last).Select(i => i.Id).ShouldBe([ids[4]]);
        Items(past).ShouldBeEmpty();
        foreach (var page in new[] { first, last, past })
        {
            page["totalItems"]!.GetValue<long>().ShouldBe(5);
            page["totalPages"]!.GetValue<long>().ShouldBe(3);
            page["pageSize"]!.GetValue<int>().ShouldBe(2);
        }
    }

    [Theory]
    [InlineData("/api/attacks/changes", "since")]
    [InlineData("/api/attacks/changes?since=last-week", "since")]
    [InlineData("/api/attacks/changes?since=2020-03-10&asOf=2020-03-01", "since")]
    [InlineData("/api/attacks/changes?since=2020-03-01&asOf=later", "asOf")]
    [InlineData("/api/attacks/changes?since=2020-03-01&pageSize=501", "pageSize")]
    [InlineData("/api/attacks/changes?since=2020-03-01&page=0", "page")]
    public async Task bad_input_is_refused_naming_the_parameter(string url, string field) =>
        (await Host.GetJsonAsync(url, expectedStatus: 400)).ShouldNameField(field);
}
