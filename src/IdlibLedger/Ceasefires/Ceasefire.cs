using System.Text.Json;
using System.Text.Json.Serialization;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using JasperFx.Events;

namespace IdlibLedger.Ceasefires;

public sealed record CeasefireDeclared(
    Guid CeasefireId, string DeclaredBy, IReadOnlyList<string> Parties, JsonElement Area, string AreaSource,
    DateTimeOffset EffectiveFrom, DateTimeOffset? EffectiveUntil, string? Terms, Guid? ImplementsAgreementId);

public sealed record CeasefireExtended(Guid CeasefireId, DateTimeOffset? EffectiveUntil, string Reason);

/// <summary>EndCeasefire: the ceasefire collapsed (or was ended) at <c>EndedAt</c>.</summary>
public sealed record CeasefireCollapsed(Guid CeasefireId, DateTimeOffset EndedAt, string Reason);

/// <summary>A violation the ledger cannot see in its attacks (no report, or an act that is not an attack).</summary>
public sealed record CeasefireViolationReported(Guid CeasefireId, string By, DateTimeOffset OccurredAt, string Description, IReadOnlyList<Source> Sources);

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

/// <summary>A ceasefire as known at <c>asOf</c>: its terms, area, period, and what was reported against it.</summary>
public sealed record Ceasefire(
    Guid Id, int Version, CeasefireDeclared Declaration, DateTimeOffset? EffectiveUntil, DateTimeOffset? CollapsedAt, string? CollapseReason,
    IReadOnlyList<CeasefireViolationReported> ReportedViolations, DateTimeOffset RecordedAt)
{
    public static Ceasefire Create(IEvent<CeasefireDeclared> e) =>
        new(e.Data.CeasefireId, 1, e.Data, e.Data.EffectiveUntil, null, null, [], e.Timestamp);

    public Ceasefire Apply(CeasefireExtended e) => this with { Version = Version + 1, EffectiveUntil = e.EffectiveUntil };

    public Ceasefire Apply(CeasefireCollapsed e) => this with { Version = Version + 1, CollapsedAt = e.EndedAt, CollapseReason = e.Reason };

    public Ceasefire Apply(CeasefireViolationReported e) => this with { Version = Version + 1, ReportedViolations = [.. ReportedViolations, e] };

    /// <summary>When the ceasefire stops holding: collapse or expiry, whichever comes first (null: open-ended).</summary>
    public DateTimeOffset? EndsAt => CollapsedAt is { } collapsed && (EffectiveUntil is null || collapsed < EffectiveUntil) ? collapsed : EffectiveUntil;

    public bool InEffectAt(DateTimeOffset at) => Declaration.EffectiveFrom <= at && (EndsAt is null || at < EndsAt);

    /// <summary>Where it stands at valid time <paramref name="at"/>.</summary>
    public CeasefireState StatusAt(DateTimeOffset at, int violationsByThen) =>
        at < Declaration.EffectiveFrom ? CeasefireState.Declared
        : CollapsedAt is { } collapsed && collapsed <= at && (EffectiveUntil is null || collapsed <= EffectiveUntil) ? CeasefireState.Collapsed
        : EffectiveUntil is { } until && until <= at ? CeasefireState.Expired
        : violationsByThen > 0 ? CeasefireState.Violated
        : CeasefireState.InEffect;
}
