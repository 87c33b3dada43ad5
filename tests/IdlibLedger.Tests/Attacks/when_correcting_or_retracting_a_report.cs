using IdlibLedger.Common;
using System.Net;
using System.Security.Claims;
using System.Text.Json.Nodes;
using IdlibLedger.Access;
using IdlibLedger.Attacks;
using IdlibLedger.Attacks.Correcting;
using IdlibLedger.Attacks.Retracting;
using IdlibLedger.Tests.Fixtures;
using Shouldly;
using Wolverine.Http;

namespace IdlibLedger.Tests.Attacks;

public sealed class when_correcting_or_retracting_a_report(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static readonly DateTimeOffset Recorded = new(2020, 2, 26, 12, 0, 0, TimeSpan.Zero);

    private static AttackReport Taftanaz(bool retracted = false) => new(
        Guid.NewGuid(), 1,
        new AttackFacts("Syrian Arab Army", ["Turkish Armed Forces"], EventType.ExplosionsRemoteViolence, null, GeoJsonPoint.At(36.78, 35.93),
            LocationPrecision.Within25Km, new Occurrence(new DateTimeOffset(2020, 2, 10, 0, 0, 0, TimeSpan.Zero), null, null, DatePrecision.Day),
            "Regime shelling near Taftanaz", [new Source("Daily Sabah", null, null, null)],
            [new CategoryCasualties(CasualtyCategory.Military, "Turkish Armed Forces", Estimate.Exactly(5), null)]),
        "desk-ankara", Recorded, retracted, retracted ? "duplicate" : null, [], RecordedBy: "desk-ankara");

    private static ClaimsPrincipal Caller(string client, params string[] roles) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, client), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test", ClaimTypes.Name, ClaimTypes.Role));

    private static readonly ClaimsPrincipal DeskAnkara = Caller("desk-ankara", Roles.Reporter);

    [Fact]
    public void given_a_report_when_corrected_then_only_the_named_fields_change()
    {
        var report = Taftanaz();
        var command = new CorrectAttackReport(1, "Turkish MoD figures", Casualties: [new CategoryCasualties(CasualtyCategory.Military, "Turkish Armed Forces", new Estimate(5, 6, 7), null)]);

        CorrectAttackReportEndpoint.Before(command, report, DeskAnkara).ShouldBe(WolverineContinue.NoProblems);
        var corrected = CorrectAttackReportEndpoint.Decide(command, report);

        corrected.Changes.FieldNames().ShouldBe(["casualties"]);
        var after = corrected.Changes.ApplyTo(report.Facts);
        after.TotalKilled().ShouldBe(new Estimate(5, 6, 7));
        (after with { Casualties = report.Facts.Casualties }).ShouldBe(report.Facts);
    }

    [Fact]
    public void given_a_report_when_its_date_precision_alone_is_corrected_then_the_instant_is_kept()
    {
        var report = Taftanaz();
        var change = new CorrectAttackReport(1, "only the week is certain", DatePrecision: DatePrecision.Week).Changes(report.Facts);

        change.Occurrence.ShouldBe(report.Facts.Occurrence with { Precision = DatePrecision.Week });
    }

    [Fact]
    public void given_a_retracted_report_then_corrections_and_retractions_are_refused()
    {
        var report = Taftanaz(retracted: true);

        CorrectAttackReportEndpoint.Before(new CorrectAttackReport(1, "x", Description: "y"), report, DeskAnkara).Status.ShouldBe(409);
        RetractAttackReportEndpoint.Before(new RetractAttackReport(1, "again"), report, DeskAnkara).Status.ShouldBe(409);
        RetractAttackReportEndpoint.Before(new RetractAttackReport(1, "duplicate"), Taftanaz(), DeskAnkara).ShouldBe(WolverineContinue.NoProblems);
    }

    [Fact]
    public void given_a_report_then_only_the_client_that_recorded_it_or_an_admin_may_correct_or_retract_it()
    {
        var report = Taftanaz();
        var otherDesk = Caller("desk-gaziantep", Roles.Reporter);

        CorrectAttackReportEndpoint.Before(new CorrectAttackReport(1, "x", Description: "y"), report, otherDesk).Status.ShouldBe(403);
        RetractAttackReportEndpoint.Before(new RetractAttackReport(1, "dup"), report, otherDesk).Status.ShouldBe(403);
        CorrectAttackReportEndpoint.Before(new CorrectAttackReport(1, "x", Description: "y"), report, Caller("ops", Roles.Admin)).ShouldBe(WolverineContinue.NoProblems);
        RetractAttackReportEndpoint.Before(new RetractAttackReport(1, "dup"), report, Caller("ops", Roles.Admin)).ShouldBe(WolverineContinue.NoProblems);
    }

    [Fact]
    public void given_a_report_at_version_1_then_a_command_naming_another_version_is_refused()
    {
        var report = Taftanaz();

        CorrectAttackReportEndpoint.Before(new CorrectAttackReport(2, "x", Description: "y"), report, DeskAnkara).Status.ShouldBe(409);
        RetractAttackReportEndpoint.Before(new RetractAttackReport(3, "dup"), report, DeskAnkara).Status.ShouldBe(409);
    }

    [Fact]
    public async Task a_correction_changes_the_totals_after_it_and_not_before_it()
    {
        Ledger.Clock.Set(new DateTimeOffset(2020, 2, 26, 9, 0, 0, TimeSpan.Zero));
        var id = await Host.ReportedAttackAsync();
        Ledger.Clock.Set(new DateTimeOffset(2020, 2, 27, 9, 0, 0, TimeSpan.Zero));

        var receipt = await Host.CorrectedAsync(id, new JsonObject
        {
            ["expectedVersion"] = 1,
            ["reason"] = "Turkish MoD confirmed 13 killed in the two attacks",
            ["casualties"] = Given.Killed("military", "Turkish Armed Forces", 13, 13, 13),
        });
        receipt["version"]!.GetValue<int>().ShouldBe(2);

        var before = await Host.GetJsonAsync("/api/casualties/totals?asOf=2020-02-26");
        var after = await Host.GetJsonAsync("/api/casualties/totals?asOf=2020-02-27");
        before["killed"]!.Estimate().ShouldBe((5, 5, 5));
        after["killed"]!.Estimate().ShouldBe((13, 13, 13));

        var original = (await Host.GetJsonAsync($"/api/attacks/{id}?asOf=2020-02-26"))["report"]!;
        original["version"]!.GetValue<int>().ShouldBe(1);
        original["facts"]!["casualties"]![0]!["killed"]!.Estimate().ShouldBe((5, 5, 5));

        var current = (await Host.GetJsonAsync($"/api/attacks/{id}"))["report"]!;
        current["version"]!.GetValue<int>().ShouldBe(2);
        var history = current["history"]!.AsArray();
        history.Count.ShouldBe(2);
        history[1]!["change"]!.GetValue<string>().ShouldBe("corrected");
        history[1]!["reason"]!.GetValue<string>().ShouldContain("Turkish MoD");
        history[1]!["fields"]!.AsArray().Select(f => f!.GetValue<string>()).ShouldBe(["casualties"]);
    }

    [Fact]
    public async Task a_stale_expected_version_is_409_and_appends_nothing()
    {
        var id = await Host.ReportedAttackAsync();
        await Host.CorrectedAsync(id, new JsonObject { ["expectedVersion"] = 1, ["reason"] = "typo", ["description"] = "Shelling near Taftanaz" });

        using var stale = await Host.PostJsonAsync($"/api/attacks/{id}/corrections",
            new JsonObject { ["expectedVersion"] = 1, ["reason"] = "a second desk, unaware", ["description"] = "Shelling at Taftanaz airbase" });
        using var staleRetraction = await Host.PostJsonAsync($"/api/attacks/{id}/retraction", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "dup" });

        stale.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        staleRetraction.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        stale.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await stale.JsonAsync())["status"]!.GetValue<int>().ShouldBe(409);
        (await Ledger.EventCountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task a_retried_correction_does_not_append_twice()
    {
        var id = await Host.ReportedAttackAsync();
        var correction = new JsonObject { ["expectedVersion"] = 1, ["reason"] = "typo", ["description"] = "Shelling near Taftanaz" };

        using var first = await Host.PostJsonAsync($"/api/attacks/{id}/corrections", correction);
        using var retry = await Host.PostJsonAsync($"/api/attacks/{id}/corrections", correction);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        retry.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Ledger.EventCountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task a_retracted_report_leaves_the_totals_but_stays_readable()
    {
        Ledger.Clock.Set(new DateTimeOffset(2020, 2, 26, 9, 0, 0, TimeSpan.Zero));
        var id = await Host.ReportedAttackAsync();
        Ledger.Clock.Set(new DateTimeOffset(2020, 3, 1, 9, 0, 0, TimeSpan.Zero));

        using var retraction = await Host.PostJsonAsync($"/api/attacks/{id}/retraction",
            new JsonObject { ["expectedVersion"] = 1, ["reason"] = "duplicate of the MoD summary report" });
        retraction.StatusCode.ShouldBe(HttpStatusCode.OK);

        (await Host.GetJsonAsync("/api/casualties/totals"))["killed"]!.Estimate().ShouldBe((0, 0, 0));
        (await Host.GetJsonAsync("/api/casualties/totals?asOf=2020-02-28"))["killed"]!.Estimate().ShouldBe((5, 5, 5));
        (await Host.GetJsonAsync("/api/attacks"))["totalItems"]!.GetValue<long>().ShouldBe(0);
        (await Host.GetJsonAsync("/api/attacks?includeRetracted=true"))["totalItems"]!.GetValue<long>().ShouldBe(1);

        var report = (await Host.GetJsonAsync($"/api/attacks/{id}"))["report"]!;
        report["retracted"]!.GetValue<bool>().ShouldBeTrue();
        report["retractionReason"]!.GetValue<string>().ShouldContain("duplicate");

        using var again = await Host.PostJsonAsync($"/api/attacks/{id}/retraction", new JsonObject { ["expectedVersion"] = 2, ["reason"] = "again" });
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        using var correction = await Host.PostJsonAsync($"/api/attacks/{id}/corrections", new JsonObject { ["expectedVersion"] = 2, ["reason"] = "x", ["description"] = "y" });
        correction.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Ledger.EventCountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task correcting_an_unknown_attack_is_404()
    {
        using var response = await Host.PostJsonAsync($"/api/attacks/{Guid.NewGuid()}/corrections",
            new JsonObject { ["expectedVersion"] = 1, ["reason"] = "x", ["description"] = "y" });

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Ledger.EventCountAsync()).ShouldBe(0);
    }
}
