using System.Text.Json.Serialization;
using IdlibLedger.Access;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Attacks.Changes;

/// <summary>What made a version of an attack report: the four events of its stream, each of which adds one.</summary>
[JsonConverter(typeof(WireEnumConverter<AttackChangeKind>))]
public enum AttackChangeKind
{
    [JsonStringEnumMemberName("reported")] Reported,
    [JsonStringEnumMemberName("corrected")] Corrected,
    [JsonStringEnumMemberName("disputed")] Disputed,
    [JsonStringEnumMemberName("retracted")] Retracted,
}

/// <summary>One thing the ledger learnt about an attack: a version of its report, and the facts a page marks it by.</summary>
/// <param name="AttackId">The report's id.</param>
/// <param name="Version">The version this change made (1 is the report itself).</param>
/// <param name="Change">What made it: reported, corrected, disputed or retracted.</param>
/// <param name="RecordedAt">When the ledger recorded it (transaction time, UTC).</param>
/// <param name="RecordedBy">The client whose credentials recorded it, or null where the event carries none.</param>
/// <param name="Perpetrator">The perpetrator as this version has it.</param>
/// <param name="OccurredFrom">The start of this version's occurrence window (valid time, UTC).</param>
/// <param name="OccurredUntil">The end of this version's occurrence window (exclusive, UTC).</param>
/// <param name="Location">Where this version places the attack: a GeoJSON Point.</param>
public sealed record AttackChange(
    Guid AttackId, int Version, AttackChangeKind Change, DateTimeOffset RecordedAt, string? RecordedBy, string Perpetrator,
    DateTimeOffset OccurredFrom, DateTimeOffset OccurredUntil, GeoJsonPoint Location);

/// <summary>A page of the changes recorded in (`since`, `asOf`].</summary>
/// <param name="Items">The changes of this page, in recording order, then by attack id and version.</param>
/// <param name="Page">The page number, from 1.</param>
/// <param name="PageSize">Items per page.</param>
/// <param name="TotalItems">Changes recorded in (since, asOf], over all pages.</param>
/// <param name="TotalPages">Pages at this page size.</param>
/// <param name="Since">The transaction time the changes are after (UTC).</param>
/// <param name="AsOf">The transaction time the changes are up to, inclusive (UTC).</param>
public sealed record AttackChangeList(IReadOnlyList<AttackChange> Items, int Page, int PageSize, long TotalItems, long TotalPages, DateTimeOffset Since, DateTimeOffset AsOf);

/// <summary>The query string of <c>GET /api/attacks/changes</c>; texts are parsed by the endpoint, so that a refusal names the parameter.</summary>
/// <param name="Since">Transaction time the changes come after (exclusive), ISO 8601 (a date alone means the end of that day, UTC), as an asOf would be read. Required; not after `asOf`.</param>
/// <param name="AsOf">Transaction time the changes come up to (inclusive), ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
/// <param name="Page">The page number, from 1. Default 1.</param>
/// <param name="PageSize">Items per page. 1 to 500; default 50.</param>
public sealed record AttackChangesQuery(
    [FromQuery(Name = "since")] string? Since = null,
    [FromQuery(Name = "asOf")] string? AsOf = null,
    [FromQuery(Name = "page")] int? Page = null,
    [FromQuery(Name = "pageSize")] int? PageSize = null);

public static class ListAttackChangesEndpoint
{
    /// <summary>List what changed about attacks</summary>
    /// <remarks>What the ledger learnt about attacks between two transaction times: every version of every report recorded after `since` and by `asOf` (default now): reported, corrected, disputed or retracted, with who recorded it and the version's perpetrator, occurrence window and location, in recording order, a page at a time. Reading the attacks as of `since` and as of `asOf` differs by exactly these versions. `since` is required and not after `asOf`; an invalid parameter is 400 naming it.</remarks>
    [WolverineGet("/api/attacks/changes", OperationId = "ListAttackChanges")]
    [ForViewers]
    [Tags("Attacks")]
    [ProducesResponseType<AttackChangeList>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<Results<Ok<AttackChangeList>, ProblemHttpResult>> Get(
        [AsParameters] AttackChangesQuery query, TimelineQueries timeline, LedgerClock clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(timeline);
        var errors = new Dictionary<string, string[]>();
        var since = Temporal.ParseBound(query.Since, "since", endOfDay: true, errors);
        if (string.IsNullOrWhiteSpace(query.Since))
        {
            errors["since"] = ["since is required: the transaction time the changes come after, ISO 8601 (e.g. 2020-03-01)"];
        }

        var asOf = new TimeQuery(AsOf: query.AsOf).Parse(clock, errors).AsOf;
        if (since > asOf && !errors.ContainsKey("asOf"))
        {
            errors["since"] = [$"since ({since:O}) is after asOf ({asOf:O})"];
        }

        Paging.TryParse(query.Page, query.PageSize, errors, out var page, out var size);
        if (errors.Count > 0)
        {
            return QueryProblems.Invalid(errors);
        }

        var (rows, total) = await timeline.ChangesAsync(since!.Value, asOf, page, size, cancellation);
        var items = rows.Select(r => new AttackChange(
            r.AttackId, r.Version, Kind(r.Change), r.RecordedAt, r.RecordedBy, r.Perpetrator, r.OccurredFrom, r.OccurredUntil,
            GeoJsonPoint.At(r.Longitude, r.Latitude)));
        return TypedResults.Ok(new AttackChangeList([.. items], page, size, total, (total + size - 1) / size, since.Value, asOf));
    }

    /// <summary>The change a version's history entry names (<see cref="AttackReport"/>'s Create and Apply methods).</summary>
    private static AttackChangeKind Kind(string change) => change switch
    {
        "reported" => AttackChangeKind.Reported,
        "corrected" => AttackChangeKind.Corrected,
        "disputed" => AttackChangeKind.Disputed,
        "retracted" => AttackChangeKind.Retracted,
        _ => throw new InvalidOperationException($"an attack version made by '{change}', which no event of an attack's stream makes"),
    };
}
