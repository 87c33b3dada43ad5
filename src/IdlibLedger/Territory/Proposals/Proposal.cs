using IdlibLedger.Spatial;
using IdlibLedger.Infrastructure;
using System.Text.Json;
using JasperFx.Events;

namespace IdlibLedger.Territory.Proposals;

public sealed record ProposedArea(string? Actor, [property: GeoJson(GeometryKinds.Areas)] JsonElement? Area);

public sealed record ProposedLine(string? Name, [property: GeoJson(GeometryKinds.Lines)] JsonElement? Line);

/// <summary>An observation post the proposal would move, to a point.</summary>
public sealed record PostRelocation(Guid? PostId, [property: GeoJson(GeometryKinds.Point)] JsonElement? To);

public sealed record MapProposed(
    Guid ProposalId, string Proposer, IReadOnlyList<string> AddressedTo, Guid? BaselineAgreementId, Guid? NegotiationRoundId,
    string? Region, IReadOnlyList<ProposedArea> Areas, IReadOnlyList<ProposedLine> Lines, IReadOnlyList<PostRelocation> Relocations,
    DateTimeOffset TabledAt, string? Summary);

public sealed record ProposalRejected(Guid ProposalId, string Party, string Reason);

public sealed record ProposalAccepted(Guid ProposalId, string Party, string Reason);

public sealed record ProposalWithdrawn(Guid ProposalId, string Party, string Reason);

public sealed record ProposalAnswer(string Party, string Answer, string Reason, DateTimeOffset RecordedAt);

/// <summary>
/// A map tabled by a proposer to some parties. Tabled until withdrawn by its proposer, rejected by any party it
/// was addressed to, or accepted by all of them; then it is decided and takes no more answers.
/// </summary>
public sealed record Proposal(Guid Id, int Version, MapProposed Terms, string Status, IReadOnlyList<ProposalAnswer> Answers, DateTimeOffset RecordedAt)
{
    public const string Tabled = "tabled";
    public const string Rejected = "rejected";
    public const string Accepted = "accepted";
    public const string Withdrawn = "withdrawn";

    public static Proposal Create(IEvent<MapProposed> e) => new(e.Data.ProposalId, 1, e.Data, Tabled, [], e.Timestamp);

    public Proposal Apply(IEvent<ProposalRejected> e) =>
        Answered(new ProposalAnswer(e.Data.Party, Rejected, e.Data.Reason, e.Timestamp), Rejected);

    public Proposal Apply(IEvent<ProposalAccepted> e)
    {
        var answers = Answers.Append(new ProposalAnswer(e.Data.Party, Accepted, e.Data.Reason, e.Timestamp)).ToList();
        var allAccepted = Terms.AddressedTo.All(party => answers.Any(a => a.Party == party && a.Answer == Accepted));
        return this with { Version = Version + 1, Answers = answers, Status = allAccepted ? Accepted : Status };
    }

    public Proposal Apply(IEvent<ProposalWithdrawn> e) =>
        Answered(new ProposalAnswer(e.Data.Party, Withdrawn, e.Data.Reason, e.Timestamp), Withdrawn);

    private Proposal Answered(ProposalAnswer answer, string status) =>
        this with { Version = Version + 1, Answers = [.. Answers, answer], Status = status };
}
