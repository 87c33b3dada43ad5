using System.Text.Json;
using IdlibLedger.Common;

namespace IdlibLedger.Attacks;

// Events of an attack's stream. Immutable facts, past tense; recordedAt is Marten's event timestamp.

public sealed record AttackReported(Guid AttackId, AttackFacts Facts, string ReportedBy);

/// <summary>Only the fields that change are set; the others are null (as in the correction command).</summary>
public sealed record AttackReportCorrected(Guid AttackId, AttackFactsChange Changes, string Reason, string? CorrectedBy);

public sealed record AttackReportRetracted(Guid AttackId, string Reason, string? RetractedBy);

/// <summary>A party disputes the report (typically a claim), for a reason, with counter-evidence.</summary>
public sealed record AttackReportDisputed(Guid AttackId, string Party, string Reason, IReadOnlyList<Source> CounterEvidence);

/// <summary>The fields a correction replaces. Null means "unchanged".</summary>
public sealed record AttackFactsChange(
    string? Perpetrator = null,
    IReadOnlyList<string>? Targets = null,
    EventType? EventType = null,
    SubEventType? SubEventType = null,
    GeoJsonPoint? Location = null,
    LocationPrecision? LocationPrecision = null,
    Occurrence? Occurrence = null,
    string? Description = null,
    IReadOnlyList<Source>? Sources = null,
    IReadOnlyList<CategoryCasualties>? Casualties = null)
{
    public AttackFacts ApplyTo(AttackFacts facts) => facts with
    {
        Perpetrator = Perpetrator ?? facts.Perpetrator,
        Targets = Targets ?? facts.Targets,
        EventType = EventType ?? facts.EventType,
        SubEventType = SubEventType ?? facts.SubEventType,
        Location = Location ?? facts.Location,
        LocationPrecision = LocationPrecision ?? facts.LocationPrecision,
        Occurrence = Occurrence ?? facts.Occurrence,
        Description = Description ?? facts.Description,
        Sources = Sources ?? facts.Sources,
        Casualties = Casualties ?? facts.Casualties,
    };

    /// <summary>This change without the fields that already hold the value it gives them.</summary>
    public AttackFactsChange Against(AttackFacts current)
    {
        ArgumentNullException.ThrowIfNull(current);
        T? IfChanged<T>(T? given, T was) => given is not null && !SameJson(given, was) ? given : default;
        return new AttackFactsChange(
            IfChanged(Perpetrator, current.Perpetrator), IfChanged(Targets, current.Targets), IfChanged(EventType, current.EventType),
            IfChanged(SubEventType, current.SubEventType), IfChanged(Location, current.Location), IfChanged(LocationPrecision, current.LocationPrecision),
            IfChanged(Occurrence, current.Occurrence), IfChanged(Description, current.Description), IfChanged(Sources, current.Sources),
            IfChanged(Casualties, current.Casualties));
    }

    // Lists compare by reference in records; their JSON says whether the ledger would record anything new.
    private static bool SameJson<T>(T a, T b) =>
        JsonSerializer.Serialize(a, Infrastructure.LedgerJson.Options) == JsonSerializer.Serialize(b, Infrastructure.LedgerJson.Options);

    /// <summary>The wire names of the fields this change sets, for the report's history.</summary>
    public IReadOnlyList<string> FieldNames() =>
    [
        .. new (string Name, object? Value)[]
        {
            ("perpetrator", Perpetrator), ("targets", Targets), ("eventType", EventType), ("subEventType", SubEventType),
            ("location", Location), ("locationPrecision", LocationPrecision), ("occurrence", Occurrence),
            ("description", Description), ("sources", Sources), ("casualties", Casualties),
        }.Where(field => field.Value is not null).Select(field => field.Name),
    ];
}
