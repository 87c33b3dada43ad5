using System.Text.Json;
using IdlibLedger.Common;
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

    /// <summary>declared, in-effect, violated, collapsed or expired at valid time <paramref name="at"/>.</summary>
    public string StatusAt(DateTimeOffset at, int violationsByThen) =>
        at < Declaration.EffectiveFrom ? "declared"
        : CollapsedAt is { } collapsed && collapsed <= at && (EffectiveUntil is null || collapsed <= EffectiveUntil) ? "collapsed"
        : EffectiveUntil is { } until && until <= at ? "expired"
        : violationsByThen > 0 ? "violated"
        : "in-effect";
}
