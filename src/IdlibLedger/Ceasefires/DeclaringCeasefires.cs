using System.Text.Json;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using IdlibLedger.Spatial;
using IdlibLedger.Territory.Regions;
using IdlibLedger.Territory;
using Marten;
using Microsoft.AspNetCore.Mvc;
using NetTopologySuite.Geometries;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace IdlibLedger.Ceasefires;

/// <summary>
/// DeclareCeasefire: who declares it, between which parties, where and when. The area is a polygon, or a
/// region id, or — neither given — the whole zone: the de-escalation zone of the agreement it implements, else
/// the Idlib governorate.
/// </summary>
/// <param name="DeclaredBy">Who declared it. Required; At most 200 characters.</param>
/// <param name="Parties">The parties bound; at least two.</param>
/// <param name="EffectiveFrom">When it takes effect. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>
/// <param name="EffectiveUntil">When it ends; optional.</param>
/// <param name="Area">Its area, a GeoJSON Polygon or MultiPolygon (GeoJSON geometry in WGS 84, positions as [longitude, latitude].); or give region.</param>
/// <param name="Region">A registered region as its area, instead of area.</param>
/// <param name="Terms">Its terms; Free text, at most 4000 characters.</param>
/// <param name="ImplementsAgreementId">The agreement it implements; optional.</param>
/// <param name="Id">Optional UUID (not all zeros) naming the new stream, so that a retry is recognised however late; without it the ledger picks a new UUIDv7.</param>
public sealed record DeclareCeasefire(
    string? DeclaredBy, IReadOnlyList<string>? Parties, DateTimeOffset? EffectiveFrom,
    DateTimeOffset? EffectiveUntil = null, [property: GeoJson(GeometryKinds.Areas)] JsonElement? Area = null, string? Region = null, string? Terms = null,
    Guid? ImplementsAgreementId = null, Guid? Id = null)
{
    public sealed class Validator : AbstractValidator<DeclareCeasefire>
    {
        public Validator(GeometryLimits limits)
        {
            RuleFor(c => c.DeclaredBy).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Parties).NotEmpty().WithMessage("a ceasefire binds at least one party");
            RuleForEach(c => c.Parties).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Parties).Custom(CeasefireRules.NoPartyTwice);
            RuleFor(c => c.EffectiveFrom).NotNull();
            RuleFor(c => c.EffectiveUntil).Must((c, until) => until is null || c.EffectiveFrom is null || until > c.EffectiveFrom)
                .WithMessage("effectiveUntil comes after effectiveFrom");
            RuleFor(c => c.Area).MustBeGeometry(GeometryKinds.Areas, limits);
            RuleFor(c => c).Must(c => c.Area is null || c.Region is null).OverridePropertyName("region").WithMessage("give an area or a region, not both");
            RuleFor(c => c.Terms).MaximumLength(Limits.Text);
            RuleFor(c => c.Id).NotEqual(Guid.Empty);
        }
    }
}

/// <param name="EffectiveUntil">The new end, later than the current. Required. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>
/// <param name="Reason">Why; Free text, at most 4000 characters.</param>
/// <param name="ExtendedAt">When the extension was agreed; default now, not in the future. It must come before the current end: an expired ceasefire cannot be extended. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>
public sealed record ExtendCeasefire(DateTimeOffset? EffectiveUntil, string? Reason, DateTimeOffset? ExtendedAt = null)
{
    public sealed class Validator : AbstractValidator<ExtendCeasefire>
    {
        public Validator(LedgerClock clock)
        {
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
            RuleFor(c => c.ExtendedAt).Must(t => t is null || t <= clock.GetUtcNow()).WithMessage("extendedAt cannot be in the future");
        }
    }
}

/// <param name="Reason">Why it collapsed. Required; Free text, at most 4000 characters.</param>

/// <param name="EndedAt">When it ended; default now. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>

public sealed record EndCeasefire(string? Reason, DateTimeOffset? EndedAt = null)
{
    public sealed class Validator : AbstractValidator<EndCeasefire>
    {
        public Validator(LedgerClock clock)
        {
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
            RuleFor(c => c.EndedAt).Must(t => t is null || t <= clock.GetUtcNow()).WithMessage("endedAt cannot be in the future");
        }
    }
}

/// <param name="By">The violating party. Required; At most 200 characters.</param>

/// <param name="OccurredAt">When. Required. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>

/// <param name="Description">What happened. Required; Free text, at most 4000 characters.</param>

/// <param name="Sources">The sources; at least one.</param>

public sealed record ReportCeasefireViolation(string? By, DateTimeOffset? OccurredAt, string? Description, IReadOnlyList<Source>? Sources)
{
    public sealed class Validator : AbstractValidator<ReportCeasefireViolation>
    {
        public Validator(LedgerClock clock)
        {
            RuleFor(c => c.By).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.OccurredAt).NotNull().Must(t => t is null || t <= clock.GetUtcNow()).WithMessage("occurredAt cannot be in the future");
            RuleFor(c => c.Description).NotEmpty().MaximumLength(Limits.Text);
            RuleFor(c => c.Sources).NotEmpty().WithMessage("at least one source is required");
            RuleForEach(c => c.Sources).NotNull().SetValidator(new Source.Validator(clock));
        }
    }
}

public static class DeclareCeasefireEndpoint
{
    /// <summary>Declare a ceasefire</summary>
    /// <remarks>Records a ceasefire between parties over an area (a GeoJSON geometry or a registered region) from `effectiveFrom`, optionally until `effectiveUntil`. 201 with Location /api/ceasefires/{id}; 200 with `alreadyRecorded: true` for a retry with the same `id`. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>
    [WolverinePost("/api/ceasefires", OperationId = "DeclareCeasefire")]
    [ForAnalysts]
    [Tags("Ceasefires")]
    [ProducesResponseType<Receipt>(StatusCodes.Status201Created)]
    [ProducesResponseType<Receipt>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<IResult> Post(
        DeclareCeasefire command, IDocumentSession session, RegionLookup regions, GeometryLimits limits, CancellationToken cancellation)
    {
        var start = await Streams.StartOnceAsync(
            session, command.Id, typeof(Ceasefire), id => DecideAsync(command, id, session, regions, limits, cancellation), cancellation);
        return Receipt.Answer("/api/ceasefires", start);
    }

    /// <summary>The decider: the declaration over its area (see <see cref="AreaAsync"/>), or a 400 naming what the area refers to and is not there.</summary>
    private static async ValueTask<Decision> DecideAsync(
        DeclareCeasefire command, Guid id, IDocumentSession session, RegionLookup regions, GeometryLimits limits, CancellationToken cancellation)
    {
        var (area, source, problem) = await AreaAsync(command, session, regions, limits, cancellation);
        return problem is not null
            ? Decision.Refuse(problem)
            : Decision.Start(new CeasefireDeclared(
                id, command.DeclaredBy!.Trim(), [.. command.Parties!.Select(p => p.Trim())], GeoJson.ToJson(area!), source,
                command.EffectiveFrom!.Value, command.EffectiveUntil, command.Terms, command.ImplementsAgreementId));
    }

    /// <summary>The ceasefire's area: posted, a region, the implemented agreement's de-escalation zone, or Idlib.</summary>
    private static async Task<(Geometry? Area, string Source, HttpValidationProblemDetails? Problem)> AreaAsync(
        DeclareCeasefire command, IDocumentSession session, RegionLookup regions, GeometryLimits limits, CancellationToken cancellation)
    {
        // The agreement must exist whatever the area is, since the ceasefire names it.
        var (agreement, unknown) = await CeasefireRules.AgreementAsync(command.ImplementsAgreementId, session, cancellation);
        if (unknown is not null)
        {
            return (null, "", unknown);
        }

        if (command.Area is not null)
        {
            return (GeometryFields.AsMultiPolygon(GeometryFields.Checked(command.Area, GeometryKinds.Areas, limits)), "posted", null);
        }

        if (command.Region is null && agreement?.Zones.FirstOrDefault(z => z.Kind == "de-escalation-zone") is { } zone)
        {
            return (GeometryFields.AsMultiPolygon(GeoJson.FromJson(zone.Area!.Value)), $"agreement {agreement.Id}: {zone.Name}", null);
        }

        var key = command.Region ?? "idlib";
        return await regions.FindAsync(key, cancellation) is { } region
            ? (GeometryFields.AsMultiPolygon(region.Area), $"region {region.Id}", null)
            : (null, "", LedgerProblems.Invalid("region", $"no region '{key}' (give an area, a region from GET /api/regions, or the agreement it implements)"));
    }
}

public static class ExtendCeasefireEndpoint
{
    /// <summary>
    /// A collapsed ceasefire, or one whose end had passed when the extension was agreed (<c>extendedAt</c>, by
    /// default the ledger's clock), cannot be extended (409); the new end must be later than the current one (400).
    /// </summary>
    public static ProblemDetails Before(ExtendCeasefire command, Ceasefire ceasefire, LedgerClock clock)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(ceasefire);
        ArgumentNullException.ThrowIfNull(clock);
        var extendedAt = command.ExtendedAt ?? clock.GetUtcNow();
        return ceasefire.Retracted ? LedgerProblems.Conflict($"ceasefire {ceasefire.Id} was retracted; it cannot be extended")
            : ceasefire.CollapsedAt is not null ? LedgerProblems.Conflict($"ceasefire {ceasefire.Id} collapsed at {ceasefire.CollapsedAt:O}; it cannot be extended")
            : ceasefire.EffectiveUntil is { } expired && expired <= extendedAt
                ? LedgerProblems.Conflict($"ceasefire {ceasefire.Id} expired at {expired:O}, before the extension at {extendedAt:O}; an expired ceasefire cannot be extended")
            : command.EffectiveUntil is { } until && (until <= ceasefire.Declaration.EffectiveFrom || ceasefire.EffectiveUntil is not { } was || until <= was)
                ? LedgerProblems.Invalid("effectiveUntil", "an extension moves effectiveUntil later (or removes it with null)")
                : WolverineContinue.NoProblems;
    }

    /// <summary>Extend a ceasefire</summary>

    /// <remarks>Moves the ceasefire's end later, as agreed at `extendedAt` (default now). 404 for an unknown ceasefire; 409 when it has collapsed, expired before `extendedAt`, or was retracted; 400 naming `effectiveUntil` when the new end is not later. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>

    [WolverinePost("/api/ceasefires/{id}/extension", OperationId = "ExtendCeasefire")]
    [ForAnalysts]
    [Tags("Ceasefires")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(ExtendCeasefire command, [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] Ceasefire ceasefire, LedgerClock clock) =>
        (new Receipt(ceasefire.Id, ceasefire.Version + 1, false),
            [new CeasefireExtended(ceasefire.Id, command.EffectiveUntil, command.Reason!.Trim(), command.ExtendedAt ?? clock.GetUtcNow())]);
}

public static class EndCeasefireEndpoint
{
    public static ProblemDetails Before(EndCeasefire command, Ceasefire ceasefire, LedgerClock clock) =>
        ceasefire.Retracted ? LedgerProblems.Conflict($"ceasefire {ceasefire.Id} was retracted; it cannot collapse")
        : ceasefire.CollapsedAt is not null
            ? LedgerProblems.Conflict($"ceasefire {ceasefire.Id} already collapsed at {ceasefire.CollapsedAt:O}")
            : (command.EndedAt ?? clock.GetUtcNow()) < ceasefire.Declaration.EffectiveFrom
                ? LedgerProblems.Invalid("endedAt", "a ceasefire cannot end before it took effect")
                : WolverineContinue.NoProblems;

    /// <summary>Record a ceasefire's collapse</summary>

    /// <remarks>The ceasefire ended before its term, from `endedAt` (default now). 404 for an unknown ceasefire; 409 when it already collapsed. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>

    [WolverinePost("/api/ceasefires/{id}/collapse", OperationId = "EndCeasefire")]
    [ForAnalysts]
    [Tags("Ceasefires")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(EndCeasefire command, [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] Ceasefire ceasefire, LedgerClock clock) =>
        (new Receipt(ceasefire.Id, ceasefire.Version + 1, false), [new CeasefireCollapsed(ceasefire.Id, command.EndedAt ?? clock.GetUtcNow(), command.Reason!.Trim())]);
}

public static class ReportCeasefireViolationEndpoint
{
    public static ProblemDetails Before(ReportCeasefireViolation command, Ceasefire ceasefire) =>
        ceasefire.Retracted ? LedgerProblems.Conflict($"ceasefire {ceasefire.Id} was retracted; it takes no violations")
        : !ceasefire.InEffectAt(command.OccurredAt!.Value)
            ? LedgerProblems.Conflict($"ceasefire {ceasefire.Id} was not in effect at {command.OccurredAt:O}")
            : ceasefire.PartyNamed(command.By!) is null
                ? LedgerProblems.Conflict($"{command.By} is not a party to ceasefire {ceasefire.Id} ({string.Join(", ", ceasefire.Declaration.Parties)})")
                : WolverineContinue.NoProblems;

    /// <summary>Report a ceasefire violation</summary>

    /// <remarks>A violation of the ceasefire by a party, with sources. Attacks in its area and period count as violations without this. 404 for an unknown ceasefire. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>

    [WolverinePost("/api/ceasefires/{id}/violations", OperationId = "ReportCeasefireViolation")]
    [ForAnalysts]
    [Tags("Ceasefires")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(ReportCeasefireViolation command, [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] Ceasefire ceasefire) =>
        (new Receipt(ceasefire.Id, ceasefire.Version + 1, false),
            [new CeasefireViolationReported(ceasefire.Id, ceasefire.PartyNamed(command.By!)!, command.OccurredAt!.Value, command.Description!.Trim(), command.Sources!)]);
}
