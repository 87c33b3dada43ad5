using IdlibLedger.Spatial;
using IdlibLedger.Territory.Proposals;
using JasperFx.Events;
using Shouldly;

namespace IdlibLedger.Tests.Territory;

/// <summary>
/// <see cref="ProposalDecisions"/> and the <see cref="Proposal"/> aggregate without HTTP: tabled until withdrawn by its
/// proposer, rejected by any addressed party, or accepted by all of them; decided, it takes no more answers.
/// </summary>
public sealed class the_proposal_decisions
{
    private const string Russia = GivenTerritory.Russia;
    private const string Turkey = GivenTerritory.Turkey;
    private const string Iran = GivenTerritory.Iran;

    private static readonly DateTimeOffset Tabled = new(2020, 2, 20, 12, 0, 0, TimeSpan.Zero);

    private static Proposal Tabling(params string[] addressedTo)
    {
        var id = Guid.NewGuid();
        var area = GeoJson.ToJson(GivenTerritory.Wkt("MULTIPOLYGON (((36.5 35.6, 36.8 35.6, 36.8 35.8, 36.5 35.8, 36.5 35.6)))"));
        var terms = new MapProposed(id, Russia, addressedTo, null, null, null, [new ProposedArea(GivenTerritory.Regime, area)], [], [], Tabled, null);
        return Proposal.Create(new Event<MapProposed>(terms) { Timestamp = Tabled });
    }

    private static Event<T> At<T>(T data, int day) where T : notnull => new(data) { Timestamp = new DateTimeOffset(2020, 2, day, 12, 0, 0, TimeSpan.Zero) };

    private static Proposal RejectedBy(Proposal p, string party) => p.Apply(At(new ProposalRejected(p.Id, party, "no"), 27));

    private static Proposal AcceptedBy(Proposal p, string party) => p.Apply(At(new ProposalAccepted(p.Id, party, "yes"), 27));

    private static Proposal WithdrawnBy(Proposal p, string party) => p.Apply(At(new ProposalWithdrawn(p.Id, party, "superseded"), 27));

    private static void ShouldBeConflict(Microsoft.AspNetCore.Mvc.ProblemDetails? problem, string says)
    {
        problem.ShouldNotBeNull();
        problem.Status.ShouldBe(409);
        problem.Detail.ShouldNotBeNull().ShouldContain(says);
    }

    [Fact]
    public void a_tabled_proposal_takes_an_answer_from_a_party_it_is_addressed_to()
    {
        var proposal = Tabling(Turkey);

        proposal.Status.ShouldBe(ProposalStatus.Tabled);
        ProposalDecisions.CheckAnswer(proposal, Turkey).ShouldBeNull();
    }

    [Fact]
    public void a_party_it_is_not_addressed_to_cannot_answer()
    {
        ShouldBeConflict(ProposalDecisions.CheckAnswer(Tabling(Turkey), Iran), $"not to {Iran}");
    }

    [Fact]
    public void party_names_are_compared_without_regard_to_case_or_surrounding_spaces()
    {
        var proposal = Tabling(Turkey, Iran);
        var shouted = $" {Turkey.ToUpperInvariant()} ";

        ProposalDecisions.CheckAnswer(proposal, shouted).ShouldBeNull();
        ProposalDecisions.Addressee(proposal, shouted).ShouldBe(Turkey);
        ProposalDecisions.CheckWithdrawal(proposal, Russia.ToLowerInvariant()).ShouldBeNull();
        ShouldBeConflict(ProposalDecisions.CheckAnswer(AcceptedBy(proposal, Turkey), shouted), "already answered");
    }

    [Fact]
    public void acceptances_spelled_otherwise_still_make_it_accepted()
    {
        var accepted = AcceptedBy(AcceptedBy(Tabling(Turkey, Iran), Turkey.ToLowerInvariant()), Iran.ToUpperInvariant());

        accepted.Status.ShouldBe(ProposalStatus.Accepted);
    }

    [Fact]
    public void the_proposer_cannot_answer_its_own_proposal()
    {
        ShouldBeConflict(ProposalDecisions.CheckAnswer(Tabling(Turkey), Russia), "not to");
    }

    [Fact]
    public void one_rejection_decides_it()
    {
        var rejected = RejectedBy(Tabling(Turkey, Iran), Turkey);

        rejected.Status.ShouldBe(ProposalStatus.Rejected);
        rejected.Version.ShouldBe(2);
        rejected.Answers.ShouldHaveSingleItem().Answer.ShouldBe(ProposalAnswerKind.Rejected);
        ShouldBeConflict(ProposalDecisions.CheckAnswer(rejected, Iran), "is rejected");
        ShouldBeConflict(ProposalDecisions.CheckWithdrawal(rejected, Russia), "no longer be withdrawn");
    }

    [Fact]
    public void it_is_accepted_only_when_every_addressed_party_has_accepted()
    {
        var once = AcceptedBy(Tabling(Turkey, Iran), Turkey);
        var twice = AcceptedBy(once, Iran);

        once.Status.ShouldBe(ProposalStatus.Tabled);
        twice.Status.ShouldBe(ProposalStatus.Accepted);
        twice.Version.ShouldBe(3);
        ShouldBeConflict(ProposalDecisions.CheckAnswer(twice, Turkey), "is accepted");
    }

    [Fact]
    public void a_party_answers_once()
    {
        var once = AcceptedBy(Tabling(Turkey, Iran), Turkey);

        ShouldBeConflict(ProposalDecisions.CheckAnswer(once, Turkey), "already answered");
        ProposalDecisions.CheckAnswer(once, Iran).ShouldBeNull();
    }

    [Fact]
    public void only_the_proposer_withdraws_it_while_it_is_tabled()
    {
        var proposal = Tabling(Turkey);

        ProposalDecisions.CheckWithdrawal(proposal, Russia).ShouldBeNull();
        ShouldBeConflict(ProposalDecisions.CheckWithdrawal(proposal, Turkey), "only the proposer");
    }

    [Fact]
    public void a_withdrawn_proposal_takes_no_answer_and_no_second_withdrawal()
    {
        var withdrawn = WithdrawnBy(Tabling(Turkey), Russia);

        withdrawn.Status.ShouldBe(ProposalStatus.Withdrawn);
        ShouldBeConflict(ProposalDecisions.CheckAnswer(withdrawn, Turkey), "is withdrawn");
        ShouldBeConflict(ProposalDecisions.CheckWithdrawal(withdrawn, Russia), "no longer be withdrawn");
    }

    [Fact]
    public void answers_keep_their_party_and_recording_time()
    {
        var rejected = RejectedBy(Tabling(Turkey), Turkey);

        var answer = rejected.Answers.ShouldHaveSingleItem();
        answer.Party.ShouldBe(Turkey);
        answer.RecordedAt.ShouldBe(new DateTimeOffset(2020, 2, 27, 12, 0, 0, TimeSpan.Zero));
        rejected.RecordedAt.ShouldBe(Tabled);
    }
}
