using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Attacks;

/// <summary>docs/domain.md, "Time": the world at <c>at</c> (valid time), as the ledger knew it at <c>asOf</c> (transaction time).</summary>
public sealed class at_and_as_of(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static DateTimeOffset Utc(int month, int day, int hour = 12) => new(2020, month, day, hour, 0, 0, TimeSpan.Zero);

    /// <summary>The attack of the example in docs/domain.md: occurred on 27 February 2020, reported on 5 March.</summary>
    private async Task<Guid> LateReportAsync()
    {
        Ledger.Clock.Set(Utc(3, 5));
        return await Host.ReportedAttackAsync(Given.Report(b =>
        {
            b["occurredAt"] = "2020-02-27";
            b["description"] = "Strike on a Turkish position near Balyun, reported a week later";
            b["casualties"] = Given.Killed("military", "Turkish Armed Forces", 33, 34, 36);
        }));
    }

    [Fact]
    public async Task a_late_report_is_absent_as_of_before_its_recording_and_present_after()
    {
        var id = await LateReportAsync();

        var before = await Host.GetJsonAsync("/api/attacks?at=2020-02-28&asOf=2020-03-01");
        var after = await Host.GetJsonAsync("/api/attacks?at=2020-02-28&asOf=2020-03-06");

        before["totalItems"]!.GetValue<long>().ShouldBe(0);
        after["totalItems"]!.GetValue<long>().ShouldBe(1);
        after["items"]![0]!["id"]!.GetValue<Guid>().ShouldBe(id);

        (await Host.GetJsonAsync("/api/casualties/totals?at=2020-02-28&asOf=2020-03-01"))["killed"]!.Estimate().ShouldBe((0, 0, 0));
        (await Host.GetJsonAsync("/api/casualties/totals?at=2020-02-28&asOf=2020-03-06"))["killed"]!.Estimate().ShouldBe((33, 34, 36));

        await Host.GetJsonAsync($"/api/attacks/{id}?asOf=2020-03-01", expectedStatus: 404);
        (await Host.GetJsonAsync($"/api/attacks/{id}?at=2020-02-28&asOf=2020-03-06"))["report"]!["id"]!.GetValue<Guid>().ShouldBe(id);
    }

    [Fact]
    public async Task an_attack_is_absent_at_a_moment_before_it_occurred_whatever_the_ledger_knew()
    {
        var id = await LateReportAsync();

        (await Host.GetJsonAsync("/api/attacks?at=2020-02-26"))["totalItems"]!.GetValue<long>().ShouldBe(0);
        (await Host.GetJsonAsync("/api/casualties/totals?at=2020-02-26"))["killed"]!.Estimate().ShouldBe((0, 0, 0));
        await Host.GetJsonAsync($"/api/attacks/{id}?at=2020-02-26", expectedStatus: 404);
        (await Host.GetJsonAsync("/api/casualties/totals?at=2020-02-27"))["killed"]!.Estimate().ShouldBe((33, 34, 36));
    }

    [Fact]
    public async Task as_of_a_moment_between_report_and_correction_shows_the_original_figures()
    {
        var id = await LateReportAsync();
        Ledger.Clock.Set(Utc(3, 10));
        await Host.CorrectedAsync(id, new JsonObject
        {
            ["expectedVersion"] = 1,
            ["reason"] = "Turkish MoD final figure",
            ["casualties"] = Given.Killed("military", "Turkish Armed Forces", 34, 34, 34),
        });

        var asOfBefore = await Host.GetJsonAsync("/api/casualties/totals?asOf=2020-03-09");
        var asOfAfter = await Host.GetJsonAsync("/api/casualties/totals?asOf=2020-03-10");
        var listedBefore = await Host.GetJsonAsync("/api/attacks?asOf=2020-03-09");
        var detailBefore = await Host.GetJsonAsync($"/api/attacks/{id}?asOf=2020-03-09");

        asOfBefore["killed"]!.Estimate().ShouldBe((33, 34, 36));
        asOfAfter["killed"]!.Estimate().ShouldBe((34, 34, 34));
        listedBefore["items"]![0]!["version"]!.GetValue<int>().ShouldBe(1);
        detailBefore["report"]!["history"]!.AsArray().Count.ShouldBe(1);
    }

    [Fact]
    public async Task as_of_an_exact_instant_splits_the_recording_moment()
    {
        Ledger.Clock.Set(Utc(3, 5));
        var id = await Host.ReportedAttackAsync();
        var recordedAt = (await Host.GetJsonAsync($"/api/attacks/{id}"))["report"]!["recordedAt"]!.GetValue<DateTimeOffset>();
        var justBefore = Uri.EscapeDataString(recordedAt.AddTicks(-10).ToString("O"));
        var exactly = Uri.EscapeDataString(recordedAt.ToString("O"));

        (await Host.GetJsonAsync($"/api/attacks?asOf={justBefore}"))["totalItems"]!.GetValue<long>().ShouldBe(0);
        (await Host.GetJsonAsync($"/api/attacks?asOf={exactly}"))["totalItems"]!.GetValue<long>().ShouldBe(1);
        await Host.GetJsonAsync($"/api/attacks/{id}?asOf={justBefore}", expectedStatus: 404);
        await Host.GetJsonAsync($"/api/attacks/{id}?asOf={exactly}");
    }

    [Fact]
    public async Task a_seventh_fractional_digit_is_cut_at_the_door_so_every_read_agrees_on_the_occurrence()
    {
        Ledger.Clock.Set(Utc(3, 5));
        var id = await Host.ReportedAttackAsync(Given.Report(b =>
        {
            b["occurredAt"] = "2020-02-27T10:00:00.0000005Z";
            b["datePrecision"] = "exact";
        }));
        var at = "at=2020-02-27T10:00:00Z";

        var detail = await Host.GetJsonAsync($"/api/attacks/{id}?{at}");
        (await Host.GetJsonAsync($"/api/attacks?{at}"))["totalItems"]!.GetValue<long>().ShouldBe(1);
        (await Host.GetJsonAsync($"/api/casualties/totals?{at}"))["attacks"]!.GetValue<long>().ShouldBe(1);
        detail["report"]!["facts"]!["occurrence"]!["occurredAt"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 2, 27, 10, 0, 0, TimeSpan.Zero));
        await Host.GetJsonAsync($"/api/attacks/{id}?at=2020-02-27T09:59:59.9999999Z", expectedStatus: 404);
    }

    [Fact]
    public async Task the_answer_echoes_the_at_and_as_of_it_was_computed_for()
    {
        var totals = await Host.GetJsonAsync("/api/casualties/totals?at=2020-02-28&asOf=2020-03-01T10:00:00Z");

        totals["at"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 2, 28, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990));
        totals["asOf"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 3, 1, 10, 0, 0, TimeSpan.Zero));
    }
}
