using IdlibLedger.Spatial;
using IdlibLedger.Infrastructure;
using System.Text.Json;
using JasperFx.Events;

namespace IdlibLedger.Territory.Proposals;

/// <param name="Actor">Who would hold it.</param>
/// <param name="Area">A GeoJSON Polygon or MultiPolygon; GeoJSON geometry in WGS 84, positions as [longitude, latitude].</param>
public sealed record ProposedArea(string? Actor, [property: GeoJson(GeometryKinds.Areas)] JsonElement? Area);

/// <param name="Name">The line's name.</param>
/// <param name="Line">A GeoJSON LineString; GeoJSON geometry in WGS 84, positions as [longitude, latitude].</param>
public sealed record ProposedLine(string? Name, [property: GeoJson(GeometryKinds.Lines)] JsonElement? Line);

/// <summary>An observation post the proposal would move, to a point.</summary>
/// <param name="PostId">The observation post.</param>
/// <param name="To">Where it would move: a GeoJSON Point, lon/lat WGS 84.</param>
public sealed record PostRelocation(Guid? PostId, [property: GeoJson(GeometryKinds.Point)] JsonElement? To);

/// <param name="ProposalId">The proposal's id.</param>

/// <param name="Proposer">Who tabled it.</param>

/// <param name="AddressedTo">The parties asked to answer.</param>

/// <param name="BaselineAgreementId">The agreement it departs from, or null.</param>

/// <param name="NegotiationRoundId">The round it was tabled in, or null.</param>

/// <param name="Region">The region it divides.</param>

/// <param name="Areas">The areas per actor.</param>

/// <param name="Lines">Its lines.</param>

/// <param name="Relocations">Post relocations it asks for.</param>

/// <param name="TabledAt">When it was tabled (UTC).</param>

/// <param name="Summary">Its summary.</param>

public sealed record MapProposed(
    Guid ProposalId, string Proposer, IReadOnlyList<string> AddressedTo, Guid? BaselineAgreementId, Guid? NegotiationRoundId,
    string? Region, IReadOnlyList<ProposedArea> Areas, IReadOnlyList<ProposedLine> Lines, IReadOnlyList<PostRelocation> Relocations,
    DateTimeOffset TabledAt, string? Summary);

public sealed record ProposalRejected(Guid ProposalId, string Party, string Reason);

public sealed record ProposalAccepted(Guid ProposalId, string Party, string Reason);

public sealed record ProposalWithdrawn(Guid ProposalId, string Party, string Reason);

/// <summary>A party's answer to a proposal.</summary>

/// <param name="Party">The party.</param>

/// <param name="Answer">accepted, rejected or withdrawn.</param>

/// <param name="Reason">Why.</param>

/// <param name="RecordedAt">When the ledger recorded it (transaction time, UTC).</param>

public sealed record ProposalAnswer(string Party, string Answer, string Reason, DateTimeOffset RecordedAt);

/// <summary>
/// A map tabled by a proposer to some parties. Tabled until withdrawn by its proposer, rejected by any party it
/// was addressed to, or accepted by all of them; then it is decided and takes no more answers.
/// </summary>
/// <param name="Id">The proposal's id.</param>
/// <param name="Version">Its stream's version.</param>
/// <param name="Terms">What it proposes.</param>
/// <param name="Status">open, accepted, rejected or withdrawn.</param>
/// <param name="Answers">The answers so far.</param>
/// <param name="RecordedAt">When the ledger recorded it (transaction time, UTC).</param>
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
