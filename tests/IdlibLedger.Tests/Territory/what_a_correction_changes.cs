using System.Security.Claims;
using IdlibLedger.Access;
using IdlibLedger.Casualties.Figures;
using IdlibLedger.Common;
using IdlibLedger.Territory.Agreements;
using IdlibLedger.Territory.Negotiations;
using JasperFx.Events;
using Shouldly;
using Wolverine.Http;

namespace IdlibLedger.Tests.Territory;

/// <summary>
/// The corrections of agreements, negotiation rounds and casualty figures without HTTP: given the fact's events, a
/// correction yields the fact as it now reads and the fields it changed, or a refusal.
/// </summary>
public sealed class what_a_correction_changes
{
    private static readonly DateTimeOffset Recorded = new(2020, 3, 5, 12, 0, 0, TimeSpan.Zero);

    private static readonly ClaimsPrincipal DeskMoscow = Caller("desk-moscow", Roles.Analyst);

    private static ClaimsPrincipal Caller(string client, params string[] roles) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, client), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test", ClaimTypes.Name, ClaimTypes.Role));

    private static Event<T> By<T>(T data, int version = 1) where T : notnull =>
        new(data) { Timestamp = Recorded.AddDays(version - 1), UserName = "desk-moscow", Version = version };

    private static Agreement Sochi() => Agreement.Create(By(new AgreementRegistered(
        Guid.NewGuid(), "Sochi memorandum", new DateOnly(2018, 9, 17), [GivenTerritory.Russia, GivenTerritory.Turkey], [], [], [])));

    [Fact]
    public void an_agreement_correction_replaces_the_fields_given_and_names_those_that_change()
    {
        var agreement = Sochi();
        var command = new CorrectAgreement(1, "typo", Name: " Sochi memorandum ", Parties: [GivenTerritory.Russia, GivenTerritory.Turkey, GivenTerritory.Iran]);

        CorrectAgreementEndpoint.Before(command, agreement, DeskMoscow).ShouldBe(WolverineContinue.NoProblems);
        var corrected = CorrectAgreementEndpoint.Decide(command, agreement);
        var after = agreement.Apply(By(corrected, 2));

        corrected.Fields.ShouldBe(["parties"]);
        after.Version.ShouldBe(2);
        after.Name.ShouldBe("Sochi memorandum");
        after.Parties.Count.ShouldBe(3);
        after.History.Select(h => h.Change).ShouldBe(["recorded", "corrected"]);
        after.History[1].Fields.ShouldBe(["parties"]);
    }

    [Fact]
    public void an_agreement_correction_that_changes_nothing_by_another_client_or_after_a_retraction_is_refused()
    {
        var agreement = Sochi();
        var same = new CorrectAgreement(1, "typo", Name: "Sochi memorandum");
        var change = new CorrectAgreement(1, "typo", Name: "Sochi");

        CorrectAgreementEndpoint.Before(same, agreement, DeskMoscow).Status.ShouldBe(400);
        CorrectAgreementEndpoint.Before(change, agreement, Caller("desk-ankara", Roles.Analyst)).Status.ShouldBe(403);
        CorrectAgreementEndpoint.Before(change, agreement, Caller("ops", Roles.Admin)).ShouldBe(WolverineContinue.NoProblems);
        CorrectAgreementEndpoint.Before(change with { ExpectedVersion = 2 }, agreement, DeskMoscow).Status.ShouldBe(409);
        var retracted = agreement.Apply(By(new AgreementRetracted(agreement.Id, "twice"), 2));
        CorrectAgreementEndpoint.Before(change with { ExpectedVersion = 2 }, retracted, DeskMoscow).Status.ShouldBe(409);
        RetractAgreementEndpoint.Before(new Retraction(2, "again"), retracted, DeskMoscow).Status.ShouldBe(409);
    }

    [Fact]
    public void a_round_correction_keeps_its_delegations_with_its_parties()
    {
        var round = NegotiationRound.Create(By(new NegotiationRoundOpened(Guid.NewGuid(), null, [GivenTerritory.Turkey, GivenTerritory.Russia],
            [new Delegation(GivenTerritory.Turkey, [DelegationRole.Military])], [], new DateOnly(2020, 2, 26), "Ankara")));

        var dropsTurkey = new CorrectNegotiationRound(1, "Iran, not Turkey", Parties: [GivenTerritory.Iran, GivenTerritory.Russia]);
        var renamed = new CorrectNegotiationRound(1, "spelling", Parties: [GivenTerritory.Turkey.ToUpperInvariant(), GivenTerritory.Russia], Name: "Ankara talks");
        var outcome = new CorrectNegotiationRound(1, "outcome", Outcome: "no agreement");

        CorrectNegotiationRoundEndpoint.Before(dropsTurkey, round, DeskMoscow).Status.ShouldBe(400);
        CorrectNegotiationRoundEndpoint.Before(renamed, round, DeskMoscow).ShouldBe(WolverineContinue.NoProblems);
        CorrectNegotiationRoundEndpoint.Decide(renamed, round).Fields.ShouldBe(["parties", "name"]);
        CorrectNegotiationRoundEndpoint.Before(outcome, round, DeskMoscow).Status.ShouldBe(400);
    }

    [Theory]
    [InlineData(1800L, null, null, null, 1800L, null, null, "value")]
    [InlineData(null, 1600L, 1800L, null, null, 1600L, 1800L, "value,low,high")]
    [InlineData(null, 1600L, null, "high", null, null, null, "")]
    public void a_figure_correction_replaces_one_form_of_number_by_the_other(
        long? value, long? low, long? high, string? refusedOn, long? newValue, long? newLow, long? newHigh, string fields)
    {
        var figure = CasualtyFigure.Create(By(new CasualtyFigureReported(Guid.NewGuid(), new Source("UN", null, null, null), FigureMetric.Killed,
            FigureCategory.Civilian, FigureQualifier.AtLeast, 1700, null, null, new DateOnly(2019, 5, 1), new DateOnly(2020, 2, 26), "Idlib", "desk-geneva")));
        var command = new CorrectCasualtyFigure(1, "the UN's statement", Value: value, Low: low, High: high);

        var refusal = CorrectCasualtyFigureEndpoint.Before(command, figure, DeskMoscow);

        if (refusedOn is not null)
        {
            refusal.ShouldBeOfType<Microsoft.AspNetCore.Http.HttpValidationProblemDetails>().Errors.Keys.ShouldBe([refusedOn]);
            return;
        }

        refusal.ShouldBe(WolverineContinue.NoProblems);
        var corrected = CorrectCasualtyFigureEndpoint.Decide(command, figure);
        (corrected.Figure.Value, corrected.Figure.Low, corrected.Figure.High).ShouldBe((newValue, newLow, newHigh));
        string.Join(",", corrected.Fields).ShouldBe(fields);
    }
}
