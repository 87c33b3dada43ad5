using System.Text.Json.Serialization;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using Marten;
using Marten.Events;
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
                .OverridePropertyName("value").WithMessage("give a value, or a range (low, high), not both");
            RuleFor(c => c.Value).GreaterThanOrEqualTo(0);
            RuleFor(c => c.Low).GreaterThanOrEqualTo(0);
            RuleFor(c => c.High).GreaterThanOrEqualTo(c => c.Low ?? 0).When(c => c.High is not null).WithMessage("high is not below low");
            RuleFor(c => c).Must(c => c.Value is not null || (c.Low is not null && c.High is not null))
                .OverridePropertyName("high").WithMessage("a range has both low and high");
            RuleFor(c => c.PeriodFrom).NotNull();
            RuleFor(c => c.PeriodUntil).NotNull().GreaterThanOrEqualTo(c => c.PeriodFrom).When(c => c.PeriodFrom is not null)
                .WithMessage("periodUntil is not before periodFrom");
            RuleFor(c => c.Area).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.ReportedBy).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.Id).NotEqual(Guid.Empty);
        }
    }

    public CasualtyFigureReported ToEvent(Guid id) =>
        new(id, Source!, Metric!.Value, Category!.Value, Qualifier!.Value, Value, Low, High, PeriodFrom!.Value, PeriodUntil!.Value, Area!.Trim(), ReportedBy!.Trim());
}

public static class CasualtyFigureEndpoints
{
    /// <summary>Report an aggregate casualty figure</summary>
    /// <remarks>Records a figure someone published ("at least 1,700 civilians killed in nine months"): a fact apart from the incident reports, never added to the totals, and never corrected or retracted. 201 with Location /api/casualty-figures/{id}; 200 with `alreadyRecorded: true` for a retry with the same `id`. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>
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

    /// <remarks>The figure as recorded by `asOf` (transaction time; default now). 404 when unknown or not yet recorded then.</remarks>

    /// <param name="id">The figure's id (UUID), as returned in the receipt and the Location header.</param>

    /// <param name="asOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>

    [WolverineGet("/api/casualty-figures/{id}", OperationId = "GetCasualtyFigure")]
    [ForViewers]
    [Tags("Casualties")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static Task<Results<Ok<RecordedFact<CasualtyFigureReported>>, ProblemHttpResult>> Get(
        Guid id, string? asOf, IQuerySession session, LedgerClock clock, CancellationToken cancellation) =>
        RecordedFacts.GetAsync<CasualtyFigureReported>(session, id, asOf, clock, "casualty figure", cancellation);

    /// <summary>The figures known at <c>asOf</c>, whose period had begun by <c>at</c> and meets [from, to] (both optional).</summary>
    public static async Task<IReadOnlyList<CasualtyFigureReported>> KnownAsync(
        IQuerySession session, DateTimeOffset at, DateTimeOffset asOf, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.EventTypesAre(typeof(CasualtyFigureReported)) && e.Timestamp <= asOf)
            .OrderBy(e => e.Sequence).ToListAsync(cancellation);
        return [.. events.Select(e => (CasualtyFigureReported)e.Data)
            .Where(f => f.PeriodFrom <= DateOnly.FromDateTime(at.UtcDateTime)
                     && (from is null || f.PeriodUntil >= DateOnly.FromDateTime(from.Value.UtcDateTime))
                     && (to is null || f.PeriodFrom <= DateOnly.FromDateTime(to.Value.UtcDateTime)))];
    }
}
