using System.Text.Json;
using System.Text.Json.Serialization;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using JasperFx.Events;

namespace IdlibLedger.Ceasefires;

public sealed record CeasefireDeclared(
    Guid CeasefireId, string DeclaredBy, IReadOnlyList<string> Parties, JsonElement Area, string AreaSource,
    DateTimeOffset EffectiveFrom, DateTimeOffset? EffectiveUntil, string? Terms, Guid? ImplementsAgreementId);

/// <summary>ExtendCeasefire: the end moved later (or removed), agreed at <c>ExtendedAt</c> (null in events recorded before it was kept: the recording time).</summary>
public sealed record CeasefireExtended(Guid CeasefireId, DateTimeOffset? EffectiveUntil, string Reason, DateTimeOffset? ExtendedAt = null);

/// <summary>EndCeasefire: the ceasefire collapsed (or was ended) at <c>EndedAt</c>.</summary>
public sealed record CeasefireCollapsed(Guid CeasefireId, DateTimeOffset EndedAt, string Reason);

/// <summary>A violation the ledger cannot see in its attacks (no report, or an act that is not an attack).</summary>
public sealed record CeasefireViolationReported(Guid CeasefireId, string By, DateTimeOffset OccurredAt, string Description, IReadOnlyList<Source> Sources);

/// <summary>
/// CorrectCeasefire: the ceasefire as it now reads (<c>Ceasefire.EffectiveUntil</c> is its current end, extensions
/// included), the wire names of the fields the correction changed, and why.
/// </summary>
public sealed record CeasefireCorrected(Guid CeasefireId, CeasefireDeclared Ceasefire, IReadOnlyList<string> Fields, string Reason);

/// <summary>RetractCeasefire: it was recorded wrongly; it stays readable by id and leaves every other read.</summary>
public sealed record CeasefireRetracted(Guid CeasefireId, string Reason);

/// <summary>Where a ceasefire stands at a valid time: declared (not yet in effect), in-effect, violated (in effect, with violations), collapsed or expired.</summary>
[JsonConverter(typeof(WireEnumConverter<CeasefireState>))]
public enum CeasefireState
{
    /// <summary>Declared; its period has not begun.</summary>
    [JsonStringEnumMemberName("declared")] Declared,

    /// <summary>In effect, with no violation by then.</summary>
    [JsonStringEnumMemberName("in-effect")] InEffect,

    /// <summary>In effect, with at least one violation by then.</summary>
    [JsonStringEnumMemberName("violated")] Violated,

    /// <summary>It collapsed (or was ended) before its period ran out.</summary>
    [JsonStringEnumMemberName("collapsed")] Collapsed,

    /// <summary>Its period ran out.</summary>
    [JsonStringEnumMemberName("expired")] Expired,
}

/// <summary>
/// A ceasefire as known at <c>asOf</c>: its terms, area, period (as last corrected), what was reported against
/// it, and its revisions. <c>Declaration</c> is the ceasefire as it now reads; <c>EffectiveUntil</c> its current end.
/// </summary>
public sealed record Ceasefire(
    Guid Id, int Version, CeasefireDeclared Declaration, DateTimeOffset? EffectiveUntil, DateTimeOffset? CollapsedAt, string? CollapseReason,
    IReadOnlyList<CeasefireViolationReported> ReportedViolations, DateTimeOffset RecordedAt) : IRevisable
{
    (string What, object Id) IRevisable.Named => ("ceasefire", Id);

    /// <summary>The client whose credentials declared it: only it or an admin may correct or retract it.</summary>
    public string? RecordedBy { get; init; }

    public bool Retracted { get; init; }

    public string? RetractionReason { get; init; }

    /// <summary>Declared, corrected, retracted: the revisions, oldest first (extensions, collapses and violations are not revisions).</summary>
    public IReadOnlyList<Revision> History { get; init; } = [];

    public static Ceasefire Create(IEvent<CeasefireDeclared> e) =>
        new(e.Data.CeasefireId, 1, e.Data, e.Data.EffectiveUntil, null, null, [], e.Timestamp)
        {
            RecordedBy = e.UserName,
            History = [new Revision(1, "recorded", e.Timestamp, e.UserName ?? e.Data.DeclaredBy, null, [])],
        };

    public Ceasefire Apply(CeasefireExtended e) => this with { Version = Version + 1, EffectiveUntil = e.EffectiveUntil };

    public Ceasefire Apply(CeasefireCollapsed e) => this with { Version = Version + 1, CollapsedAt = e.EndedAt, CollapseReason = e.Reason };

    public Ceasefire Apply(CeasefireViolationReported e) => this with { Version = Version + 1, ReportedViolations = [.. ReportedViolations, e] };

    public Ceasefire Apply(IEvent<CeasefireCorrected> e) => this with
    {
        Version = Version + 1,
        Declaration = e.Data.Ceasefire,
        EffectiveUntil = e.Data.Ceasefire.EffectiveUntil,
        History = [.. History, new Revision(Version + 1, "corrected", e.Timestamp, e.UserName ?? "", e.Data.Reason, e.Data.Fields)],
    };

    public Ceasefire Apply(IEvent<CeasefireRetracted> e) => this with
    {
        Version = Version + 1,
        Retracted = true,
        RetractionReason = e.Data.Reason,
        History = [.. History, new Revision(Version + 1, "retracted", e.Timestamp, e.UserName ?? "", e.Data.Reason, [])],
    };

    /// <summary>The declaration as it reads now: the current end in place of the declared one.</summary>
    public CeasefireDeclared Current => Declaration with { EffectiveUntil = EffectiveUntil };

    /// <summary>When the ceasefire stops holding: collapse or expiry, whichever comes first (null: open-ended).</summary>
    public DateTimeOffset? EndsAt => CollapsedAt is { } collapsed && (EffectiveUntil is null || collapsed < EffectiveUntil) ? collapsed : EffectiveUntil;

    public bool InEffectAt(DateTimeOffset at) => !Retracted && Declaration.EffectiveFrom <= at && (EndsAt is null || at < EndsAt);

    /// <summary>The ceasefire's own spelling of <paramref name="party"/> (parties compare as <see cref="Parties"/> says), or null.</summary>
    public string? PartyNamed(string party) => Declaration.Parties.FirstOrDefault(p => Parties.Same(p, party));

    /// <summary>Where it stands at valid time <paramref name="at"/>.</summary>
    public CeasefireState StatusAt(DateTimeOffset at, int violationsByThen) =>
        at < Declaration.EffectiveFrom ? CeasefireState.Declared
        : CollapsedAt is { } collapsed && collapsed <= at && (EffectiveUntil is null || collapsed <= EffectiveUntil) ? CeasefireState.Collapsed
        : EffectiveUntil is { } until && until <= at ? CeasefireState.Expired
        : violationsByThen > 0 ? CeasefireState.Violated
        : CeasefireState.InEffect;
}
