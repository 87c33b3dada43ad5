using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using IdlibLedger.Spatial;
using IdlibLedger.Territory;
using JasperFx.Events;
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

/// <summary>CorrectCorridor: the corridor as it now reads (with the ceasefire that covers its corrected route), the wire names of the fields changed, and why.</summary>
public sealed record CorridorCorrected(Guid CorridorId, CorridorOpened Corridor, IReadOnlyList<string> Fields, string Reason);

/// <summary>RetractCorridor: it was recorded wrongly; it stays readable by id and leaves the list.</summary>
public sealed record CorridorRetracted(Guid CorridorId, string Reason);

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

/// <summary>A humanitarian corridor (as last corrected), the ceasefire that covered its route when it opened, and its revisions.</summary>
public sealed record Corridor(Guid Id, int Version, CorridorOpened Opening, DateTimeOffset? ClosedAt, string? ClosureReason) : IRevisable
{
    (string What, object Id) IRevisable.Named => ("corridor", Id);

    /// <summary>The client whose credentials opened it: only it or an admin may correct or retract it.</summary>
    public string? RecordedBy { get; init; }

    public bool Retracted { get; init; }

    public string? RetractionReason { get; init; }

    /// <summary>Opened, corrected, retracted: the revisions, oldest first (a closure is not a revision).</summary>
    public IReadOnlyList<Revision> History { get; init; } = [];

    public static Corridor Create(IEvent<CorridorOpened> e) => new(e.Data.CorridorId, 1, e.Data, null, null)
    {
        RecordedBy = e.UserName,
        History = [new Revision(1, "recorded", e.Timestamp, e.UserName ?? "", null, [])],
    };

    public Corridor Apply(CorridorClosed e) => this with { Version = Version + 1, ClosedAt = e.ClosedAt, ClosureReason = e.Reason };

    public Corridor Apply(IEvent<CorridorCorrected> e) => this with
    {
        Version = Version + 1,
        Opening = e.Data.Corridor,
        History = [.. History, new Revision(Version + 1, "corrected", e.Timestamp, e.UserName ?? "", e.Data.Reason, e.Data.Fields)],
    };

    public Corridor Apply(IEvent<CorridorRetracted> e) => this with
    {
        Version = Version + 1,
        Retracted = true,
        RetractionReason = e.Data.Reason,
        History = [.. History, new Revision(Version + 1, "retracted", e.Timestamp, e.UserName ?? "", e.Data.Reason, [])],
    };

    public DateTimeOffset? EndsAt => ClosedAt is { } closed && (Opening.ClosesAt is null || closed < Opening.ClosesAt) ? closed : Opening.ClosesAt;
}

/// <summary>The seed's rule, asked of the <c>ceasefires</c> table as the ledger holds it now: which ceasefire in effect at the opening covers the whole route.</summary>
public static class CoveringCeasefire
{
    /// <summary>The newest ceasefire in effect at <paramref name="opensAt"/> whose area covers <paramref name="route"/>, or null.</summary>
    public static async Task<Guid?> FindAsync(NpgsqlDataSource database, IDocumentStore store, JsonElement route, DateTimeOffset opensAt, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(store);
        await using var find = database.CreateCommand(
            $"select ceasefire_id from {store.Options.DatabaseSchemaName}.{CeasefireTable.Name} " +
            "where effective_from <= @opens and (effective_until is null or effective_until > @opens) " +
            "and (collapsed_at is null or collapsed_at > @opens) and ST_Covers(area, ST_GeomFromGeoJSON(@route)) " +
            "order by effective_from desc, ceasefire_id limit 1");
        find.Parameters.AddWithValue("opens", opensAt);
        find.Parameters.AddWithValue("route", route.GetRawText());
        return await find.ExecuteScalarAsync(cancellation) as Guid?;
    }

    public static ProblemDetails None(DateTimeOffset opensAt) =>
        LedgerProblems.Conflict($"no ceasefire in effect at {opensAt:O} covers the whole route; a humanitarian corridor cannot open without one");
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
        if (await CoveringCeasefire.FindAsync(database, store, route, command.OpensAt!.Value, cancellation) is not { } ceasefire)
        {
            return Decision.Refuse(CoveringCeasefire.None(command.OpensAt.Value));
        }

        return Decision.Start(new CorridorOpened(
            id, command.Name!.Trim(), route, command.From, command.To, command.OpensAt.Value, command.ClosesAt, ceasefire));
    }
}

public static class CloseCorridorEndpoint
{
    public static ProblemDetails Before(CloseCorridor command, Corridor corridor, LedgerClock clock)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(corridor);
        ArgumentNullException.ThrowIfNull(clock);
        var closedAt = command.ClosedAt ?? clock.GetUtcNow();
        return corridor.Retracted ? LedgerProblems.Conflict($"corridor {corridor.Id} was retracted; it cannot be closed")
            : corridor.ClosedAt is not null ? LedgerProblems.Conflict($"corridor {corridor.Id} is already closed")
            : closedAt < corridor.Opening.OpensAt
                ? LedgerProblems.Invalid("closedAt", $"closedAt ({closedAt:O}{(command.ClosedAt is null ? ", now" : "")}) comes before the corridor opens at {corridor.Opening.OpensAt:O}")
                : WolverineContinue.NoProblems;
    }

    /// <summary>Close a corridor</summary>

    /// <remarks>The corridor closed, from `closedAt` (default now), which is not before it opens (400 naming `closedAt`). 404 for an unknown corridor; 409 when it is already closed or was retracted. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>

    [WolverinePost("/api/corridors/{id}/closure", OperationId = "CloseCorridor")]
    [ForAnalysts]
    [Tags("Ceasefires")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(CloseCorridor command, [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] Corridor corridor, LedgerClock clock) =>
        (new Receipt(corridor.Id, corridor.Version + 1, false), [new CorridorClosed(corridor.Id, command.ClosedAt ?? clock.GetUtcNow(), command.Reason!.Trim())]);
}

/// <summary>A corridor at (`at`, `asOf`): what was recorded of it by `asOf`, and its status at `at`.</summary>
/// <param name="Id">The corridor's id.</param>
/// <param name="Version">The stream's version as of `asOf`: send it as expectedVersion to correct or retract.</param>
/// <param name="Name">Its name.</param>
/// <param name="Route">Its route, a GeoJSON LineString (lon/lat).</param>
/// <param name="From">Where it starts, or null.</param>
/// <param name="To">Where it leads, or null.</param>
/// <param name="OpensAt">When it opens (UTC).</param>
/// <param name="ClosesAt">When it was planned to close (UTC), or null.</param>
/// <param name="ClosedAt">When it was closed (UTC, CloseCorridor), or null.</param>
/// <param name="ClosureReason">Why it was closed, or null.</param>
/// <param name="CeasefireId">The ceasefire that covered its route at its opening.</param>
/// <param name="Status">Where it stands at `at`.</param>
/// <param name="Retracted">Whether it was retracted by `asOf`.</param>
/// <param name="RetractionReason">Why it was retracted, or null.</param>
/// <param name="RecordedBy">The client whose credentials opened it; only it or an admin may correct or retract it.</param>
/// <param name="History">Its revisions by `asOf`: opened (`recorded`), `corrected` (with the fields), `retracted`, oldest first.</param>
/// <param name="At">Valid time the answer describes (UTC).</param>
/// <param name="AsOf">Transaction time the answer describes: what the ledger had recorded by then (UTC).</param>
public sealed record CorridorDetails(
    Guid Id, int Version, string Name, [property: GeoJson(GeometryKinds.LineString)] JsonElement Route, string? From, string? To,
    DateTimeOffset OpensAt, DateTimeOffset? ClosesAt, DateTimeOffset? ClosedAt, string? ClosureReason, Guid CeasefireId, CorridorStatus Status,
    bool Retracted, string? RetractionReason, string? RecordedBy, IReadOnlyList<Revision> History, DateTimeOffset At, DateTimeOffset AsOf);

public static class CorridorReads
{
    /// <summary>List corridors</summary>
    /// <remarks>Corridors at (`at`, `asOf`) as GeoJSON lines, as corrected by `asOf` and without the retracted ones: scheduled, open, closed, or unprotected (open while the ceasefire that covered it has collapsed, expired or been retracted). Valid time is `at`, transaction time `asOf` (ISO 8601; default now).</remarks>
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
            if (corridor is null or { Retracted: true })
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

    /// <summary>Read one corridor</summary>
    /// <remarks>The corridor as recorded by `asOf` (corrections included), its status at `at`, its version (to send as `expectedVersion`) and history. A retracted corridor stays readable here (`retracted: true`). 404 when no corridor with that id had been opened by `asOf`. Valid time is `at`, transaction time `asOf` (ISO 8601; default now).</remarks>
    /// <param name="id">The corridor's id (UUID), as returned in the receipt and the Location header.</param>
    [WolverineGet("/api/corridors/{id}", OperationId = "GetCorridor")]
    [ForViewers]
    [Tags("Ceasefires")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<Results<Ok<CorridorDetails>, ProblemHttpResult>> Get(
        Guid id, [AsParameters] TimeQuery time, IQuerySession session, LedgerClock clock, CancellationToken cancellation)
    {
        if (!time.TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        var corridor = await session.Events.AggregateStreamAsync<Corridor>(id, timestamp: temporal.AsOf, token: cancellation);
        if (corridor is null)
        {
            return TypedResults.Problem(LedgerProblems.NotFound($"no corridor {id} was opened as of {temporal.AsOf:O}"));
        }

        var ceasefire = await session.Events.AggregateStreamAsync<Ceasefire>(corridor.Opening.CeasefireId, timestamp: temporal.AsOf, token: cancellation);
        var opening = corridor.Opening;
        return TypedResults.Ok(new CorridorDetails(
            corridor.Id, corridor.Version, opening.Name, opening.Route, opening.From, opening.To, opening.OpensAt, opening.ClosesAt,
            corridor.ClosedAt, corridor.ClosureReason, opening.CeasefireId, StatusAt(corridor, ceasefire, temporal.At),
            corridor.Retracted, corridor.RetractionReason, corridor.RecordedBy, corridor.History, temporal.At, temporal.AsOf));
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
