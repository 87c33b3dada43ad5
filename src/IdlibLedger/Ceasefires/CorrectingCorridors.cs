using System.Security.Claims;
using System.Text.Json;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using IdlibLedger.Spatial;
using IdlibLedger.Territory;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace IdlibLedger.Ceasefires;

/// <summary>
/// CorrectCorridor: replaces the fields it carries, named as in OpenCorridor, for a reason. Fields left out or null
/// stay as they were. <c>expectedVersion</c> is the version the corrector saw; a stale one is refused (409).
/// </summary>
/// <param name="ExpectedVersion">The version the corrector read (&gt; 0); 409 when it is not the current one.</param>
/// <param name="Reason">Why the corridor is corrected. Required; Free text, at most 4000 characters.</param>
/// <param name="Name">Its name; absent or null keeps it. At most 200 characters.</param>
/// <param name="Route">Its route, a GeoJSON LineString (GeoJSON geometry in WGS 84, positions as [longitude, latitude].); absent or null keeps it.</param>
/// <param name="From">Where it starts (place name); absent or null keeps it. At most 200 characters.</param>
/// <param name="To">Where it leads (place name); absent or null keeps it. At most 200 characters.</param>
/// <param name="OpensAt">When it opens; absent or null keeps it. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>
/// <param name="ClosesAt">When it is planned to close, after opensAt; absent or null keeps it. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>
public sealed record CorrectCorridor(
    long ExpectedVersion, string? Reason, string? Name = null, [property: GeoJson(GeometryKinds.LineString)] JsonElement? Route = null,
    string? From = null, string? To = null, DateTimeOffset? OpensAt = null, DateTimeOffset? ClosesAt = null)
{
    public sealed class Validator : AbstractValidator<CorrectCorridor>
    {
        public Validator(GeometryLimits limits)
        {
            RuleFor(c => c.ExpectedVersion).GreaterThan(0);
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
            RuleFor(c => c.Name).NotEmpty().MaximumLength(Limits.Name).When(c => c.Name is not null);
            RuleFor(c => c.Route).MustBeGeometry(GeometryKinds.LineString, limits);
            RuleFor(c => c.From).NotEmpty().MaximumLength(Limits.Name).When(c => c.From is not null);
            RuleFor(c => c.To).NotEmpty().MaximumLength(Limits.Name).When(c => c.To is not null);
            RuleFor(c => c.ClosesAt).Must((c, closes) => closes is null || c.OpensAt is null || closes > c.OpensAt).WithMessage("closesAt comes after opensAt");
            RuleFor(c => c)
                .Must(c => c.Name is not null || c.Route is not null || c.From is not null || c.To is not null || c.OpensAt is not null || c.ClosesAt is not null)
                .OverridePropertyName("reason")
                .WithMessage("a correction changes at least one field of the corridor");
        }
    }

    /// <summary>The corridor as this correction makes it read (under <paramref name="ceasefire"/>), and the wire names of the fields that change.</summary>
    public (CorridorOpened Corrected, IReadOnlyList<string> Fields) Apply(Corridor corridor, GeometryLimits limits, Guid? ceasefire = null)
    {
        ArgumentNullException.ThrowIfNull(corridor);
        var current = corridor.Opening;
        var corrected = current with
        {
            Name = Name?.Trim() ?? current.Name,
            Route = Route is null ? current.Route : GeoJson.ToJson(GeometryFields.Checked(Route, GeometryKinds.LineString, limits)),
            From = From ?? current.From,
            To = To ?? current.To,
            OpensAt = OpensAt ?? current.OpensAt,
            ClosesAt = ClosesAt ?? current.ClosesAt,
            CeasefireId = ceasefire ?? current.CeasefireId,
        };
        var fields = new (string Name, object? Was, object? Now)[]
        {
            ("name", current.Name, corrected.Name), ("route", current.Route.GetRawText(), corrected.Route.GetRawText()),
            ("from", current.From, corrected.From), ("to", current.To, corrected.To),
            ("opensAt", current.OpensAt, corrected.OpensAt), ("closesAt", current.ClosesAt, corrected.ClosesAt),
        };
        return (corrected, [.. fields.Where(f => !Equals(f.Was, f.Now)).Select(f => f.Name)]);
    }
}

public static class CorrectCorridorEndpoint
{
    /// <summary>
    /// Who, which version, still open (<see cref="Revisions.Allow"/>); then the corrected corridor's own rules (it
    /// closes after it opens, a recorded closure not before the opening), that something changes, and — when the
    /// route or the opening moves — the seed's rule again: a ceasefire in effect then must cover the whole route (409).
    /// </summary>
    public static async Task<ProblemDetails> BeforeAsync(
        CorrectCorridor command, Corridor corridor, ClaimsPrincipal user, GeometryLimits limits, NpgsqlDataSource database, IDocumentStore store,
        CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(corridor);
        if (Revisions.Allow(user, corridor, command.ExpectedVersion, "correct") is { } refused)
        {
            return refused;
        }

        var (corrected, fields) = command.Apply(corridor, limits);
        if (corrected.ClosesAt is { } closes && closes <= corrected.OpensAt)
        {
            return LedgerProblems.Invalid(command.ClosesAt is null ? "opensAt" : "closesAt", $"closesAt ({closes:O}) comes after opensAt ({corrected.OpensAt:O})");
        }

        if (corridor.ClosedAt is { } closed && closed < corrected.OpensAt)
        {
            return LedgerProblems.Invalid("opensAt", $"the corridor was closed at {closed:O}; it cannot open after that");
        }

        if (fields.Count == 0)
        {
            return LedgerProblems.Invalid("reason", $"the correction changes nothing: every field it gives already has that value at version {corridor.Version}");
        }

        return (fields.Contains("route") || fields.Contains("opensAt"))
            && await CoveringCeasefire.FindAsync(database, store, corrected.Route, corrected.OpensAt, cancellation) is null
                ? CoveringCeasefire.None(corrected.OpensAt)
                : WolverineContinue.NoProblems;
    }

    /// <summary>Correct a corridor</summary>
    /// <remarks>Replaces the fields given (name, route, from, to, opensAt, closesAt); the others stay. When the route or the opening time changes, the corridor is checked again against the ceasefires as the ledger holds them now (409 when none in effect at the opening covers the whole route) and records the one that does. Reads at an `asOf` before the correction show the corridor as it was. `expectedVersion` must be the current version (409 otherwise, or for a retracted corridor); only the client that opened it or an admin may correct it (403). 404 for an unknown id. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>
    [WolverinePost("/api/corridors/{id}/corrections", OperationId = "CorrectCorridor")]
    [ForAnalysts]
    [Tags("Ceasefires")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static async Task<(Receipt, Events)> Post(
        CorrectCorridor command, [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] Corridor corridor, GeometryLimits limits,
        NpgsqlDataSource database, IDocumentStore store, CancellationToken cancellation)
    {
        var (corrected, fields) = command.Apply(corridor, limits);
        if (fields.Contains("route") || fields.Contains("opensAt"))
        {
            var ceasefire = await CoveringCeasefire.FindAsync(database, store, corrected.Route, corrected.OpensAt, cancellation)
                ?? throw new StateChangedException($"no ceasefire in effect at {corrected.OpensAt:O} covers the corrected route of corridor {corridor.Id} any longer (one did a moment ago); nothing was recorded");
            (corrected, fields) = command.Apply(corridor, limits, ceasefire);
        }

        return (new Receipt(corridor.Id, corridor.Version + 1, false), [new CorridorCorrected(corridor.Id, corrected, fields, command.Reason!.Trim())]);
    }
}

public static class RetractCorridorEndpoint
{
    public static ProblemDetails Before(Retraction command, Corridor corridor, ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(corridor);
        return Revisions.Allow(user, corridor, command.ExpectedVersion, "retract")
            ?? WolverineContinue.NoProblems;
    }

    /// <summary>Retract a corridor</summary>
    /// <remarks>Withdraws a corridor recorded wrongly: it stays readable by id (`retracted: true`, with its history) but leaves `GET /api/corridors` from then on; reads at an `asOf` before the retraction still show it. 403 unless the caller opened it or is an admin; 404 for an unknown id; 409 for a stale `expectedVersion` or a corridor already retracted.</remarks>
    [WolverinePost("/api/corridors/{id}/retraction", OperationId = "RetractCorridor")]
    [ForAnalysts]
    [Tags("Ceasefires")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(Retraction command, [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] Corridor corridor) =>
        (new Receipt(corridor.Id, corridor.Version + 1, false), [new CorridorRetracted(corridor.Id, command.Reason!.Trim())]);
}
