using System.Net;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;
using static IdlibLedger.Tests.Ceasefires.GivenCeasefires;

namespace IdlibLedger.Tests.Ceasefires;

/// <summary>
/// A ceasefire's status at (at, asOf): declared before it takes effect, in effect, violated, expired after its period,
/// collapsed after EndCeasefire. ExtendCeasefire moves its end; ReportCeasefireViolation adds what the ledger cannot see.
/// </summary>
public sealed class a_ceasefire_over_time(LedgerFixture ledger) : CeasefireTest(ledger)
{
    private async Task<Guid> DeclaredAsync()
    {
        Ledger.Clock.Set(On(3, 5));
        return await Host.DeclaredCeasefireAsync();
    }

    [Fact]
    public async Task it_is_declared_then_in_effect_then_violated_then_expired()
    {
        var id = await DeclaredAsync();
        Ledger.Clock.Set(On(3, 11));
        await Host.ReportedAttackAsync(Attack(Regime, "2020-03-10T08:00:00Z", 36.67, 35.65, killed: 2));

        (await Host.StatusAsync(id, "at=2020-03-05T23:59:59Z")).ShouldBe("declared");
        (await Host.StatusAsync(id, "at=2020-03-06T00:00:00Z")).ShouldBe("in-effect");
        (await Host.StatusAsync(id, "at=2020-03-09")).ShouldBe("in-effect");
        (await Host.StatusAsync(id, "at=2020-03-10T08:00:00Z")).ShouldBe("violated");
        (await Host.StatusAsync(id, "at=2020-03-20")).ShouldBe("violated");
        (await Host.StatusAsync(id, "at=2020-04-05T23:59:59Z")).ShouldBe("violated");
        (await Host.StatusAsync(id, "at=2020-04-06T00:00:00Z")).ShouldBe("expired");
    }

    [Fact]
    public async Task an_extension_moves_effective_until_and_the_expiry_with_it()
    {
        var id = await DeclaredAsync();
        Ledger.Clock.Set(On(4, 1));

        await Host.AcceptedAsync($"/api/ceasefires/{id}/extension", Extension("2020-05-06T00:00:00Z"));

        var extended = await Host.CeasefireAsync(id, "at=2020-04-10");
        extended["status"]!.GetValue<string>().ShouldBe("in-effect");
        extended["effectiveUntil"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 5, 6, 0, 0, 0, TimeSpan.Zero));
        (await Host.StatusAsync(id, "at=2020-05-06T00:00:00Z")).ShouldBe("expired");

        var asBefore = await Host.CeasefireAsync(id, "at=2020-04-10&asOf=2020-03-31");
        asBefore["status"]!.GetValue<string>().ShouldBe("expired");
        asBefore["effectiveUntil"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 4, 6, 0, 0, 0, TimeSpan.Zero));
        (await Ledger.EventCountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task an_extension_without_effective_until_makes_it_open_ended()
    {
        var id = await DeclaredAsync();
        Ledger.Clock.Set(On(4, 1));

        await Host.AcceptedAsync($"/api/ceasefires/{id}/extension", Extension(null, "until further notice"));

        var status = await Host.CeasefireAsync(id, "at=2020-12-31");
        status["status"]!.GetValue<string>().ShouldBe("in-effect");
        status["effectiveUntil"].ShouldBeNull();
    }

    [Fact]
    public async Task an_attack_during_the_extension_is_a_violation_once_extended()
    {
        var id = await DeclaredAsync();
        Ledger.Clock.Set(On(4, 1));
        await Host.AcceptedAsync($"/api/ceasefires/{id}/extension", Extension("2020-05-06T00:00:00Z"));
        Ledger.Clock.Set(On(4, 20));
        var attack = await Host.ReportedAttackAsync(Attack(Regime, "2020-04-15T09:00:00Z", 36.67, 35.65, killed: 3));

        var status = await Host.CeasefireAsync(id, "at=2020-04-20");

        status["status"]!.GetValue<string>().ShouldBe("violated");
        DetectedAttacks(status).ShouldBe([attack]);
    }

    [Theory]
    [InlineData("2020-04-01T00:00:00Z", "earlier than effectiveUntil")]
    [InlineData("2020-04-06T00:00:00Z", "the same as effectiveUntil")]
    [InlineData("2020-03-01T00:00:00Z", "before effectiveFrom")]
    public async Task an_extension_that_does_not_move_the_end_later_is_400(string effectiveUntil, string @case)
    {
        var id = await DeclaredAsync();

        var problem = await Ledger.RefusedAsync($"/api/ceasefires/{id}/extension", Extension(effectiveUntil), HttpStatusCode.BadRequest, @case);

        problem.ShouldNameField("effectiveUntil", "later", @case);
    }

    [Fact]
    public async Task extending_an_open_ended_ceasefire_to_a_date_is_400_since_that_ends_it_earlier()
    {
        Ledger.Clock.Set(On(3, 5));
        var id = await Host.DeclaredCeasefireAsync(Ceasefire(b => b.Remove("effectiveUntil")));
        Ledger.Clock.Set(On(4, 1));

        // An open-ended ceasefire has no end to move later: giving it one shortens it.
        var problem = await Ledger.RefusedAsync($"/api/ceasefires/{id}/extension", Extension("2020-05-06T00:00:00Z"), HttpStatusCode.BadRequest);

        problem.ShouldNameField("effectiveUntil", "later");
        (await Host.StatusAsync(id, "at=2020-06-01")).ShouldBe("in-effect");
    }

    [Fact]
    public async Task a_collapse_ends_it_and_it_reads_collapsed_from_then_on()
    {
        var id = await DeclaredAsync();
        Ledger.Clock.Set(On(3, 21));

        await Host.AcceptedAsync($"/api/ceasefires/{id}/collapse", Collapse("2020-03-20T00:00:00Z"));

        var collapsed = await Host.CeasefireAsync(id, "at=2020-03-25");
        collapsed["status"]!.GetValue<string>().ShouldBe("collapsed");
        collapsed["collapsedAt"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 3, 20, 0, 0, 0, TimeSpan.Zero));
        collapsed["collapseReason"]!.GetValue<string>().ShouldBe("regime offensive on Kafr Nabl");
        (await Host.StatusAsync(id, "at=2020-03-19")).ShouldBe("in-effect");
        (await Host.StatusAsync(id, "at=2020-04-10")).ShouldBe("collapsed");
        (await Host.StatusAsync(id, "at=2020-03-25&asOf=2020-03-20")).ShouldBe("in-effect");
    }

    [Fact]
    public async Task an_attack_after_the_collapse_is_no_violation()
    {
        var id = await DeclaredAsync();
        Ledger.Clock.Set(On(3, 21));
        await Host.AcceptedAsync($"/api/ceasefires/{id}/collapse", Collapse("2020-03-20T00:00:00Z"));
        Ledger.Clock.Set(On(3, 25));
        var before = await Host.ReportedAttackAsync(Attack(Regime, "2020-03-19T09:00:00Z", 36.67, 35.65, killed: 1));
        await Host.ReportedAttackAsync(Attack(Regime, "2020-03-22T09:00:00Z", 36.67, 35.65, killed: 1));

        DetectedAttacks(await Host.CeasefireAsync(id, "at=2020-03-25")).ShouldBe([before]);
    }

    [Fact]
    public async Task without_ended_at_the_collapse_is_at_the_ledgers_now()
    {
        var id = await DeclaredAsync();
        Ledger.Clock.Set(On(3, 21));

        await Host.AcceptedAsync($"/api/ceasefires/{id}/collapse", Collapse());

        var collapsed = await Host.CeasefireAsync(id, "at=2020-03-22");
        collapsed["collapsedAt"]!.GetValue<DateTimeOffset>().ShouldBe(On(3, 21), TimeSpan.FromSeconds(1));
        (await Host.StatusAsync(id, "at=2020-03-21T11:00:00Z")).ShouldBe("in-effect");
    }

    [Fact]
    public async Task after_a_collapse_an_extension_and_a_second_collapse_are_409()
    {
        var id = await DeclaredAsync();
        Ledger.Clock.Set(On(3, 21));
        await Host.AcceptedAsync($"/api/ceasefires/{id}/collapse", Collapse("2020-03-20T00:00:00Z"));

        var extension = await Ledger.RefusedAsync($"/api/ceasefires/{id}/extension", Extension("2020-05-06T00:00:00Z"), HttpStatusCode.Conflict, "extension");
        var again = await Ledger.RefusedAsync($"/api/ceasefires/{id}/collapse", Collapse("2020-03-21T00:00:00Z"), HttpStatusCode.Conflict, "second collapse");

        extension["detail"]!.GetValue<string>().ShouldContain("collapsed");
        again["detail"]!.GetValue<string>().ShouldContain("already collapsed");
        (await Ledger.EventCountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task a_collapse_before_it_took_effect_is_400()
    {
        var id = await DeclaredAsync();

        var problem = await Ledger.RefusedAsync($"/api/ceasefires/{id}/collapse", Collapse("2020-03-05T06:00:00Z"), HttpStatusCode.BadRequest);

        problem.ShouldNameField("endedAt", "before it took effect");
    }

    [Fact]
    public async Task a_reported_violation_counts_like_a_detected_one()
    {
        var id = await DeclaredAsync();
        Ledger.Clock.Set(On(3, 15));

        await Host.AcceptedAsync($"/api/ceasefires/{id}/violations", Violation(Regime, "2020-03-12T04:00:00Z"));

        var status = await Host.CeasefireAsync(id, "at=2020-03-15");
        status["status"]!.GetValue<string>().ShouldBe("violated");
        status["violationCount"]!.GetValue<int>().ShouldBe(1);
        var last = status["lastViolation"]!;
        last["kind"]!.GetValue<string>().ShouldBe("reported");
        last["by"]!.GetValue<string>().ShouldBe(Regime);
        last["attackId"].ShouldBeNull();
        last["occurredAt"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 3, 12, 4, 0, 0, TimeSpan.Zero));
        (await Host.StatusAsync(id, "at=2020-03-11")).ShouldBe("in-effect");
        (await Host.StatusAsync(id, "at=2020-03-15&asOf=2020-03-14")).ShouldBe("in-effect");
        (await Ledger.EventCountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task reported_and_detected_violations_add_up()
    {
        var id = await DeclaredAsync();
        Ledger.Clock.Set(On(3, 15));
        await Host.ReportedAttackAsync(Attack(Opposition, "2020-03-13T10:00:00Z", 36.80, 35.86, killed: 4));
        await Host.AcceptedAsync($"/api/ceasefires/{id}/violations", Violation(Regime, "2020-03-12T04:00:00Z"));

        var status = await Host.CeasefireAsync(id, "at=2020-03-15");

        status["violationCount"]!.GetValue<int>().ShouldBe(2);
        status["violations"]!.AsArray().Select(v => v!["kind"]!.GetValue<string>()).ShouldBe(["reported", "detected"]);
        status["lastViolation"]!["kind"]!.GetValue<string>().ShouldBe("detected");
        status["violationKilled"]!.Estimate().ShouldBe((4, 4, 4));
    }

    [Fact]
    public async Task a_violation_reported_against_someone_who_is_not_a_party_is_409()
    {
        var id = await DeclaredAsync();
        Ledger.Clock.Set(On(3, 15));

        var problem = await Ledger.RefusedAsync($"/api/ceasefires/{id}/violations", Violation(NotAParty, "2020-03-12T04:00:00Z"), HttpStatusCode.Conflict);

        problem["detail"]!.GetValue<string>().ShouldContain("not a party");
    }

    [Theory]
    [InlineData("2020-03-05T20:00:00Z", "before effectiveFrom")]
    [InlineData("2020-04-06T00:00:00Z", "at effectiveUntil")]
    [InlineData("2020-04-08T00:00:00Z", "after effectiveUntil")]
    public async Task a_violation_reported_outside_the_period_is_409(string occurredAt, string @case)
    {
        var id = await DeclaredAsync();
        Ledger.Clock.Set(On(4, 10));

        var problem = await Ledger.RefusedAsync($"/api/ceasefires/{id}/violations", Violation(Regime, occurredAt), HttpStatusCode.Conflict, @case);

        problem["detail"]!.GetValue<string>().ShouldContain("not in effect", Case.Insensitive, @case);
    }

    [Fact]
    public async Task a_violation_reported_after_the_collapse_is_409()
    {
        var id = await DeclaredAsync();
        Ledger.Clock.Set(On(3, 21));
        await Host.AcceptedAsync($"/api/ceasefires/{id}/collapse", Collapse("2020-03-20T00:00:00Z"));

        await Ledger.RefusedAsync($"/api/ceasefires/{id}/violations", Violation(Regime, "2020-03-20T12:00:00Z"), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task an_unknown_ceasefire_is_404_to_reads_and_commands()
    {
        Ledger.Clock.Set(On(3, 21));
        var unknown = Guid.NewGuid();

        await Host.GetJsonAsync($"/api/ceasefires/{unknown}", expectedStatus: 404);
        await Ledger.RefusedAsync($"/api/ceasefires/{unknown}/extension", Extension("2020-05-06T00:00:00Z"), HttpStatusCode.NotFound, "extension");
        await Ledger.RefusedAsync($"/api/ceasefires/{unknown}/collapse", Collapse("2020-03-20T00:00:00Z"), HttpStatusCode.NotFound, "collapse");
        await Ledger.RefusedAsync($"/api/ceasefires/{unknown}/violations", Violation(Regime, "2020-03-12T04:00:00Z"), HttpStatusCode.NotFound, "violation");
    }

    [Fact]
    public async Task without_an_area_a_ceasefire_implementing_an_agreement_covers_its_de_escalation_zone()
    {
        Ledger.Clock.Set(On(3, 5));
        var agreement = await Host.RegisteredAgreementAsync(GivenTerritory.Agreement(b => b["zones"]![0]!["kind"] = "de-escalation-zone"));

        var id = await Host.DeclaredCeasefireAsync(Ceasefire(b =>
        {
            b.Remove("area");
            b["implementsAgreementId"] = agreement.ToString();
        }));

        var status = await Host.CeasefireAsync(id, "at=2020-03-10");
        status["implementsAgreementId"]!.GetValue<Guid>().ShouldBe(agreement);
        status["areaSource"]!.GetValue<string>().ShouldStartWith($"agreement {agreement}");
        status["areaKm2"]!.GetValue<double>().ShouldBe(GivenTerritory.BoxKm2(36.3, 35.5, 36.9, 36.2), 0.01);
    }

    [Theory]
    [InlineData("at=yesterday", "at")]
    [InlineData("asOf=2020-13-01", "asOf")]
    public async Task a_bad_at_or_as_of_is_400_naming_the_parameter(string query, string parameter)
    {
        var id = await DeclaredAsync();

        (await Host.GetJsonAsync($"/api/ceasefires/{id}?{query}", expectedStatus: 400)).ShouldNameField(parameter);
        (await Host.GetJsonAsync($"/api/ceasefires?{query}", expectedStatus: 400)).ShouldNameField(parameter);
        (await Host.GetJsonAsync($"/api/corridors?{query}", expectedStatus: 400)).ShouldNameField(parameter);
    }

    [Fact]
    public async Task without_an_area_the_ceasefire_covers_the_idlib_governorate()
    {
        Ledger.Clock.Set(On(3, 5));
        var id = await Host.DeclaredCeasefireAsync(Ceasefire(b => b.Remove("area")));
        Ledger.Clock.Set(On(3, 15));
        // Harim lies outside the posted box but inside the governorate.
        var harim = await Host.ReportedAttackAsync(Attack(Regime, "2020-03-12T10:00:00Z", 36.52, 36.20, killed: 1));

        var status = await Host.CeasefireAsync(id, "at=2020-03-15");

        status["areaSource"]!.GetValue<string>().ShouldStartWith("region ");
        DetectedAttacks(status).ShouldBe([harim]);
    }
}
