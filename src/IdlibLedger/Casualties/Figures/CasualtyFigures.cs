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
