using System.Text.Json.Serialization;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using Marten;
using Marten.Events;
using JasperFx.Events;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Casualties.Figures;

/// <summary>
/// An aggregate figure, a separate fact from incident reports (docs/domain.md, "Aggregate figures"): "UN: at least 1,700
/// civilians killed … in nine months". Shown beside incident sums, never added to them.
/// </summary>
/// <param name="FigureId">The figure's id.</param>
/// <param name="Source">Who published it.</param>
/// <param name="Metric">What it counts.</param>
/// <param name="Category">Whom it counts.</param>
/// <param name="Qualifier">How the number is qualified.</param>
/// <param name="Value">The number, when one was given.</param>
/// <param name="Low">Low end of a range, or null.</param>
/// <param name="High">High end of a range, or null.</param>
/// <param name="PeriodFrom">First day of the period it covers.</param>
/// <param name="PeriodUntil">Last day of the period it covers.</param>
/// <param name="Area">The area it covers, as free text.</param>
/// <param name="ReportedBy">Who reported it to the ledger.</param>
public sealed record CasualtyFigureReported(
    Guid FigureId, Source Source, FigureMetric Metric, FigureCategory Category, FigureQualifier Qualifier, long? Value, long? Low, long? High,
    DateOnly PeriodFrom, DateOnly PeriodUntil, string Area, string ReportedBy);

/// <summary>A correction of a figure: the figure as it now reads, the wire names of the fields that changed, and why.</summary>
/// <param name="FigureId">The figure's id.</param>
/// <param name="Figure">The whole figure after the correction.</param>
/// <param name="Fields">The fields the correction changed, named as in the command.</param>
/// <param name="Reason">Why it was corrected.</param>
public sealed record CasualtyFigureCorrected(Guid FigureId, CasualtyFigureReported Figure, IReadOnlyList<string> Fields, string Reason);

/// <summary>A retraction of a figure: it stays readable by id and leaves the totals' <c>figures</c>.</summary>
/// <param name="FigureId">The figure's id.</param>
/// <param name="Reason">Why it was retracted.</param>
public sealed record CasualtyFigureRetracted(Guid FigureId, string Reason);

/// <summary>
/// An aggregate figure as the ledger knows it at <c>asOf</c>: the write model of its correction and retraction, the
/// answer of <c>GET /api/casualty-figures/{id}</c>, and what the totals' <c>figures</c> list.
/// </summary>
/// <param name="Id">The figure's id.</param>
/// <param name="Version">The stream's version: send it as expectedVersion to correct or retract the figure.</param>
/// <param name="Fact">The figure as reported and corrected.</param>
/// <param name="RecordedAt">When the ledger first recorded it (transaction time, UTC).</param>
/// <param name="Retracted">Whether it was retracted.</param>
/// <param name="RetractionReason">Why it was retracted, or null.</param>
/// <param name="History">Every revision: recorded, corrected, retracted, oldest first.</param>
/// <param name="RecordedBy">The client whose credentials recorded it; only it or an admin may revise it.</param>
public sealed record CasualtyFigure(
    Guid Id, int Version, CasualtyFigureReported Fact, DateTimeOffset RecordedAt, bool Retracted, string? RetractionReason,
    IReadOnlyList<Revision> History, string? RecordedBy) : IRevisable
{
    (string What, object Id) IRevisable.Named => ("casualty figure", Id);

    public static CasualtyFigure Create(IEvent<CasualtyFigureReported> e) => new(
        e.Data.FigureId, 1, e.Data, e.Timestamp, false, null, [new Revision(1, "recorded", e.Timestamp, e.UserName ?? "unknown", null, [])], e.UserName);

    public CasualtyFigure Apply(IEvent<CasualtyFigureCorrected> e) => this with
    {
        Version = Version + 1,
        Fact = e.Data.Figure,
        History = [.. History, new Revision(Version + 1, "corrected", e.Timestamp, e.UserName ?? "unknown", e.Data.Reason, e.Data.Fields)],
    };

    public CasualtyFigure Apply(IEvent<CasualtyFigureRetracted> e) => this with
    {
        Version = Version + 1,
        Retracted = true,
        RetractionReason = e.Data.Reason,
        History = [.. History, new Revision(Version + 1, "retracted", e.Timestamp, e.UserName ?? "unknown", e.Data.Reason, [])],
    };

    /// <summary>The figure's events in stream order, folded; null when the first is not a figure's.</summary>
    public static CasualtyFigure? Fold(IEnumerable<IEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        CasualtyFigure? figure = null;
        foreach (var e in events)
        {
            figure = e switch
            {
                IEvent<CasualtyFigureReported> reported when figure is null => Create(reported),
                IEvent<CasualtyFigureCorrected> corrected when figure is not null => figure.Apply(corrected),
                IEvent<CasualtyFigureRetracted> retracted when figure is not null => figure.Apply(retracted),
                _ => figure,
            };
        }

        return figure;
    }
}

/// <summary>A figure as known at <c>asOf</c>.</summary>
/// <param name="Id">The figure's id.</param>
/// <param name="Fact">The figure as reported and corrected by `asOf`.</param>
/// <param name="RecordedAt">When the ledger first recorded it (transaction time, UTC).</param>
/// <param name="AsOf">Transaction time the answer describes: what the ledger had recorded by then (UTC).</param>
/// <param name="Version">The stream's version at `asOf`: send the current one as expectedVersion to correct or retract the figure.</param>
/// <param name="Retracted">Whether it was retracted by `asOf`.</param>
/// <param name="RetractionReason">Why it was retracted, or null.</param>
/// <param name="History">Every revision by `asOf`: recorded, corrected, retracted, oldest first.</param>
/// <param name="RecordedBy">The client whose credentials recorded it; only it or an admin may revise it.</param>
public sealed record CasualtyFigureDetails(
    Guid Id, CasualtyFigureReported Fact, DateTimeOffset RecordedAt, DateTimeOffset AsOf,
    int Version, bool Retracted, string? RetractionReason, IReadOnlyList<Revision> History, string? RecordedBy);

/// <summary>What a figure counts.</summary>
[JsonConverter(typeof(WireEnumConverter<FigureMetric>))]
public enum FigureMetric
{
    [JsonStringEnumMemberName("killed")] Killed,
    [JsonStringEnumMemberName("injured")] Injured,
    [JsonStringEnumMemberName("displaced")] Displaced,
}

/// <summary>Whom a figure counts: one casualty category, or everyone.</summary>
[JsonConverter(typeof(WireEnumConverter<FigureCategory>))]
public enum FigureCategory
{
    [JsonStringEnumMemberName("civilian")] Civilian,
    [JsonStringEnumMemberName("military")] Military,
    [JsonStringEnumMemberName("unknown")] Unknown,
    [JsonStringEnumMemberName("all")] All,
}

/// <summary>How the source qualifies its number: "at least 1,700".</summary>
[JsonConverter(typeof(WireEnumConverter<FigureQualifier>))]
public enum FigureQualifier
{
    [JsonStringEnumMemberName("exactly")] Exactly,
    [JsonStringEnumMemberName("at-least")] AtLeast,
    [JsonStringEnumMemberName("about")] About,
    [JsonStringEnumMemberName("up-to")] UpTo,
}

/// <summary>An aggregate casualty figure someone published.</summary>

/// <param name="Source">Who published it: one source. Required.</param>

/// <param name="Metric">What it counts. Required.</param>

/// <param name="Qualifier">How the number is qualified ("nearly 900,000" is up-to). Required.</param>

/// <param name="PeriodFrom">First day of the period (YYYY-MM-DD). Required.</param>

/// <param name="PeriodUntil">Last day of the period, not before periodFrom. Required.</param>

/// <param name="Area">The area it covers, free text (not a region); At most 200 characters. Required.</param>

/// <param name="ReportedBy">Who reports it (a desk or person); at most 200 characters, trimmed. Required.</param>

/// <param name="Category">Whom it counts; default civilian.</param>

/// <param name="Value">The number (whole, ≥ 0); or give low and high.</param>

/// <param name="Low">Low end of a range, with high; 0 ≤ low ≤ high.</param>

/// <param name="High">High end of a range, with low.</param>

/// <param name="Id">Optional UUID (not all zeros) naming the new stream, so that a retry is recognised however late; without it the ledger picks a new UUIDv7.</param>

public sealed record ReportCasualtyFigure(
    Source? Source, FigureMetric? Metric, FigureQualifier? Qualifier, DateOnly? PeriodFrom, DateOnly? PeriodUntil, string? Area, string? ReportedBy,
    FigureCategory? Category = FigureCategory.Civilian, long? Value = null, long? Low = null, long? High = null, Guid? Id = null)
{
    public sealed class Validator : AbstractValidator<ReportCasualtyFigure>
    {
        public Validator(LedgerClock clock)
        {
            RuleFor(c => c.Source).NotNull().SetValidator(new Source.Validator(clock)!);
            // An unknown value never gets here: the JSON reader refuses it, listing the known ones.
            RuleFor(c => c.Metric).NotNull();
            RuleFor(c => c.Qualifier).NotNull();
            RuleFor(c => c.Category).NotNull();
            RuleFor(c => c).Must(c => (c.Value is not null) != (c.Low is not null || c.High is not null))
                .OverridePropertyName("value").WithMessage(FigureRules.ValueOrRange);
            RuleFor(c => c.Value).GreaterThanOrEqualTo(0);
            RuleFor(c => c.Low).GreaterThanOrEqualTo(0);
            RuleFor(c => c.High).GreaterThanOrEqualTo(c => c.Low ?? 0).When(c => c.High is not null).WithMessage(FigureRules.HighNotBelowLow);
            RuleFor(c => c).Must(c => c.Value is not null || (c.Low is not null && c.High is not null))
                .OverridePropertyName("high").WithMessage(FigureRules.BothEnds);
            RuleFor(c => c.PeriodFrom).NotNull();
            RuleFor(c => c.PeriodUntil).NotNull().GreaterThanOrEqualTo(c => c.PeriodFrom).When(c => c.PeriodFrom is not null)
                .WithMessage(FigureRules.PeriodInOrder);
            RuleFor(c => c.Area).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.ReportedBy).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Id).NotEqual(Guid.Empty);
        }
    }

    public CasualtyFigureReported ToEvent(Guid id) =>
        new(id, Source!, Metric!.Value, Category!.Value, Qualifier!.Value, Value, Low, High, PeriodFrom!.Value, PeriodUntil!.Value, Area!.Trim(), ReportedBy!.Trim());
}

/// <summary>The rules a figure keeps as a whole, when reported and after a correction.</summary>
public static class FigureRules
{
    public const string ValueOrRange = "give a value, or a range (low, high), not both";

    public const string BothEnds = "a range has both low and high";

    public const string HighNotBelowLow = "high is not below low";

    public const string PeriodInOrder = "periodUntil is not before periodFrom";

    /// <summary>What is wrong with <paramref name="figure"/> as a whole, by field; empty when nothing is.</summary>
    public static Dictionary<string, string[]> Check(CasualtyFigureReported figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        var errors = new Dictionary<string, string[]>();
        if (figure.Value is null && (figure.Low is null || figure.High is null))
        {
            errors["high"] = [BothEnds];
        }
        else if (figure.Low > figure.High)
        {
            errors["high"] = [HighNotBelowLow];
        }

        if (figure.PeriodUntil < figure.PeriodFrom)
        {
            errors["periodUntil"] = [PeriodInOrder];
        }

        return errors;
    }
}

public static class CasualtyFigureEndpoints
{
    /// <summary>Report an aggregate casualty figure</summary>
    /// <remarks>Records a figure someone published ("at least 1,700 civilians killed in nine months"): a fact apart from the incident reports, never added to the totals; it can be corrected or retracted later. 201 with Location /api/casualty-figures/{id}; 200 with `alreadyRecorded: true` for a retry with the same `id`. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>
    [WolverinePost("/api/casualty-figures", OperationId = "ReportCasualtyFigure")]
    [ForReporters]
    [Tags("Casualties")]
    [ProducesResponseType<Receipt>(StatusCodes.Status201Created)]
    [ProducesResponseType<Receipt>(StatusCodes.Status200OK)]
    public static async Task<IResult> Post(
        ReportCasualtyFigure command, IDocumentSession session, CancellationToken cancellation)
    {
        var start = await Streams.StartOnceAsync(session, command.Id, null, id => Decision.Start(command.ToEvent(id)), cancellation);
        return Receipt.Answer("/api/casualty-figures", start);
    }

    /// <summary>Read one aggregate casualty figure</summary>

    /// <remarks>The figure as recorded and corrected by `asOf` (transaction time; default now), with its version and history. A retracted figure stays readable, with `retracted: true`. 404 when unknown or not yet recorded then.</remarks>

    /// <param name="id">The figure's id (UUID), as returned in the receipt and the Location header.</param>

    /// <param name="asOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>

    [WolverineGet("/api/casualty-figures/{id}", OperationId = "GetCasualtyFigure")]
    [ForViewers]
    [Tags("Casualties")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<Results<Ok<CasualtyFigureDetails>, ProblemHttpResult>> Get(
        Guid id, string? asOf, IQuerySession session, LedgerClock clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (!new TimeQuery(AsOf: asOf).TryParse(clock, out var temporal, out var problem))
        {
            return problem;
        }

        var events = await session.Events.FetchStreamAsync(id, timestamp: temporal.AsOf, token: cancellation);
        return CasualtyFigure.Fold(events) is { } figure
            ? TypedResults.Ok(new CasualtyFigureDetails(
                figure.Id, figure.Fact, figure.RecordedAt, temporal.AsOf, figure.Version, figure.Retracted, figure.RetractionReason, figure.History, figure.RecordedBy))
            : TypedResults.Problem(LedgerProblems.NotFound($"no casualty figure {id} was recorded as of {temporal.AsOf:O}"));
    }

    /// <summary>
    /// The figures known at <c>asOf</c>, as corrected by then and not retracted, whose period had begun by <c>at</c> and
    /// meets [from, to] (both optional), in the order they were first recorded.
    /// </summary>
    public static async Task<IReadOnlyList<CasualtyFigureReported>> KnownAsync(
        IQuerySession session, DateTimeOffset at, DateTimeOffset asOf, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.EventTypesAre(typeof(CasualtyFigureReported), typeof(CasualtyFigureCorrected), typeof(CasualtyFigureRetracted)) && e.Timestamp <= asOf)
            .OrderBy(e => e.Sequence).ToListAsync(cancellation);
        return [.. events.GroupBy(e => e.StreamId)
            .Select(stream => CasualtyFigure.Fold(stream))
            .Where(figure => figure is { Retracted: false })
            .Select(figure => figure!.Fact)
            .Where(f => f.PeriodFrom <= DateOnly.FromDateTime(at.UtcDateTime)
                     && (from is null || f.PeriodUntil >= DateOnly.FromDateTime(from.Value.UtcDateTime))
                     && (to is null || f.PeriodFrom <= DateOnly.FromDateTime(to.Value.UtcDateTime)))];
    }
}
