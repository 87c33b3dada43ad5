using System.Security.Claims;
using System.Text.Json;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using IdlibLedger.Spatial;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Territory.Regions;

/// <summary>CorrectRegion: replaces the fields it carries, named as in RegisterRegion, for a reason. Fields left out (or null) stay as they were; the id and p-code do not change.</summary>
/// <param name="ExpectedVersion">The version the corrector read (&gt; 0); 409 when it is not the current one.</param>
/// <param name="Reason">Why the region is corrected. Required; free text, at most 4000 characters.</param>
/// <param name="Name">New name; at most 200 characters. Absent or null keeps it.</param>
/// <param name="Area">New area, a GeoJSON Polygon or MultiPolygon; GeoJSON geometry in WGS 84, positions as [longitude, latitude]. Absent or null keeps it.</param>
/// <param name="Level">New level (e.g. custom, governorate, district); at most 40 characters. Absent or null keeps it.</param>
/// <param name="Source">New source of the boundary; free text, at most 4000 characters. Absent or null keeps it.</param>
public sealed record CorrectRegion(
    long ExpectedVersion, string? Reason, string? Name = null, [property: GeoJson(GeometryKinds.Areas)] JsonElement? Area = null, string? Level = null, string? Source = null)
{
    public sealed class Validator : AbstractValidator<CorrectRegion>
    {
        public Validator(GeometryLimits limits)
        {
            RuleFor(c => c.ExpectedVersion).GreaterThan(0);
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
            RuleFor(c => c.Name).NotEmpty().MaximumLength(Limits.Name).When(c => c.Name is not null);
            RuleFor(c => c.Area).MustBeGeometry(GeometryKinds.Areas, limits);
            RuleFor(c => c.Level).NotEmpty().MaximumLength(Limits.RegionLevel).When(c => c.Level is not null);
            RuleFor(c => c.Source).NotEmpty().MaximumLength(Limits.Text).When(c => c.Source is not null);
        }
    }

    /// <summary>The region as this correction makes it, and the wire names of the fields it changes (a field given with the value it has is not a change).</summary>
    public (RegionFacts Fact, IReadOnlyList<string> Fields) ApplyTo(RegionFacts current, GeometryLimits limits)
    {
        ArgumentNullException.ThrowIfNull(current);
        var fields = new List<string>();
        string Field(string name, string? given, string was)
        {
            if (given is null || given == was)
            {
                return was;
            }

            fields.Add(name);
            return given;
        }

        var name = Field("name", Name?.Trim(), current.Name);
        var area = current.Area;
        if (Area is { ValueKind: not JsonValueKind.Null } given
            && GeoJson.ToJson(GeometryFields.AsMultiPolygon(GeometryFields.Checked(given, GeometryKinds.Areas, limits))) is var corrected
            && JsonSerializer.Serialize(corrected, LedgerJson.Options) != JsonSerializer.Serialize(current.Area, LedgerJson.Options))
        {
            fields.Add("area");
            area = corrected;
        }

        var level = Field("level", Level?.Trim(), current.Level);
        var source = Field("source", Source?.Trim(), current.Source);
        return (current with { Name = name, Area = area, Level = level, Source = source }, fields);
    }
}

/// <summary>Corrections and retractions of regions. A region's stream is named by its id, so these load it themselves rather than by a UUID route.</summary>
public static class RevisingRegionsEndpoints
{
    /// <summary>Correct a region</summary>
    /// <remarks>Replaces the fields given (name, area, level, source; absent or null keeps a field) for a reason; the id and p-code stay. Reads at an `asOf` from the correction's recording on (the control-map shares, the region filter of attack reads, `GET /api/regions/{id}`) measure against the corrected region; earlier `asOf` values still see it as it was. The answer's `id` is the region's stream id. Admins only, as registering is. `expectedVersion` must be the current version (409 otherwise, or for a retracted region). 404 for an unknown id. A correction that changes nothing, or a bad field, is 400 naming it; nothing is recorded then.</remarks>
    /// <param name="id">The region's id (not its p-code or name).</param>
    [WolverinePost("/api/regions/{id}/corrections", OperationId = "CorrectRegion")]
    [ForAdmins]
    [Tags("Territory")]
    [ProducesResponseType<Receipt>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static async Task<IResult> Correct(
        string id, CorrectRegion command, IDocumentSession session, ClaimsPrincipal user, GeometryLimits limits, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(session);
        var stream = await session.Events.FetchForWriting<Region>(RegionEndpoints.StreamId(id), cancellation);
        if (stream.Aggregate is not { } region)
        {
            return Unknown(id);
        }

        if (Revisions.Allow(user, region, command.ExpectedVersion, "correct") is { } refused)
        {
            return refused.ToResult();
        }

        var (fact, fields) = command.ApplyTo(region.Fact, limits);
        if (fields.Count == 0)
        {
            return LedgerProblems.Invalid("reason", $"the correction changes nothing: every field it gives already has that value at version {region.Version}").ToResult();
        }

        stream.AppendOne(new RegionCorrected(region.RegionId, fact, fields, command.Reason!.Trim()));
        return Results.Ok(new Receipt(region.Id, region.Version + 1, AlreadyRecorded: false));
    }

    /// <summary>Retract a region</summary>
    /// <remarks>Withdraws the region for a reason: from the retraction's recording on it leaves the list, and no read, filter, share or new ceasefire finds it by id, p-code or name (reads at an earlier `asOf` still do). It stays readable by id with `asOf`, with `retracted: true`, and its id stays taken: registering it again is 409, and the OCHA regions loaded at start-up do not come back. The answer's `id` is the region's stream id. Admins only, as registering is. 404 for an unknown id; 409 for a stale `expectedVersion` or a region already retracted.</remarks>
    /// <param name="id">The region's id (not its p-code or name).</param>
    [WolverinePost("/api/regions/{id}/retraction", OperationId = "RetractRegion")]
    [ForAdmins]
    [Tags("Territory")]
    [ProducesResponseType<Receipt>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static async Task<IResult> Retract(
        string id, Retraction command, IDocumentSession session, ClaimsPrincipal user, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(session);
        var stream = await session.Events.FetchForWriting<Region>(RegionEndpoints.StreamId(id), cancellation);
        if (stream.Aggregate is not { } region)
        {
            return Unknown(id);
        }

        if (Revisions.Allow(user, region, command.ExpectedVersion, "retract") is { } refused)
        {
            return refused.ToResult();
        }

        stream.AppendOne(new RegionRetracted(region.RegionId, command.Reason!.Trim()));
        return Results.Ok(new Receipt(region.Id, region.Version + 1, AlreadyRecorded: false));
    }

    private static IResult Unknown(string id) => LedgerProblems.NotFound($"no region '{id}' was registered; GET /api/regions lists them").ToResult();
}
