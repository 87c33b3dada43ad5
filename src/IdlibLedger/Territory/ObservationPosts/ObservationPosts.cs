using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using IdlibLedger.Spatial;
using JasperFx.Events;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetTopologySuite.Geometries;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace IdlibLedger.Territory.ObservationPosts;

public sealed record ObservationPostEstablished(Guid PostId, string Operator, string Name, JsonElement Location, DateTimeOffset OccurredAt);

public sealed record ObservationPostRelocated(Guid PostId, JsonElement Location, DateTimeOffset OccurredAt, string Reason);

public sealed record ObservationPostStatusChanged(Guid PostId, ObservationPostStatus Status, DateTimeOffset OccurredAt, string Reason);

/// <summary>An observation post's status: active (manned and reporting), encircled (surrounded by another actor's forces), withdrawn (abandoned; it takes no further change).</summary>
[JsonConverter(typeof(WireEnumConverter<ObservationPostStatus>))]
public enum ObservationPostStatus
{
    [JsonStringEnumMemberName("active")] Active,
    [JsonStringEnumMemberName("encircled")] Encircled,
    [JsonStringEnumMemberName("withdrawn")] Withdrawn,
}

/// <summary>
/// An observation post as known at <c>asOf</c>: where it stands and its status. Each event carries when it
/// happened (valid time); <see cref="AsAt"/> keeps only what had happened by <c>at</c>.
/// </summary>
/// <param name="Id">The post's id.</param>
/// <param name="Operator">Who operates it.</param>
/// <param name="Name">Its name.</param>
/// <param name="Location">Where it stood at `at` (GeoJSON Point, lon/lat).</param>
/// <param name="Status">Its status at `at`.</param>
/// <param name="Since">Since when it had that status (UTC).</param>
/// <param name="EstablishedAt">When it was established (UTC).</param>
/// <param name="Version">Its stream's version.</param>
public sealed record ObservationPost(Guid Id, string Operator, string Name, [property: GeoJson(GeometryKinds.Point)] JsonElement Location, ObservationPostStatus Status, DateTimeOffset Since, DateTimeOffset EstablishedAt, int Version)
{
    public static ObservationPost Create(ObservationPostEstablished e) =>
        new(e.PostId, e.Operator, e.Name, e.Location, ObservationPostStatus.Active, e.OccurredAt, e.OccurredAt, 1);

    public ObservationPost Apply(ObservationPostRelocated e) => this with { Location = e.Location, Since = e.OccurredAt, Version = Version + 1 };

    public ObservationPost Apply(ObservationPostStatusChanged e) => this with { Status = e.Status, Since = e.OccurredAt, Version = Version + 1 };

    /// <summary>The post at valid time <paramref name="at"/> from its events (already cut at asOf), in the order they happened.</summary>
    public static ObservationPost? AsAt(IEnumerable<IEvent> events, DateTimeOffset at)
    {
        ObservationPost? post = null;
        foreach (var e in events.Select(e => e.Data).Select(d => (Data: d, When: OccurredAt(d))).Where(x => x.When <= at).OrderBy(x => x.When))
        {
            post = e.Data switch
            {
                ObservationPostEstablished established => Create(established),
                ObservationPostRelocated relocated when post is not null => post.Apply(relocated),
                ObservationPostStatusChanged changed when post is not null => post.Apply(changed),
                _ => post,
            };
        }

        return post;
    }

    private static DateTimeOffset OccurredAt(object data) => data switch
    {
        ObservationPostEstablished e => e.OccurredAt,
        ObservationPostRelocated e => e.OccurredAt,
        ObservationPostStatusChanged e => e.OccurredAt,
        _ => DateTimeOffset.MaxValue,
    };
}

/// <param name="Operator">Who operates it. Required; At most 200 characters.</param>
/// <param name="Name">Its name. Required; At most 200 characters.</param>
/// <param name="Location">A GeoJSON Point, [lon, lat] WGS 84. Required.</param>
/// <param name="EstablishedAt">When it was established; default now. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>
/// <param name="Id">Optional UUID (not all zeros) naming the new stream, so that a retry is recognised however late; without it the ledger picks a new UUIDv7.</param>
public sealed record EstablishObservationPost(string? Operator, string? Name, [property: GeoJson(GeometryKinds.Point)] JsonElement? Location, DateTimeOffset? EstablishedAt = null, Guid? Id = null)
{
    public sealed class Validator : AbstractValidator<EstablishObservationPost>
    {
        public Validator(GeometryLimits limits, LedgerClock clock)
        {
            RuleFor(c => c.Operator).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Name).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Location).NotNull().MustBeGeometry(GeometryKinds.Point, limits);
            RuleFor(c => c.EstablishedAt).Must(t => t is null || t <= clock.GetUtcNow()).WithMessage("establishedAt cannot be in the future");
            RuleFor(c => c.Id).NotEqual(Guid.Empty);
        }
    }
}

/// <param name="Location">The new GeoJSON Point, [lon, lat] WGS 84. Required.</param>
/// <param name="Reason">Why; Free text, at most 4000 characters.</param>
/// <param name="OccurredAt">When it moved; default now. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>
public sealed record RelocateObservationPost([property: GeoJson(GeometryKinds.Point)] JsonElement? Location, string? Reason, DateTimeOffset? OccurredAt = null)
{
    public sealed class Validator : AbstractValidator<RelocateObservationPost>
    {
        public Validator(GeometryLimits limits, LedgerClock clock)
        {
            RuleFor(c => c.Location).NotNull().MustBeGeometry(GeometryKinds.Point, limits);
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
            RuleFor(c => c.OccurredAt).Must(t => t is null || t <= clock.GetUtcNow()).WithMessage("occurredAt cannot be in the future");
        }
    }
}

/// <param name="Status">The new status. Required.</param>

/// <param name="Reason">Why; Free text, at most 4000 characters.</param>

/// <param name="OccurredAt">When; default now. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>

public sealed record ChangeObservationPostStatus(ObservationPostStatus? Status, string? Reason, DateTimeOffset? OccurredAt = null)
{
    public sealed class Validator : AbstractValidator<ChangeObservationPostStatus>
    {
        public Validator(LedgerClock clock)
        {
            // An unknown status never gets here: the JSON reader refuses it, listing the known ones.
            RuleFor(c => c.Status).NotNull();
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
            RuleFor(c => c.OccurredAt).Must(t => t is null || t <= clock.GetUtcNow()).WithMessage("occurredAt cannot be in the future");
        }
    }
}

public static class ObservationPostEndpoints
{
    /// <summary>Establish an observation post</summary>
    /// <remarks>Records a new post with its operator, name and location (a GeoJSON Point). 201 with Location /api/observation-posts/{id}; 200 with `alreadyRecorded: true` for a retry with the same `id`. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>
    [WolverinePost("/api/observation-posts", OperationId = "EstablishObservationPost")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<Receipt>(StatusCodes.Status201Created)]
    [ProducesResponseType<Receipt>(StatusCodes.Status200OK)]
    public static async Task<IResult> Post(
        EstablishObservationPost command, IDocumentSession session, GeometryLimits limits, LedgerClock clock, CancellationToken cancellation)
    {
        var start = await Streams.StartOnceAsync(session, command.Id, typeof(ObservationPost), id => Decision.Start(Decide(command, id, clock.GetUtcNow(), limits)), cancellation);
        return Receipt.Answer("/api/observation-posts", start);
    }

    public static ObservationPostEstablished Decide(EstablishObservationPost command, Guid id, DateTimeOffset now, GeometryLimits limits) =>
        new(id, command.Operator!.Trim(), command.Name!.Trim(), GeoJson.ToJson(GeometryFields.Checked(command.Location, GeometryKinds.Point, limits)), command.EstablishedAt ?? now);

    /// <summary>Change an observation post's status</summary>

    /// <remarks>Records the post's new status (manned, besieged, withdrawn …) from `occurredAt` on. 404 for an unknown post; 409 when the change is not allowed from its current status. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>

    [WolverinePost("/api/observation-posts/{id}/status", OperationId = "ChangeObservationPostStatus")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) ChangeStatus(
        ChangeObservationPostStatus command,
        [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] ObservationPost post,
        LedgerClock clock) =>
        (new Receipt(post.Id, post.Version + 1, false),
            [new ObservationPostStatusChanged(post.Id, command.Status!.Value, command.OccurredAt ?? clock.GetUtcNow(), command.Reason!.Trim())]);

    /// <summary>Read one observation post</summary>
    /// <remarks>Where the post stood and its status at `at`, from its events as recorded by `asOf`. 404 when unknown then. Valid time is `at`, transaction time `asOf` (ISO 8601; default now).</remarks>
    /// <param name="id">The observation post's id (UUID), as returned in the receipt and the Location header.</param>
    [WolverineGet("/api/observation-posts/{id}", OperationId = "GetObservationPost")]
    [ForViewers]
    [Tags("Territory")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<Results<Ok<ObservationPost>, ProblemHttpResult>> Get(
        Guid id, [AsParameters] TimeQuery time, IQuerySession session, LedgerClock clock, CancellationToken cancellation)
    {
        if (!time.TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        var events = await session.Events.FetchStreamAsync(id, timestamp: temporal.AsOf, token: cancellation);
        return ObservationPost.AsAt(events, temporal.At) is { } post
            ? TypedResults.Ok(post)
            : TypedResults.Problem(LedgerProblems.NotFound($"no observation post {id} stood at {temporal.At:O} as known at {temporal.AsOf:O}"));
    }

    /// <summary>List observation posts</summary>
    /// <remarks>The posts at (`at`, `asOf`) as a GeoJSON FeatureCollection of points with id, name, operator, status and since. Valid time is `at`, transaction time `asOf` (ISO 8601; default now).</remarks>
    [WolverineGet("/api/observation-posts", OperationId = "ListObservationPosts")]
    [ForViewers]
    [Tags("Territory")]
    [Produces("application/geo+json")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> List(
        [AsParameters] TimeQuery time, IQuerySession session, LedgerClock clock, CancellationToken cancellation)
    {
        if (!time.TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.Timestamp <= temporal.AsOf
                && e.EventTypesAre(typeof(ObservationPostEstablished), typeof(ObservationPostRelocated), typeof(ObservationPostStatusChanged)))
            .OrderBy(e => e.Sequence)
            .ToListAsync(cancellation);
        var features = new List<(Geometry, IReadOnlyDictionary<string, object?>)>();
        foreach (var stream in events.GroupBy(e => e.StreamId))
        {
            if (ObservationPost.AsAt(stream, temporal.At) is { } post)
            {
                features.Add((GeoJson.FromJson(post.Location), new Dictionary<string, object?>
                {
                    ["id"] = post.Id, ["name"] = post.Name, ["operator"] = post.Operator, ["status"] = post.Status, ["since"] = post.Since,
                }));
            }
        }

        return TypedResults.Text(GeoJson.FeatureCollection(features.OrderBy(f => (string)f.Item2["name"]!, StringComparer.Ordinal)), "application/geo+json");
    }
}

/// <summary>RelocateObservationPost: a class of its own, since its state check must not run before the other endpoints.</summary>
public static class RelocateObservationPostEndpoint
{
    public static ProblemDetails Before(RelocateObservationPost command, ObservationPost post) =>
        post.Status == ObservationPostStatus.Withdrawn ? LedgerProblems.Conflict($"observation post {post.Name} was withdrawn; it cannot be relocated") : WolverineContinue.NoProblems;

    /// <summary>Relocate an observation post</summary>

    /// <remarks>Moves a post to a new point from `occurredAt` on. 404 for an unknown post; 409 for a post that is withdrawn. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>

    [WolverinePost("/api/observation-posts/{id}/relocation", OperationId = "RelocateObservationPost")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Relocate(
        RelocateObservationPost command,
        [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] ObservationPost post,
        GeometryLimits limits, LedgerClock clock) =>
        (new Receipt(post.Id, post.Version + 1, false),
            [new ObservationPostRelocated(post.Id, GeoJson.ToJson(GeometryFields.Checked(command.Location, GeometryKinds.Point, limits)), command.OccurredAt ?? clock.GetUtcNow(), command.Reason!.Trim())]);
}
