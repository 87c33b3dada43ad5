using System.Security.Claims;
using System.Text.Json;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using IdlibLedger.Spatial;
using IdlibLedger.Territory;
using IdlibLedger.Territory.Regions;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace IdlibLedger.Ceasefires;

/// <summary>
/// CorrectCeasefire: replaces the fields it carries, named as in DeclareCeasefire, for a reason. Fields left out or
/// null stay as they were. <c>expectedVersion</c> is the version the corrector saw; a stale one is refused (409).
/// </summary>
/// <param name="ExpectedVersion">The version the corrector read (&gt; 0); 409 when it is not the current one.</param>
/// <param name="Reason">Why the ceasefire is corrected. Required; Free text, at most 4000 characters.</param>
/// <param name="DeclaredBy">Who declared it; absent or null keeps it. At most 200 characters.</param>
/// <param name="Parties">The parties bound (each once, compared case-insensitively); absent or null keeps them.</param>
/// <param name="EffectiveFrom">When it took effect; absent or null keeps it. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>
/// <param name="EffectiveUntil">Its current end (after any extension), later than effectiveFrom; absent or null keeps it. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>
/// <param name="Area">Its area, a GeoJSON Polygon or MultiPolygon (GeoJSON geometry in WGS 84, positions as [longitude, latitude].); or give region; absent or null keeps the area.</param>
/// <param name="Region">A registered region as its area, instead of area.</param>
/// <param name="Terms">Its terms; absent or null keeps them. Free text, at most 4000 characters.</param>
/// <param name="ImplementsAgreementId">The agreement it implements, one the ledger holds; absent or null keeps it. The area does not follow it.</param>
public sealed record CorrectCeasefire(
    long ExpectedVersion, string? Reason, string? DeclaredBy = null, IReadOnlyList<string>? Parties = null,
    DateTimeOffset? EffectiveFrom = null, DateTimeOffset? EffectiveUntil = null, [property: GeoJson(GeometryKinds.Areas)] JsonElement? Area = null,
    string? Region = null, string? Terms = null, Guid? ImplementsAgreementId = null)
{
    public sealed class Validator : AbstractValidator<CorrectCeasefire>
    {
        public Validator(GeometryLimits limits)
        {
            RuleFor(c => c.ExpectedVersion).GreaterThan(0);
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
            RuleFor(c => c.DeclaredBy).NotEmpty().MaximumLength(Limits.Name).When(c => c.DeclaredBy is not null);
            RuleFor(c => c.Parties).NotEmpty().When(c => c.Parties is not null).WithMessage("a ceasefire binds at least one party");
            RuleForEach(c => c.Parties).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Parties).Custom(CeasefireRules.NoPartyTwice);
            RuleFor(c => c.EffectiveUntil).Must((c, until) => until is null || c.EffectiveFrom is null || until > c.EffectiveFrom)
                .WithMessage("effectiveUntil comes after effectiveFrom");
            RuleFor(c => c.Area).MustBeGeometry(GeometryKinds.Areas, limits);
            RuleFor(c => c).Must(c => c.Area is null || c.Region is null).OverridePropertyName("region").WithMessage("give an area or a region, not both");
            RuleFor(c => c.Region).NotEmpty().When(c => c.Region is not null);
            RuleFor(c => c.Terms).NotEmpty().MaximumLength(Limits.Text).When(c => c.Terms is not null);
            RuleFor(c => c.ImplementsAgreementId).NotEqual(Guid.Empty);
            RuleFor(c => c)
                .Must(c => c.DeclaredBy is not null || c.Parties is not null || c.EffectiveFrom is not null || c.EffectiveUntil is not null
                    || c.Area is not null || c.Region is not null || c.Terms is not null || c.ImplementsAgreementId is not null)
                .OverridePropertyName("reason")
                .WithMessage("a correction changes at least one field of the ceasefire");
        }
    }

    /// <summary>
    /// The ceasefire as this correction makes it read, and the wire names of the fields that change (a field given
    /// the value it holds is no change). <paramref name="area"/> is the resolved area or region, if one was given.
    /// </summary>
    public (CeasefireDeclared Corrected, IReadOnlyList<string> Fields) Apply(Ceasefire ceasefire, (JsonElement Area, string Source)? area)
    {
        ArgumentNullException.ThrowIfNull(ceasefire);
        var current = ceasefire.Current;
        var corrected = current with
        {
            DeclaredBy = DeclaredBy?.Trim() ?? current.DeclaredBy,
            Parties = Parties is null ? current.Parties : [.. Parties.Select(p => p.Trim())],
            EffectiveFrom = EffectiveFrom ?? current.EffectiveFrom,
            EffectiveUntil = EffectiveUntil ?? current.EffectiveUntil,
            Area = area?.Area ?? current.Area,
            AreaSource = area?.Source ?? current.AreaSource,
            Terms = Terms ?? current.Terms,
            ImplementsAgreementId = ImplementsAgreementId ?? current.ImplementsAgreementId,
        };
        var fields = new (string Name, object? Was, object? Now)[]
        {
            ("declaredBy", current.DeclaredBy, corrected.DeclaredBy), ("parties", current.Parties, corrected.Parties),
            ("effectiveFrom", current.EffectiveFrom, corrected.EffectiveFrom), ("effectiveUntil", current.EffectiveUntil, corrected.EffectiveUntil),
            (Region is null ? "area" : "region", current.Area.GetRawText() + current.AreaSource, corrected.Area.GetRawText() + corrected.AreaSource),
            ("terms", current.Terms, corrected.Terms), ("implementsAgreementId", current.ImplementsAgreementId, corrected.ImplementsAgreementId),
        };
        return (corrected, [.. fields.Where(f => !SameJson(f.Was, f.Now)).Select(f => f.Name)]);
    }

    // Lists compare by reference in records; their JSON says whether the ledger would record anything new.
    private static bool SameJson(object? a, object? b) =>
        JsonSerializer.Serialize(a, LedgerJson.Options) == JsonSerializer.Serialize(b, LedgerJson.Options);
}

public static class CorrectCeasefireEndpoint
{
    /// <summary>
    /// Who, which version, still open (<see cref="Revisions.Allow"/>); then the references (agreement, region), the
    /// corrected ceasefire's own rules (its end after its start, a collapse not before it), and that something changes.
    /// </summary>
    public static async Task<ProblemDetails> BeforeAsync(
        CorrectCeasefire command, Ceasefire ceasefire, ClaimsPrincipal user, IDocumentSession session, RegionLookup regions, GeometryLimits limits,
        CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(ceasefire);
        if (Revisions.Allow(user, ceasefire, command.ExpectedVersion, "correct") is { } refused)
        {
            return refused;
        }

        if ((await CeasefireRules.AgreementAsync(command.ImplementsAgreementId, session, cancellation)).Problem is { } unknownAgreement)
        {
            return unknownAgreement;
        }

        var (area, unknownRegion) = await AreaAsync(command, regions, limits, cancellation);
        if (unknownRegion is not null)
        {
            return unknownRegion;
        }

        var (corrected, fields) = command.Apply(ceasefire, area);
        if (corrected.EffectiveUntil is { } until && until <= corrected.EffectiveFrom)
        {
            return LedgerProblems.Invalid(command.EffectiveUntil is null ? "effectiveFrom" : "effectiveUntil",
                $"effectiveUntil ({until:O}) comes after effectiveFrom ({corrected.EffectiveFrom:O})");
        }

        if (ceasefire.CollapsedAt is { } collapsed && collapsed < corrected.EffectiveFrom)
        {
            return LedgerProblems.Invalid("effectiveFrom", $"the ceasefire collapsed at {collapsed:O}; it cannot take effect after that");
        }

        return fields.Count == 0
            ? LedgerProblems.Invalid("reason", $"the correction changes nothing: every field it gives already has that value at version {ceasefire.Version}")
            : WolverineContinue.NoProblems;
    }

    /// <summary>The area a correction gives (a geometry or a region), or null when it gives none; 400 naming region for an unknown one.</summary>
    private static async Task<((JsonElement Area, string Source)? Area, HttpValidationProblemDetails? Problem)> AreaAsync(
        CorrectCeasefire command, RegionLookup regions, GeometryLimits limits, CancellationToken cancellation)
    {
        if (command.Area is not null)
        {
            return ((GeoJson.ToJson(GeometryFields.AsMultiPolygon(GeometryFields.Checked(command.Area, GeometryKinds.Areas, limits))), "posted"), null);
        }

        if (command.Region is null)
        {
            return (null, null);
        }

        return await regions.FindAsync(command.Region, cancellation) is { } region
            ? ((GeoJson.ToJson(GeometryFields.AsMultiPolygon(region.Area)), $"region {region.Id}"), null)
            : (null, LedgerProblems.Invalid("region", $"no region '{command.Region}' (give an area, or a region from GET /api/regions)"));
    }

    /// <summary>Correct a ceasefire</summary>
    /// <remarks>Replaces the fields given (parties, terms, area or region, period, the agreement it implements, who declared it); the others stay. Reads at an `asOf` before the correction show the ceasefire as it was (its status and violations too); the `ceasefires` table that corridors are checked against follows at once. `expectedVersion` must be the current version (409 otherwise, or for a retracted ceasefire); only the client that declared it or an admin may correct it (403). 404 for an unknown id. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>
    [WolverinePost("/api/ceasefires/{id}/corrections", OperationId = "CorrectCeasefire")]
    [ForAnalysts]
    [Tags("Ceasefires")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static async Task<(Receipt, Events)> Post(
        CorrectCeasefire command, [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] Ceasefire ceasefire,
        RegionLookup regions, GeometryLimits limits, CancellationToken cancellation)
    {
        var (area, _) = await AreaAsync(command, regions, limits, cancellation);
        var (corrected, fields) = command.Apply(ceasefire, area);
        return (new Receipt(ceasefire.Id, ceasefire.Version + 1, false), [new CeasefireCorrected(ceasefire.Id, corrected, fields, command.Reason!.Trim())]);
    }
}

public static class RetractCeasefireEndpoint
{
    public static ProblemDetails Before(Retraction command, Ceasefire ceasefire, ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(ceasefire);
        return Revisions.Allow(user, ceasefire, command.ExpectedVersion, "retract")
            ?? WolverineContinue.NoProblems;
    }

    /// <summary>Retract a ceasefire</summary>
    /// <remarks>Withdraws a ceasefire recorded wrongly: it stays readable by id (`retracted: true`, with its history) but leaves the list, covers no corridor route from then on, and a corridor opened under it reads `unprotected` while open. Reads at an `asOf` before the retraction show it as it was. 403 unless the caller declared it or is an admin; 404 for an unknown id; 409 for a stale `expectedVersion` or a ceasefire already retracted.</remarks>
    [WolverinePost("/api/ceasefires/{id}/retraction", OperationId = "RetractCeasefire")]
    [ForAnalysts]
    [Tags("Ceasefires")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(Retraction command, [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] Ceasefire ceasefire) =>
        (new Receipt(ceasefire.Id, ceasefire.Version + 1, false), [new CeasefireRetracted(ceasefire.Id, command.Reason!.Trim())]);
}
