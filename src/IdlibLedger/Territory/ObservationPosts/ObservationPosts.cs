using System.Collections.Frozen;
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

/// <summary>CorrectObservationPost: the establishment as it now reads, the wire names of the fields changed, and why.</summary>
public sealed record ObservationPostCorrected(Guid PostId, ObservationPostEstablished Post, IReadOnlyList<string> Fields, string Reason);

/// <summary>RetractObservationPost: it was recorded wrongly; it stays readable by id and leaves the list and the table.</summary>
public sealed record ObservationPostRetracted(Guid PostId, string Reason);

/// <summary>
/// An observation post's status: active (manned and reporting), encircled (surrounded by another actor's forces),
/// withdrawn (abandoned; terminal). <see cref="ObservationPostStates"/> says which change may follow which.
/// </summary>
[JsonConverter(typeof(WireEnumConverter<ObservationPostStatus>))]
public enum ObservationPostStatus
{
    [JsonStringEnumMemberName("active")] Active,
    [JsonStringEnumMemberName("encircled")] Encircled,
    [JsonStringEnumMemberName("withdrawn")] Withdrawn,
}

/// <summary>
/// The state machine of a post's status: active ⇄ encircled, and either → withdrawn, which is terminal (no status
/// change, no relocation). A change to the status the post already has is no transition.
/// </summary>
public static class ObservationPostStates
{
    private static readonly FrozenDictionary<ObservationPostStatus, ObservationPostStatus[]> Next = new Dictionary<ObservationPostStatus, ObservationPostStatus[]>
    {
        [ObservationPostStatus.Active] = [ObservationPostStatus.Encircled, ObservationPostStatus.Withdrawn],
        [ObservationPostStatus.Encircled] = [ObservationPostStatus.Active, ObservationPostStatus.Withdrawn],
        [ObservationPostStatus.Withdrawn] = [],
    }.ToFrozenDictionary();

    public static bool Allows(ObservationPostStatus from, ObservationPostStatus to) => Next[from].Contains(to);

    public static bool IsTerminal(ObservationPostStatus status) => Next[status].Length == 0;

    /// <summary>The statuses that may follow <paramref name="from"/>, by wire name.</summary>
    public static string Following(ObservationPostStatus from) =>
        Next[from].Length == 0 ? "none: it is terminal" : string.Join(", ", Next[from].Select(s => Wire.Name(s)));
}

/// <summary>
/// An observation post as known at <c>asOf</c>: where it stands and its status. Each event carries when it
/// happened (valid time); <see cref="AsAt"/> keeps only what had happened by <c>at</c>. A correction replaces the
/// establishment (name, operator, the point it was established at, when); relocations and status changes still apply after it.
/// </summary>
/// <param name="Id">The post's id.</param>
/// <param name="Operator">Who operates it.</param>
/// <param name="Name">Its name.</param>
/// <param name="Location">Where it stood at `at` (GeoJSON Point, lon/lat).</param>
/// <param name="Status">Its status at `at`.</param>
/// <param name="Since">Since when it had that status and place (UTC): the valid time of its latest change by `at`.</param>
/// <param name="EstablishedAt">When it was established (UTC).</param>
/// <param name="Version">Its stream's version as of `asOf`: send it as expectedVersion to correct or retract.</param>
public sealed record ObservationPost(Guid Id, string Operator, string Name, [property: GeoJson(GeometryKinds.Point)] JsonElement Location, ObservationPostStatus Status, DateTimeOffset Since, DateTimeOffset EstablishedAt, int Version) : IRevisable
{
    (string What, object Id) IRevisable.Named => ("observation post", Id);

    /// <summary>Whether it was retracted by `asOf` (a retracted post is readable by id only).</summary>
    public bool Retracted { get; init; }

    /// <summary>Why it was retracted, or null.</summary>
    public string? RetractionReason { get; init; }

    /// <summary>The client whose credentials established it; only it or an admin may correct or retract it.</summary>
    public string? RecordedBy { get; init; }

    /// <summary>Its revisions by `asOf`: established (`recorded`), `corrected` (with the fields), `retracted`, oldest first.</summary>
    public IReadOnlyList<Revision> History { get; init; } = [];

    /// <summary>The valid time of its latest status change (null: none); a status change may not be dated before it.</summary>
    [JsonIgnore]
    public DateTimeOffset? StatusChangedAt { get; init; }

    /// <summary>The valid time of its earliest relocation or status change (null: none); it was established before that.</summary>
    [JsonIgnore]
    public DateTimeOffset? FirstChangeAt { get; init; }

    /// <summary>Whether a relocation was recorded: then a correction of the establishment's point leaves its current place alone.</summary>
    [JsonIgnore]
    public bool Relocated { get; init; }

    /// <summary>The establishment as it now reads (after any correction), for the next correction to compare with.</summary>
    [JsonIgnore]
    public ObservationPostEstablished? Establishment { get; init; }

    public static ObservationPost Create(IEvent<ObservationPostEstablished> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return Established(e.Data) with
        {
            RecordedBy = e.UserName,
            History = [new Revision(1, "recorded", e.Timestamp, e.UserName ?? "", null, [])],
        };
    }

    private static ObservationPost Established(ObservationPostEstablished e) =>
        new(e.PostId, e.Operator, e.Name, e.Location, ObservationPostStatus.Active, e.OccurredAt, e.OccurredAt, 1) { Establishment = e };

    public ObservationPost Apply(ObservationPostRelocated e) =>
        this with { Location = e.Location, Since = e.OccurredAt, Version = Version + 1, Relocated = true, FirstChangeAt = Earliest(FirstChangeAt, e.OccurredAt) };

    public ObservationPost Apply(ObservationPostStatusChanged e) =>
        this with { Status = e.Status, Since = e.OccurredAt, Version = Version + 1, StatusChangedAt = e.OccurredAt, FirstChangeAt = Earliest(FirstChangeAt, e.OccurredAt) };

    public ObservationPost Apply(IEvent<ObservationPostCorrected> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var post = e.Data.Post;
        return this with
        {
            Operator = post.Operator,
            Name = post.Name,
            Location = Relocated ? Location : post.Location,
            EstablishedAt = post.OccurredAt,
            Since = FirstChangeAt is null ? post.OccurredAt : Since,
            Establishment = post,
            Version = Version + 1,
            History = [.. History, new Revision(Version + 1, "corrected", e.Timestamp, e.UserName ?? "", e.Data.Reason, e.Data.Fields)],
        };
    }

    public ObservationPost Apply(IEvent<ObservationPostRetracted> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return this with
        {
            Retracted = true,
            RetractionReason = e.Data.Reason,
            Version = Version + 1,
            History = [.. History, new Revision(Version + 1, "retracted", e.Timestamp, e.UserName ?? "", e.Data.Reason, [])],
        };
    }

    private static DateTimeOffset Earliest(DateTimeOffset? a, DateTimeOffset b) => a is { } first && first < b ? first : b;

    /// <summary>
    /// The post at valid time <paramref name="at"/> from its events (already cut at asOf): the establishment as last
    /// corrected, then its relocations and status changes up to <paramref name="at"/> in the order they happened;
    /// version, history and retraction as recorded. Null when it had not been established by <paramref name="at"/>.
    /// </summary>
    public static ObservationPost? AsAt(IEnumerable<IEvent> events, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(events);
        var recorded = events.OrderBy(e => e.Version).ToList();
        if (recorded.FirstOrDefault(e => e.Data is ObservationPostEstablished) is not IEvent<ObservationPostEstablished> first)
        {
            return null;
        }

        // Transaction time: what was recorded of the post, the establishment as last corrected.
        var record = Create(first);
        foreach (var e in recorded)
        {
            record = e switch
            {
                IEvent<ObservationPostCorrected> corrected => record.Apply(corrected),
                IEvent<ObservationPostRetracted> retracted => record.Apply(retracted),
                _ => record,
            };
        }

        var establishment = record.Establishment!;
        if (establishment.OccurredAt > at)
        {
            return null;
        }

        // Valid time: the changes that had happened by `at`, in the order they happened.
        var post = Established(establishment);
        foreach (var change in recorded.Select(e => e.Data).Select(d => (Data: d, When: OccurredAt(d))).Where(x => x.When <= at).OrderBy(x => x.When))
        {
            post = change.Data switch
            {
                ObservationPostRelocated relocated => post.Apply(relocated),
                ObservationPostStatusChanged changed => post.Apply(changed),
                _ => post,
            };
        }

        return post with
        {
            Version = (int)recorded[^1].Version,
            Retracted = record.Retracted,
            RetractionReason = record.RetractionReason,
            RecordedBy = record.RecordedBy,
            History = record.History,
        };
    }

    private static DateTimeOffset OccurredAt(object data) => data switch
    {
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

    /// <summary>Read one observation post</summary>
    /// <remarks>Where the post stood and its status at `at`, from its events as recorded by `asOf` (corrections included), with its version and history. A retracted post stays readable here (`retracted: true`). 404 when unknown then. Valid time is `at`, transaction time `asOf` (ISO 8601; default now).</remarks>
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
    /// <remarks>The posts at (`at`, `asOf`) as a GeoJSON FeatureCollection of points with id, name, operator, status and since, as corrected by `asOf`; retracted posts are left out. Valid time is `at`, transaction time `asOf` (ISO 8601; default now).</remarks>
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
                && e.EventTypesAre(
                    typeof(ObservationPostEstablished), typeof(ObservationPostRelocated), typeof(ObservationPostStatusChanged),
                    typeof(ObservationPostCorrected), typeof(ObservationPostRetracted)))
            .OrderBy(e => e.Sequence)
            .ToListAsync(cancellation);
        var features = new List<(Geometry, IReadOnlyDictionary<string, object?>)>();
        foreach (var stream in events.GroupBy(e => e.StreamId))
        {
            if (ObservationPost.AsAt(stream, temporal.At) is { Retracted: false } post)
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

/// <summary>ChangeObservationPostStatus: a class of its own, since its state check must not run before the other endpoints.</summary>
public static class ChangeObservationPostStatusEndpoint
{
    /// <summary>
    /// The state machine (<see cref="ObservationPostStates"/>): 409 naming the current and the requested status for a
    /// change it does not allow, and for a change dated before the post's latest one; 400 naming occurredAt for a
    /// change before the post was established.
    /// </summary>
    public static ProblemDetails Before(ChangeObservationPostStatus command, ObservationPost post, LedgerClock clock)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(post);
        ArgumentNullException.ThrowIfNull(clock);
        var requested = command.Status!.Value;
        var occurredAt = command.OccurredAt ?? clock.GetUtcNow();
        return post.Retracted ? LedgerProblems.Conflict($"observation post {post.Id} was retracted; it takes no further change")
            : !ObservationPostStates.Allows(post.Status, requested)
                ? LedgerProblems.Conflict(
                    $"observation post {post.Name} is {Wire.Name(post.Status)}; it cannot become {Wire.Name(requested)} (from {Wire.Name(post.Status)}: {ObservationPostStates.Following(post.Status)})")
            : post.StatusChangedAt is { } latest && occurredAt < latest
                ? LedgerProblems.Conflict($"observation post {post.Name} became {Wire.Name(post.Status)} at {latest:O}; a status change cannot be dated before that")
            : occurredAt < post.EstablishedAt
                ? LedgerProblems.Invalid("occurredAt", $"the post was established at {post.EstablishedAt:O}; a status change comes after that")
                : WolverineContinue.NoProblems;
    }

    /// <summary>Change an observation post's status</summary>
    /// <remarks>Records the post's new status from `occurredAt` on, as the state machine allows: active ⇄ encircled, either → withdrawn, which is terminal. 404 for an unknown post; 409 naming the current and the requested status when the change is not allowed, when it is dated before the post's latest status change, or for a retracted post. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>
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
}

/// <summary>RelocateObservationPost: a class of its own, since its state check must not run before the other endpoints.</summary>
public static class RelocateObservationPostEndpoint
{
    public static ProblemDetails Before(RelocateObservationPost command, ObservationPost post, LedgerClock clock)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(post);
        ArgumentNullException.ThrowIfNull(clock);
        return post.Retracted ? LedgerProblems.Conflict($"observation post {post.Id} was retracted; it takes no further change")
            : ObservationPostStates.IsTerminal(post.Status)
                ? LedgerProblems.Conflict($"observation post {post.Name} is {Wire.Name(post.Status)}, a terminal status; it cannot be relocated")
            : (command.OccurredAt ?? clock.GetUtcNow()) < post.EstablishedAt
                ? LedgerProblems.Invalid("occurredAt", $"the post was established at {post.EstablishedAt:O}; a relocation comes after that")
                : WolverineContinue.NoProblems;
    }

    /// <summary>Relocate an observation post</summary>
    /// <remarks>Moves a post to a new point from `occurredAt` on. 404 for an unknown post; 409 for a post in a terminal status (withdrawn) or retracted. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>
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
