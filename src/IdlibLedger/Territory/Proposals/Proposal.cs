using IdlibLedger.Spatial;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using System.Text.Json;
using System.Text.Json.Serialization;
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

/// <summary>Where a proposal stands: tabled (open to answers), or decided: rejected, accepted or withdrawn.</summary>
[JsonConverter(typeof(WireEnumConverter<ProposalStatus>))]
public enum ProposalStatus
{
    /// <summary>Tabled and open to answers.</summary>
    [JsonStringEnumMemberName("tabled")] Tabled,
    /// <summary>Rejected by a party it was addressed to.</summary>
    [JsonStringEnumMemberName("rejected")] Rejected,
    /// <summary>Accepted by every party it was addressed to.</summary>
    [JsonStringEnumMemberName("accepted")] Accepted,
    /// <summary>Withdrawn by its proposer.</summary>
    [JsonStringEnumMemberName("withdrawn")] Withdrawn,
}

/// <summary>What a party answered to a proposal: rejected, accepted or withdrawn (the proposer).</summary>
[JsonConverter(typeof(WireEnumConverter<ProposalAnswerKind>))]
public enum ProposalAnswerKind
{
    /// <summary>An addressee rejected it.</summary>
    [JsonStringEnumMemberName("rejected")] Rejected,
    /// <summary>An addressee accepted it.</summary>
    [JsonStringEnumMemberName("accepted")] Accepted,
    /// <summary>The proposer withdrew it.</summary>
    [JsonStringEnumMemberName("withdrawn")] Withdrawn,
}

/// <summary>A party's answer to a proposal.</summary>

/// <param name="Party">The party.</param>

/// <param name="Answer">accepted, rejected or withdrawn.</param>

/// <param name="Reason">Why.</param>

/// <param name="RecordedAt">When the ledger recorded it (transaction time, UTC).</param>

public sealed record ProposalAnswer(string Party, ProposalAnswerKind Answer, string Reason, DateTimeOffset RecordedAt);

/// <summary>
/// A map tabled by a proposer to some parties. Tabled until withdrawn by its proposer, rejected by any party it
/// was addressed to, or accepted by all of them; then it is decided and takes no more answers.
/// </summary>
/// <param name="Id">The proposal's id.</param>
/// <param name="Version">Its stream's version.</param>
/// <param name="Terms">What it proposes.</param>
/// <param name="Status">tabled, accepted, rejected or withdrawn.</param>
/// <param name="Answers">The answers so far.</param>
/// <param name="RecordedAt">When the ledger recorded it (transaction time, UTC).</param>
public sealed record Proposal(Guid Id, int Version, MapProposed Terms, ProposalStatus Status, IReadOnlyList<ProposalAnswer> Answers, DateTimeOffset RecordedAt)
{
    public static Proposal Create(IEvent<MapProposed> e) => new(e.Data.ProposalId, 1, e.Data, ProposalStatus.Tabled, [], e.Timestamp);

    public Proposal Apply(IEvent<ProposalRejected> e) =>
        Answered(new ProposalAnswer(e.Data.Party, ProposalAnswerKind.Rejected, e.Data.Reason, e.Timestamp), ProposalStatus.Rejected);

    public Proposal Apply(IEvent<ProposalAccepted> e)
    {
        var answers = Answers.Append(new ProposalAnswer(e.Data.Party, ProposalAnswerKind.Accepted, e.Data.Reason, e.Timestamp)).ToList();
        var allAccepted = Terms.AddressedTo.All(party => answers.Any(a => Parties.Same(a.Party, party) && a.Answer == ProposalAnswerKind.Accepted));
        return this with { Version = Version + 1, Answers = answers, Status = allAccepted ? ProposalStatus.Accepted : Status };
    }

    public Proposal Apply(IEvent<ProposalWithdrawn> e) =>
        Answered(new ProposalAnswer(e.Data.Party, ProposalAnswerKind.Withdrawn, e.Data.Reason, e.Timestamp), ProposalStatus.Withdrawn);

    private Proposal Answered(ProposalAnswer answer, ProposalStatus status) =>
        this with { Version = Version + 1, Answers = [.. Answers, answer], Status = status };
}
