using System.Text.Json;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using IdlibLedger.Spatial;
using JasperFx.Events;

namespace IdlibLedger.Territory.ControlChanges;

/// <summary>What a control change says: the fields of RecordControlChange, as recorded or as last corrected.</summary>
/// <param name="Actor">The actor who took the area.</param>
/// <param name="Area">The area taken (MultiPolygon); GeoJSON geometry in WGS 84, positions as [longitude, latitude].</param>
/// <param name="Occurrence">When it changed hands (valid time).</param>
/// <param name="Sources">The sources.</param>
/// <param name="ReportedBy">Who reported it (a desk or person).</param>
public sealed record ControlChangeFacts(
    string Actor, [property: GeoJson(GeometryKinds.Areas)] JsonElement Area, Occurrence Occurrence, IReadOnlyList<Source> Sources, string ReportedBy)
{
    public static ControlChangeFacts Of(ControlChanged recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return new(recorded.Actor, recorded.Area, recorded.Occurrence, recorded.Sources, recorded.RecordedBy);
    }
}

/// <summary>A control change corrected: <c>Fact</c> is the whole fact as it now reads; <c>Fields</c> names what changed.</summary>
/// <param name="ChangeId">The change's id.</param>
/// <param name="Fact">The fact as corrected.</param>
/// <param name="Fields">The wire names of the fields the correction changed.</param>
/// <param name="Reason">Why it was corrected.</param>
public sealed record ControlChangeCorrected(Guid ChangeId, ControlChangeFacts Fact, IReadOnlyList<string> Fields, string Reason);

/// <summary>A control change withdrawn: from its recording on, the control map no longer applies it.</summary>
/// <param name="ChangeId">The change's id.</param>
/// <param name="Reason">Why it was retracted.</param>
public sealed record ControlChangeRetracted(Guid ChangeId, string Reason);

/// <summary>
/// A control change as the ledger knows it: the write model of its correction and retraction and the answer of
/// <c>GET /api/control-changes/{id}</c> (aggregated live from its stream up to <c>asOf</c>).
/// </summary>
/// <param name="Id">The change's id.</param>
/// <param name="Version">The stream's version: send it as expectedVersion to correct or retract.</param>
/// <param name="Fact">The fact as last corrected.</param>
/// <param name="RecordedAt">When it was first recorded (transaction time, UTC).</param>
/// <param name="Retracted">Whether it was retracted; a retracted change stays readable here but leaves the control map.</param>
/// <param name="RetractionReason">Why it was retracted, or null.</param>
/// <param name="History">Every revision (recorded, corrected, retracted), oldest first.</param>
/// <param name="RecordedBy">The client whose credentials recorded it; only it or an admin may revise it.</param>
/// <param name="AsOf">Transaction time the answer describes: what the ledger had recorded by then (UTC).</param>
public sealed record ControlChange(
    Guid Id,
    int Version,
    ControlChangeFacts Fact,
    DateTimeOffset RecordedAt,
    bool Retracted,
    string? RetractionReason,
    IReadOnlyList<Revision> History,
    string? RecordedBy,
    DateTimeOffset? AsOf = null) : IRevisable
{
    (string What, object Id) IRevisable.Named => (What, Id);

    public const string What = "control change";

    public static ControlChange Create(IEvent<ControlChanged> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.Data.ChangeId, 1, ControlChangeFacts.Of(e.Data), e.Timestamp, false, null,
            [new Revision(1, "recorded", e.Timestamp, e.UserName ?? e.Data.RecordedBy, null, [])], e.UserName);
    }

    public ControlChange Apply(IEvent<ControlChangeCorrected> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return this with
        {
            Version = Version + 1,
            Fact = e.Data.Fact,
            History = [.. History, new Revision(Version + 1, "corrected", e.Timestamp, e.UserName ?? Fact.ReportedBy, e.Data.Reason, e.Data.Fields)],
        };
    }

    public ControlChange Apply(IEvent<ControlChangeRetracted> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return this with
        {
            Version = Version + 1,
            Retracted = true,
            RetractionReason = e.Data.Reason,
            History = [.. History, new Revision(Version + 1, "retracted", e.Timestamp, e.UserName ?? Fact.ReportedBy, e.Data.Reason, [])],
        };
    }
}
