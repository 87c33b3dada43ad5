using JasperFx.Events;

namespace IdlibLedger.Attacks;

/// <summary>One entry of a report's history: what happened to it, when the ledger recorded it, and why.</summary>
public sealed record Revision(int Version, string Change, DateTimeOffset RecordedAt, string By, string? Reason, IReadOnlyList<string> Fields);

/// <summary>
/// An attack report as the ledger knows it: the write model of the decider and the answer of
/// <c>GET /api/attacks/{id}</c> (aggregated live from the stream up to <c>asOf</c>).
/// </summary>
public sealed record AttackReport(
    Guid Id,
    int Version,
    AttackFacts Facts,
    string ReportedBy,
    DateTimeOffset RecordedAt,
    bool Retracted,
    string? RetractionReason,
    IReadOnlyList<Revision> History)
{
    public static AttackReport Create(IEvent<AttackReported> e) => new(
        e.Data.AttackId,
        1,
        e.Data.Facts,
        e.Data.ReportedBy,
        e.Timestamp,
        false,
        null,
        [new Revision(1, "reported", e.Timestamp, e.Data.ReportedBy, null, [])]);

    public AttackReport Apply(IEvent<AttackReportCorrected> e) => this with
    {
        Version = Version + 1,
        Facts = e.Data.Changes.ApplyTo(Facts),
        History = [.. History, new Revision(Version + 1, "corrected", e.Timestamp, e.Data.CorrectedBy ?? ReportedBy, e.Data.Reason, e.Data.Changes.FieldNames())],
    };

    public AttackReport Apply(IEvent<AttackReportRetracted> e) => this with
    {
        Version = Version + 1,
        Retracted = true,
        RetractionReason = e.Data.Reason,
        History = [.. History, new Revision(Version + 1, "retracted", e.Timestamp, e.Data.RetractedBy ?? ReportedBy, e.Data.Reason, [])],
    };
}
