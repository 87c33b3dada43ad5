using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using Shouldly;
using static IdlibLedger.Tests.Ceasefires.GivenCeasefires;

namespace IdlibLedger.Tests.Ceasefires;

/// <summary>
/// The rules issue #17 closed for ceasefires: an expired ceasefire cannot be extended, implementsAgreementId names a
/// registered agreement whether or not an area is posted, and parties are one party however they are cased.
/// </summary>
public sealed class the_ceasefire_rules(LedgerFixture ledger) : CeasefireTest(ledger)
{
    private async Task<Guid> DeclaredAsync()
    {
        Ledger.Clock.Set(On(3, 5));
        return await Host.DeclaredCeasefireAsync();
    }

    [Fact]
    public async Task an_extension_after_the_end_has_passed_on_the_ledgers_clock_is_409()
    {
        var id = await DeclaredAsync();
        Ledger.Clock.Set(On(4, 10));

        var problem = await Ledger.RefusedAsync($"/api/ceasefires/{id}/extension", Extension("2020-05-06T00:00:00Z"), HttpStatusCode.Conflict);

        problem["detail"]!.GetValue<string>().ShouldContain("expired");
        (await Host.CeasefireAsync(id, "at=2020-04-10"))["status"]!.GetValue<string>().ShouldBe("expired");
    }

    [Fact]
    public async Task an_extension_agreed_before_the_end_may_be_recorded_after_it()
    {
        var id = await DeclaredAsync();
        Ledger.Clock.Set(On(4, 10));

        await Host.AcceptedAsync($"/api/ceasefires/{id}/extension", Extension("2020-05-06T00:00:00Z", extendedAt: "2020-04-05T00:00:00Z"));

        (await Host.CeasefireAsync(id, "at=2020-04-10"))["status"]!.GetValue<string>().ShouldBe("in-effect");
        Ledger.Clock.Set(On(5, 10));
        await Ledger.RefusedAsync($"/api/ceasefires/{id}/extension", Extension("2020-06-06T00:00:00Z", extendedAt: "2020-05-06T00:00:00Z"), HttpStatusCode.Conflict, "at the new end");
    }

    [Fact]
    public async Task an_extension_dated_in_the_future_is_400()
    {
        var id = await DeclaredAsync();

        var problem = await Ledger.RefusedAsync($"/api/ceasefires/{id}/extension", Extension("2020-05-06T00:00:00Z", extendedAt: "2020-03-10T00:00:00Z"), HttpStatusCode.BadRequest);

        problem.ShouldNameField("extendedAt", "future");
    }

    [Fact]
    public async Task an_unknown_agreement_is_400_even_with_an_area()
    {
        Ledger.Clock.Set(On(3, 5));

        var problem = await Ledger.RefusedAsync("/api/ceasefires", Ceasefire(b => b["implementsAgreementId"] = Guid.NewGuid().ToString()), HttpStatusCode.BadRequest);

        problem.ShouldNameField("implementsAgreementId", "no agreement");
        var agreement = await Host.RegisteredAgreementAsync();
        await Host.DeclaredCeasefireAsync(Ceasefire(b => b["implementsAgreementId"] = agreement.ToString()));
    }

    [Theory]
    [InlineData("Syrian Arab Army", "syrian arab army")]
    [InlineData("Syrian Arab Army", " SYRIAN ARAB ARMY ")]
    public async Task the_same_party_twice_in_another_case_is_400_naming_the_second(string first, string second)
    {
        Ledger.Clock.Set(On(3, 5));

        var problem = await Ledger.RefusedAsync("/api/ceasefires", Ceasefire(b => b["parties"] = new JsonArray(first, second, Opposition)), HttpStatusCode.BadRequest);

        problem.ShouldNameField("parties[1]", "same party");
    }

    [Fact]
    public async Task parties_match_without_regard_to_case_in_reported_and_detected_violations()
    {
        var id = await DeclaredAsync();
        Ledger.Clock.Set(On(3, 20));
        await Host.ReportedAttackAsync(Attack("SYRIAN ARAB ARMY", "2020-03-10T08:00:00Z", 36.67, 35.65, killed: 2));

        await Host.AcceptedAsync($"/api/ceasefires/{id}/violations", Violation("syrian national army", "2020-03-12T08:00:00Z"));

        var ceasefire = await Host.CeasefireAsync(id, "at=2020-03-20");
        var violations = ceasefire["violations"]!.AsArray();
        violations.Count.ShouldBe(2);
        violations[0]!["kind"]!.GetValue<string>().ShouldBe("detected");
        violations[1]!["kind"]!.GetValue<string>().ShouldBe("reported");
        violations[1]!["by"]!.GetValue<string>().ShouldBe(Opposition, "the ceasefire's own spelling is kept");
        await Ledger.RefusedAsync($"/api/ceasefires/{id}/violations", Violation(NotAParty, "2020-03-12T08:00:00Z"), HttpStatusCode.Conflict, "not a party");
    }
}
