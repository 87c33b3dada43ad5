using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using IdlibLedger.Spatial;
using IdlibLedger.Territory;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetTopologySuite.Geometries;
using Npgsql;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace IdlibLedger.Ceasefires;

public sealed record CorridorOpened(
    Guid CorridorId, string Name, JsonElement Route, string? From, string? To, DateTimeOffset OpensAt, DateTimeOffset? ClosesAt, Guid CeasefireId);

public sealed record CorridorClosed(Guid CorridorId, DateTimeOffset ClosedAt, string Reason);

/// <summary>Where a corridor stands at a valid time: scheduled (not open yet), open (and a ceasefire covers it), unprotected (open, no ceasefire in effect) or closed.</summary>
[JsonConverter(typeof(WireEnumConverter<CorridorStatus>))]
public enum CorridorStatus
{
    /// <summary>Not open yet.</summary>
    [JsonStringEnumMemberName("scheduled")] Scheduled,

    /// <summary>Open, and the ceasefire that covered its route is in effect.</summary>
    [JsonStringEnumMemberName("open")] Open,

    /// <summary>Open, while the ceasefire that covered its route has collapsed or expired.</summary>
    [JsonStringEnumMemberName("unprotected")] Unprotected,

    /// <summary>Closed, or past its closing time.</summary>
    [JsonStringEnumMemberName("closed")] Closed,
}

/// <summary>A humanitarian corridor and the ceasefire that covered its route when it opened.</summary>
public sealed record Corridor(Guid Id, int Version, CorridorOpened Opening, DateTimeOffset? ClosedAt, string? ClosureReason)
{
    public static Corridor Create(CorridorOpened e) => new(e.CorridorId, 1, e, null, null);

    public Corridor Apply(CorridorClosed e) => this with { Version = Version + 1, ClosedAt = e.ClosedAt, ClosureReason = e.Reason };

    public DateTimeOffset? EndsAt => ClosedAt is { } closed && (Opening.ClosesAt is null || closed < Opening.ClosesAt) ? closed : Opening.ClosesAt;
}

/// <summary>
/// OpenCorridor: a route (LineString) between two places, open from <c>opensAt</c>. The seed's rule: it "cannot
/// happen without reaching a cease-fire" — refused (409) unless a ceasefire in effect at the opening covers the
/// whole route.
/// </summary>
/// <param name="Name">Its name. Required; At most 200 characters.</param>
/// <param name="Route">A GeoJSON LineString; GeoJSON geometry in WGS 84, positions as [longitude, latitude]. Required.</param>
/// <param name="OpensAt">When it opens. Required. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>
/// <param name="From">Where it starts (place name); optional.</param>
/// <param name="To">Where it leads (place name); optional.</param>
/// <param name="ClosesAt">When it closes; optional.</param>
/// <param name="Id">Optional UUID (not all zeros) naming the new stream, so that a retry is recognised however late; without it the ledger picks a new UUIDv7.</param>
public sealed record OpenCorridor(string? Name, [property: GeoJson(GeometryKinds.LineString)] JsonElement? Route, DateTimeOffset? OpensAt, string? From = null, string? To = null, DateTimeOffset? ClosesAt = null, Guid? Id = null)
{
    public sealed class Validator : AbstractValidator<OpenCorridor>
    {
        public Validator(GeometryLimits limits)
        {
            RuleFor(c => c.Name).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Route).NotNull().MustBeGeometry(GeometryKinds.LineString, limits);
            RuleFor(c => c.OpensAt).NotNull();
            RuleFor(c => c.ClosesAt).Must((c, closes) => closes is null || c.OpensAt is null || closes > c.OpensAt).WithMessage("closesAt comes after opensAt");
            RuleFor(c => c.From).MaximumLength(Limits.Name);
            RuleFor(c => c.To).MaximumLength(Limits.Name);
            RuleFor(c => c.Id).NotEqual(Guid.Empty);
        }
    }
}

/// <param name="Reason">Why it closed. Required; Free text, at most 4000 characters.</param>

/// <param name="ClosedAt">When it closed; default now. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>

public sealed record CloseCorridor(string? Reason, DateTimeOffset? ClosedAt = null)
{
    public sealed class Validator : AbstractValidator<CloseCorridor>
    {
        public Validator() => RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
    }
}

public static class OpenCorridorEndpoint
{
    /// <summary>Open a corridor</summary>
    /// <remarks>Records a humanitarian corridor along a route (a GeoJSON LineString) from `opensAt`, optionally until `closesAt`. 201 with Location /api/corridors/{id}; 200 with `alreadyRecorded: true` for a retry with the same `id`. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>
    [WolverinePost("/api/corridors", OperationId = "OpenCorridor")]
    [ForAnalysts]
    [Tags("Ceasefires")]
    [ProducesResponseType<Receipt>(StatusCodes.Status201Created)]
    [ProducesResponseType<Receipt>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static async Task<IResult> Post(
        OpenCorridor command, IDocumentSession session, NpgsqlDataSource database, IDocumentStore store, GeometryLimits limits, CancellationToken cancellation)
    {
        var start = await Streams.StartOnceAsync(
            session, command.Id, typeof(Corridor), id => DecideAsync(command, id, database, store, limits, cancellation), cancellation);
        return Receipt.Answer("/api/corridors", start);
    }

    /// <summary>The decider: the corridor opens under the newest ceasefire in effect at its opening that covers the whole route, or not at all (409).</summary>
    private static async ValueTask<Decision> DecideAsync(
        OpenCorridor command, Guid id, NpgsqlDataSource database, IDocumentStore store, GeometryLimits limits, CancellationToken cancellation)
    {
        var route = GeoJson.ToJson(GeometryFields.Checked(command.Route, GeometryKinds.LineString, limits));
        await using var find = database.CreateCommand(
            $"select ceasefire_id from {store.Options.DatabaseSchemaName}.{CeasefireTable.Name} " +
            "where effective_from <= @opens and (effective_until is null or effective_until > @opens) " +
            "and (collapsed_at is null or collapsed_at > @opens) and ST_Covers(area, ST_GeomFromGeoJSON(@route)) " +
            "order by effective_from desc, ceasefire_id limit 1");
        find.Parameters.AddWithValue("opens", command.OpensAt!.Value);
        find.Parameters.AddWithValue("route", route.GetRawText());
        if (await find.ExecuteScalarAsync(cancellation) is not Guid ceasefire)
        {
            return Decision.Refuse(LedgerProblems.Conflict(
                $"no ceasefire in effect at {command.OpensAt:O} covers the whole route; a humanitarian corridor cannot open without one"));
        }

        return Decision.Start(new CorridorOpened(
            id, command.Name!.Trim(), route, command.From, command.To, command.OpensAt.Value, command.ClosesAt, ceasefire));
    }
}

public static class CloseCorridorEndpoint
{
    public static ProblemDetails Before(CloseCorridor command, Corridor corridor) =>
        corridor.ClosedAt is not null ? LedgerProblems.Conflict($"corridor {corridor.Id} is already closed") : WolverineContinue.NoProblems;

    /// <summary>Close a corridor</summary>

    /// <remarks>The corridor closed, from `closedAt` (default now). 404 for an unknown corridor; 409 when it is already closed. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>

    [WolverinePost("/api/corridors/{id}/closure", OperationId = "CloseCorridor")]
    [ForAnalysts]
    [Tags("Ceasefires")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(CloseCorridor command, [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] Corridor corridor, LedgerClock clock) =>
        (new Receipt(corridor.Id, corridor.Version + 1, false), [new CorridorClosed(corridor.Id, command.ClosedAt ?? clock.GetUtcNow(), command.Reason!.Trim())]);
}

public static class CorridorReads
{
    /// <summary>List corridors</summary>
    /// <remarks>Corridors at (`at`, `asOf`) as GeoJSON lines: scheduled, open, closed, or unprotected (open while the ceasefire that covered it has collapsed or expired). Valid time is `at`, transaction time `asOf` (ISO 8601; default now).</remarks>
    [WolverineGet("/api/corridors", OperationId = "ListCorridors")]
    [ForViewers]
    [Tags("Ceasefires")]
    [Produces("application/geo+json")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> List(
        [AsParameters] TimeQuery time, IQuerySession session, LedgerClock clock, CancellationToken cancellation)
    {
        if (!time.TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        var ids = await session.Events.QueryAllRawEvents()
            .Where(e => e.EventTypesAre(typeof(CorridorOpened)) && e.Timestamp <= temporal.AsOf)
            .Select(e => e.StreamId).ToListAsync(cancellation);
        var features = new List<(Geometry, IReadOnlyDictionary<string, object?>)>();
        foreach (var id in ids.Distinct())
        {
            var corridor = await session.Events.AggregateStreamAsync<Corridor>(id, timestamp: temporal.AsOf, token: cancellation);
            if (corridor is null)
            {
                continue;
            }

            var ceasefire = await session.Events.AggregateStreamAsync<Ceasefire>(corridor.Opening.CeasefireId, timestamp: temporal.AsOf, token: cancellation);
            features.Add((GeoJson.FromJson(corridor.Opening.Route), new Dictionary<string, object?>
            {
                ["id"] = corridor.Id,
                ["name"] = corridor.Opening.Name,
                ["from"] = corridor.Opening.From,
                ["to"] = corridor.Opening.To,
                ["status"] = StatusAt(corridor, ceasefire, temporal.At),
                ["opensAt"] = corridor.Opening.OpensAt,
                ["closesAt"] = corridor.EndsAt,
                ["ceasefireId"] = corridor.Opening.CeasefireId,
            }));
        }

        return TypedResults.Text(GeoJson.FeatureCollection(features), "application/geo+json");
    }

    public static CorridorStatus StatusAt(Corridor corridor, Ceasefire? ceasefire, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(corridor);
        return at < corridor.Opening.OpensAt ? CorridorStatus.Scheduled
            : corridor.EndsAt is { } ends && ends <= at ? CorridorStatus.Closed
            : ceasefire is null || !ceasefire.InEffectAt(at) ? CorridorStatus.Unprotected
            : CorridorStatus.Open;
    }

}
