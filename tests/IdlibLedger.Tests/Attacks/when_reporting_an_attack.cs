using IdlibLedger.Common;
using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Attacks;
using IdlibLedger.Attacks.Reporting;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Attacks;

public sealed class when_reporting_an_attack(LedgerFixture ledger) : LedgerTest(ledger)
{
    [Fact]
    public void the_decider_turns_a_report_into_one_attack_reported_event()
    {
        var command = new ReportAttack(
            "Syrian Arab Army", ["Turkish Armed Forces"], EventType.ExplosionsRemoteViolence, GeoJsonPoint.At(36.78, 35.93), LocationPrecision.Within25Km,
            DatePrecision.Day, "Regime shelling near Taftanaz", [new Source("Daily Sabah", new DateOnly(2020, 2, 26), null, null)],
            [new CategoryCasualties(CasualtyCategory.Military, "Turkish Armed Forces", Estimate.Exactly(5), null)], " desk-ankara ",
            SubEventType: SubEventType.ShellingArtilleryMissileAttack, OccurredAt: new DateTimeOffset(2020, 2, 10, 0, 0, 0, TimeSpan.Zero));
        var id = Guid.NewGuid();

        var reported = ReportAttackEndpoint.Decide(command, id);

        reported.AttackId.ShouldBe(id);
        reported.ReportedBy.ShouldBe("desk-ankara");
        reported.Facts.TotalKilled().ShouldBe(new Estimate(5, 5, 5));
        reported.Facts.Occurrence.Window().ShouldBe((new DateTimeOffset(2020, 2, 10, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2020, 2, 11, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public async Task the_example_body_is_accepted_as_is_and_read_back()
    {
        using var response = await Host.PostJsonAsync("/api/attacks", Given.TaftanazReport);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var receipt = await response.JsonAsync();
        var id = receipt["id"]!.GetValue<Guid>();
        response.Headers.Location!.ToString().ShouldBe($"/api/attacks/{id}");
        receipt["version"]!.GetValue<int>().ShouldBe(1);

        var details = await Host.GetJsonAsync($"/api/attacks/{id}");
        var report = details["report"]!;
        report["version"]!.GetValue<int>().ShouldBe(1);
        report["facts"]!["perpetrator"]!.GetValue<string>().ShouldBe("Syrian Arab Army");
        report["facts"]!["eventType"]!.GetValue<string>().ShouldBe("explosions-remote-violence");
        report["facts"]!["locationPrecision"]!.GetValue<string>().ShouldBe("within-25km");
        report["facts"]!["casualties"]![0]!["killed"]!.Estimate().ShouldBe((5, 5, 5));
        report["history"]!.AsArray().Count.ShouldBe(1);
        (await Ledger.EventCountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task recorded_at_is_the_servers_clock_not_the_clients()
    {
        var recordedAround = new DateTimeOffset(2020, 3, 5, 9, 0, 0, TimeSpan.Zero);
        Ledger.Clock.Set(recordedAround);

        var id = await Host.ReportedAttackAsync(Given.Report(b => b["recordedAt"] = "1999-01-01T00:00:00Z"));

        var report = (await Host.GetJsonAsync($"/api/attacks/{id}"))["report"]!;
        var recordedAt = report["recordedAt"]!.GetValue<DateTimeOffset>();
        (recordedAt - recordedAround).ShouldBeInRange(TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task a_retried_report_with_the_same_idempotency_key_is_answered_as_the_first_and_not_appended_twice()
    {
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = "desk-ankara/2020-02-10/taftanaz" };

        using var first = await Host.PostJsonAsync("/api/attacks", Given.Report(), headers);
        using var retry = await Host.PostJsonAsync("/api/attacks", Given.Report(), headers);

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        retry.StatusCode.ShouldBe(HttpStatusCode.Created);
        retry.Headers.Location.ShouldBe(first.Headers.Location);
        retry.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        (await retry.Content.ReadAsStringAsync()).ShouldBe(await first.Content.ReadAsStringAsync());
        (await Ledger.EventCountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task a_retried_report_with_the_same_client_id_is_not_appended_twice()
    {
        var id = Guid.NewGuid();
        var body = Given.Report(b => b["id"] = id);

        using var first = await Host.PostJsonAsync("/api/attacks", body);
        using var retry = await Host.PostJsonAsync("/api/attacks", body);

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        retry.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Ledger.EventCountAsync()).ShouldBe(1);
        (await Host.GetJsonAsync($"/api/attacks/{id}"))["report"]!["id"]!.GetValue<Guid>().ShouldBe(id);
    }

    [Fact]
    public async Task a_report_retried_by_id_after_a_correction_is_answered_with_its_location_and_current_version()
    {
        var id = Guid.NewGuid();
        var body = Given.Report(b => b["id"] = id);
        using var first = await Host.PostJsonAsync("/api/attacks", body);
        await Host.CorrectedAsync(id, new JsonObject { ["expectedVersion"] = 1, ["reason"] = "the MoD named the village", ["description"] = "Regime shelling of Taftanaz" });

        using var retry = await Host.PostJsonAsync("/api/attacks", body);

        retry.StatusCode.ShouldBe(HttpStatusCode.OK);
        retry.Headers.Location.ShouldBe(first.Headers.Location);
        var receipt = await retry.JsonAsync();
        receipt["id"]!.GetValue<Guid>().ShouldBe(id);
        receipt["version"]!.GetValue<int>().ShouldBe(2);
        receipt["alreadyRecorded"]!.GetValue<bool>().ShouldBeTrue();
        (await Ledger.EventCountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task an_unknown_attack_is_404_problem_details()
    {
        var problem = await Host.GetJsonAsync($"/api/attacks/{Guid.NewGuid()}", expectedStatus: 404);
        problem["status"]!.GetValue<int>().ShouldBe(404);
        problem["detail"]!.GetValue<string>().ShouldContain("no attack");
    }
}
