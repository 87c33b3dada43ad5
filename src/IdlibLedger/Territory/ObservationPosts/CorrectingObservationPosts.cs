using System.Security.Claims;
using System.Text.Json;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using IdlibLedger.Spatial;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace IdlibLedger.Territory.ObservationPosts;

/// <summary>
/// CorrectObservationPost: replaces the fields it carries, named as in EstablishObservationPost, for a reason.
/// Fields left out or null stay as they were. <c>expectedVersion</c> is the version the corrector saw; a stale one is refused (409).
/// </summary>
/// <param name="ExpectedVersion">The version the corrector read (&gt; 0); 409 when it is not the current one.</param>
/// <param name="Reason">Why the post is corrected. Required; Free text, at most 4000 characters.</param>
/// <param name="Operator">Who operates it; absent or null keeps it. At most 200 characters.</param>
/// <param name="Name">Its name; absent or null keeps it. At most 200 characters.</param>
/// <param name="Location">Where it was established, a GeoJSON Point, [lon, lat] WGS 84; absent or null keeps it. Later relocations still apply.</param>
/// <param name="EstablishedAt">When it was established, not in the future and not after its first relocation or status change; absent or null keeps it. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>
public sealed record CorrectObservationPost(
    long ExpectedVersion, string? Reason, string? Operator = null, string? Name = null,
    [property: GeoJson(GeometryKinds.Point)] JsonElement? Location = null, DateTimeOffset? EstablishedAt = null)
{
    public sealed class Validator : AbstractValidator<CorrectObservationPost>
    {
        public Validator(GeometryLimits limits, LedgerClock clock)
        {
            RuleFor(c => c.ExpectedVersion).GreaterThan(0);
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
            RuleFor(c => c.Operator).NotEmpty().MaximumLength(Limits.Name).When(c => c.Operator is not null);
            RuleFor(c => c.Name).NotEmpty().MaximumLength(Limits.Name).When(c => c.Name is not null);
            RuleFor(c => c.Location).MustBeGeometry(GeometryKinds.Point, limits);
            RuleFor(c => c.EstablishedAt).Must(t => t is null || t <= clock.GetUtcNow()).WithMessage("establishedAt cannot be in the future");
            RuleFor(c => c)
                .Must(c => c.Operator is not null || c.Name is not null || c.Location is not null || c.EstablishedAt is not null)
                .OverridePropertyName("reason")
                .WithMessage("a correction changes at least one field of the observation post");
        }
    }

    /// <summary>The establishment as this correction makes it read, and the wire names of the fields that change.</summary>
    public (ObservationPostEstablished Corrected, IReadOnlyList<string> Fields) Apply(ObservationPostEstablished current, GeometryLimits limits)
    {
        ArgumentNullException.ThrowIfNull(current);
        var corrected = current with
        {
            Operator = Operator?.Trim() ?? current.Operator,
            Name = Name?.Trim() ?? current.Name,
            Location = Location is null ? current.Location : GeoJson.ToJson(GeometryFields.Checked(Location, GeometryKinds.Point, limits)),
            OccurredAt = EstablishedAt ?? current.OccurredAt,
        };
        var fields = new (string Name, object Was, object Now)[]
        {
            ("operator", current.Operator, corrected.Operator), ("name", current.Name, corrected.Name),
            ("location", current.Location.GetRawText(), corrected.Location.GetRawText()), ("establishedAt", current.OccurredAt, corrected.OccurredAt),
        };
        return (corrected, [.. fields.Where(f => !Equals(f.Was, f.Now)).Select(f => f.Name)]);
    }
}

public static class CorrectObservationPostEndpoint
{
    /// <summary>Who, which version, still open (<see cref="Revisions.Allow"/>); then the establishment before its first change, and that something changes.</summary>
    public static ProblemDetails Before(CorrectObservationPost command, ObservationPost post, ClaimsPrincipal user, GeometryLimits limits)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(post);
        if (Revisions.Allow(user, post, command.ExpectedVersion, "correct") is { } refused)
        {
            return refused;
        }

        var (corrected, fields) = command.Apply(post.Establishment!, limits);
        return post.FirstChangeAt is { } first && corrected.OccurredAt > first
                ? LedgerProblems.Invalid("establishedAt", $"the post's first relocation or status change is at {first:O}; it was established before that")
            : fields.Count == 0
                ? LedgerProblems.Invalid("reason", $"the correction changes nothing: every field it gives already has that value at version {post.Version}")
                : WolverineContinue.NoProblems;
    }

    /// <summary>Correct an observation post</summary>
    /// <remarks>Replaces the fields of its establishment given (operator, name, the point it was established at, establishedAt); the others stay, and its relocations and status changes still apply after it. Reads at an `asOf` before the correction show the post as it was. `expectedVersion` must be the current version (409 otherwise, or for a retracted post); only the client that established it or an admin may correct it (403). 404 for an unknown id. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>
    [WolverinePost("/api/observation-posts/{id}/corrections", OperationId = "CorrectObservationPost")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(
        CorrectObservationPost command, [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] ObservationPost post, GeometryLimits limits)
    {
        var (corrected, fields) = command.Apply(post.Establishment!, limits);
        return (new Receipt(post.Id, post.Version + 1, false), [new ObservationPostCorrected(post.Id, corrected, fields, command.Reason!.Trim())]);
    }
}

public static class RetractObservationPostEndpoint
{
    public static ProblemDetails Before(Retraction command, ObservationPost post, ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(post);
        return Revisions.Allow(user, post, command.ExpectedVersion, "retract")
            ?? WolverineContinue.NoProblems;
    }

    /// <summary>Retract an observation post</summary>
    /// <remarks>Withdraws a post recorded wrongly (not to be confused with the status `withdrawn`): it stays readable by id (`retracted: true`, with its history) but leaves `GET /api/observation-posts` and the `observation_posts` table from then on, and takes no further change; reads at an `asOf` before the retraction still show it. 403 unless the caller established it or is an admin; 404 for an unknown id; 409 for a stale `expectedVersion` or a post already retracted.</remarks>
    [WolverinePost("/api/observation-posts/{id}/retraction", OperationId = "RetractObservationPost")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(Retraction command, [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] ObservationPost post) =>
        (new Receipt(post.Id, post.Version + 1, false), [new ObservationPostRetracted(post.Id, command.Reason!.Trim())]);
}
