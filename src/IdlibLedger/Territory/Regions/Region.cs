using System.Text.Json;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using IdlibLedger.Spatial;
using JasperFx.Events;

namespace IdlibLedger.Territory.Regions;

/// <summary>What a region is: the fields of RegisterRegion (and the OCHA p-code), as registered or as last corrected.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Level">Its level: governorate, district, sub-district or custom.</param>
/// <param name="Pcode">Its OCHA p-code, or null.</param>
/// <param name="Area">Its area (MultiPolygon); GeoJSON geometry in WGS 84, positions as [longitude, latitude].</param>
/// <param name="Source">Where the boundary comes from.</param>
public sealed record RegionFacts(string Name, string Level, string? Pcode, [property: GeoJson(GeometryKinds.Areas)] JsonElement Area, string Source)
{
    public static RegionFacts Of(RegionRegistered registered)
    {
        ArgumentNullException.ThrowIfNull(registered);
        return new(registered.Name, registered.Level, registered.Pcode, registered.Area, registered.Source);
    }
}

/// <summary>A region corrected: <c>Fact</c> is the whole region as it now reads; <c>Fields</c> names what changed.</summary>
/// <param name="RegionId">The region's id.</param>
/// <param name="Fact">The region as corrected.</param>
/// <param name="Fields">The wire names of the fields the correction changed.</param>
/// <param name="Reason">Why it was corrected.</param>
public sealed record RegionCorrected(string RegionId, RegionFacts Fact, IReadOnlyList<string> Fields, string Reason);

/// <summary>A region withdrawn: from then on no read finds it by id, p-code or name, but its id stays taken.</summary>
/// <param name="RegionId">The region's id.</param>
/// <param name="Reason">Why it was retracted.</param>
public sealed record RegionRetracted(string RegionId, string Reason);

/// <summary>
/// A region as the ledger knows it, aggregated live from its stream (named by its id, <see cref="RegionEndpoints.StreamId"/>)
/// up to an <c>asOf</c>: the write model of its correction and retraction and the answer of <c>GET /api/regions/{id}</c>.
/// </summary>
/// <param name="Id">The region's stream id.</param>
/// <param name="RegionId">The region's id.</param>
/// <param name="Version">The stream's version: send it as expectedVersion to correct or retract.</param>
/// <param name="Fact">The region as last corrected.</param>
/// <param name="RecordedAt">When it was registered (transaction time, UTC).</param>
/// <param name="Retracted">Whether it was retracted.</param>
/// <param name="RetractionReason">Why it was retracted, or null.</param>
/// <param name="History">Every revision (recorded, corrected, retracted), oldest first.</param>
/// <param name="RecordedBy">The client whose credentials registered it (null for the OCHA regions registered at start-up).</param>
public sealed record Region(
    Guid Id,
    string RegionId,
    int Version,
    RegionFacts Fact,
    DateTimeOffset RecordedAt,
    bool Retracted,
    string? RetractionReason,
    IReadOnlyList<Revision> History,
    string? RecordedBy) : IRevisable
{
    (string What, object Id) IRevisable.Named => (What, RegionId);

    public const string What = "region";

    public static Region Create(IEvent<RegionRegistered> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.StreamId, e.Data.RegionId, 1, RegionFacts.Of(e.Data), e.Timestamp, false, null,
            [new Revision(1, "recorded", e.Timestamp, e.UserName ?? e.Data.Source, null, [])], e.UserName);
    }

    public Region Apply(IEvent<RegionCorrected> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return this with
        {
            Version = Version + 1,
            Fact = e.Data.Fact,
            History = [.. History, new Revision(Version + 1, "corrected", e.Timestamp, e.UserName ?? "", e.Data.Reason, e.Data.Fields)],
        };
    }

    public Region Apply(IEvent<RegionRetracted> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return this with
        {
            Version = Version + 1,
            Retracted = true,
            RetractionReason = e.Data.Reason,
            History = [.. History, new Revision(Version + 1, "retracted", e.Timestamp, e.UserName ?? "", e.Data.Reason, [])],
        };
    }
}
