using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using IdlibLedger.Spatial;
using IdlibLedger.Territory.Agreements;
using IdlibLedger.Territory.Negotiations;
using IdlibLedger.Territory.ObservationPosts;
using IdlibLedger.Territory.Regions;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Territory.Proposals;

/// <summary>
/// ProposeMap: a proposer tables a map to some parties — the control areas it would give each actor, lines,
/// observation-post relocations — against a baseline agreement, possibly at a negotiation round.
/// </summary>
/// <param name="Proposer">Who tables it. Required; At most 200 characters.</param>
/// <param name="AddressedTo">The parties asked to answer; at least one.</param>
/// <param name="Areas">The areas per actor; at least one.</param>
/// <param name="BaselineAgreementId">The agreement it departs from; optional.</param>
/// <param name="NegotiationRoundId">The round it is tabled in; optional.</param>
/// <param name="Region">The region it divides (id, p-code or name).</param>
/// <param name="Lines">Its lines; optional.</param>
/// <param name="Relocations">Post relocations; optional.</param>
/// <param name="TabledAt">When; default now. ISO 8601; a date alone is midnight UTC, a date-time without offset is UTC.</param>
/// <param name="Summary">Its summary; Free text, at most 4000 characters.</param>
/// <param name="Id">Optional UUID (not all zeros) naming the new stream, so that a retry is recognised however late; without it the ledger picks a new UUIDv7.</param>
public sealed record ProposeMap(
    string? Proposer, IReadOnlyList<string>? AddressedTo, IReadOnlyList<ProposedArea>? Areas,
    Guid? BaselineAgreementId = null, Guid? NegotiationRoundId = null, string? Region = null,
    IReadOnlyList<ProposedLine>? Lines = null, IReadOnlyList<PostRelocation>? Relocations = null,
    DateTimeOffset? TabledAt = null, string? Summary = null, Guid? Id = null)
{
    public sealed class Validator : AbstractValidator<ProposeMap>
    {
        public Validator(GeometryLimits limits, LedgerClock clock)
        {
            RuleFor(c => c.Proposer).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c.AddressedTo).NotEmpty().WithMessage("a proposal is addressed to at least one party");
            RuleForEach(c => c.AddressedTo).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(c => c).Must(c => c.AddressedTo is null || c.Proposer is null || !c.AddressedTo.Any(p => Parties.Same(p, c.Proposer)))
                .OverridePropertyName("addressedTo").WithMessage("the proposer does not address a proposal to itself");
            RuleFor(c => c.AddressedTo).Must(Parties.NoneTwice)
                .WithMessage("each party is addressed once (names are compared without regard to case)");
            RuleFor(c => c.Areas).NotEmpty().WithMessage("a map proposal gives at least one area to an actor");
            RuleForEach(c => c.Areas).NotNull().ChildRules(area =>
            {
                area.RuleFor(a => a.Actor).NotEmpty().MaximumLength(Limits.Name);
                area.RuleFor(a => a.Area).NotNull().MustBeGeometry(GeometryKinds.Areas, limits);
            });
            RuleForEach(c => c.Lines).NotNull().ChildRules(line =>
            {
                line.RuleFor(l => l.Name).NotEmpty().MaximumLength(Limits.Name);
                line.RuleFor(l => l.Line).NotNull().MustBeGeometry(GeometryKinds.Lines, limits);
            });
            RuleForEach(c => c.Relocations).NotNull().ChildRules(move =>
            {
                move.RuleFor(m => m.PostId).NotNull();
                move.RuleFor(m => m.To).NotNull().MustBeGeometry(GeometryKinds.Point, limits);
            });
            RuleFor(c => c.TabledAt).Must(t => t is null || t <= clock.GetUtcNow()).WithMessage("tabledAt cannot be in the future");
            RuleFor(c => c.Summary).MaximumLength(Limits.Text);
            RuleFor(c => c.Region).MaximumLength(Limits.RegionId);
            RuleFor(c => c.Id).NotEqual(Guid.Empty);
        }
    }
}

public static class ProposeMapEndpoint
{
    /// <summary>References must name what the ledger holds: the baseline, the round, the posts.</summary>
    public static async Task<ProblemDetails> Before(ProposeMap command, IQuerySession session, RegionLookup regions, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(regions);
        var errors = new Dictionary<string, string[]>();
        if (command.Region is { } region && await regions.FindAsync(region, cancellation) is null)
        {
            errors["region"] = [$"no region '{region}'; GET /api/regions lists them"];
        }

        // A retracted agreement or round counts as never recorded.
        if (command.BaselineAgreementId is { } agreement && await Agreement.StandingAsync(session, agreement, null, cancellation) is null)
        {
            errors["baselineAgreementId"] = [$"no agreement {agreement} is registered"];
        }

        if (command.NegotiationRoundId is { } round && await NegotiationRound.StandingAsync(session, round, null, cancellation) is null)
        {
            errors["negotiationRoundId"] = [$"no negotiation round {round} is recorded"];
        }

        for (var i = 0; i < (command.Relocations?.Count ?? 0); i++)
        {
            if (command.Relocations![i].PostId is { } post
                && await session.Events.AggregateStreamAsync<ObservationPost>(post, token: cancellation) is null or { Retracted: true })
            {
                errors[$"relocations[{i}].postId"] = [$"no observation post {post} is recorded, or it was retracted"];
            }
        }

        return errors.Count == 0 ? WolverineContinue.NoProblems : LedgerProblems.Invalid(errors);
    }

    public static MapProposed Decide(ProposeMap command, Guid id, DateTimeOffset now, GeometryLimits limits) => new(
        id, command.Proposer!.Trim(), [.. command.AddressedTo!.Select(p => p.Trim())], command.BaselineAgreementId, command.NegotiationRoundId,
        command.Region,
        [.. command.Areas!.Select(a => new ProposedArea(a.Actor!.Trim(), GeoJson.ToJson(GeometryFields.AsMultiPolygon(GeometryFields.Checked(a.Area, GeometryKinds.Areas, limits)))))],
        command.Lines ?? [], command.Relocations ?? [], command.TabledAt ?? now, command.Summary);

    /// <summary>Propose a map</summary>

    /// <remarks>A party tables a proposed division of a region (areas per actor, lines, post relocations) to other parties. 201 with Location /api/proposals/{id}; 200 with `alreadyRecorded: true` for a retry with the same `id`. Refused with 400 naming each wrong field; nothing is recorded then.</remarks>

    [WolverinePost("/api/proposals", OperationId = "ProposeMap")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<Receipt>(StatusCodes.Status201Created)]
    [ProducesResponseType<Receipt>(StatusCodes.Status200OK)]
    public static async Task<IResult> Post(
        ProposeMap command, IDocumentSession session, GeometryLimits limits, LedgerClock clock, CancellationToken cancellation)
    {
        var start = await Streams.StartOnceAsync(session, command.Id, typeof(Proposal), id => Decision.Start(Decide(command, id, clock.GetUtcNow(), limits)), cancellation);
        return Receipt.Answer("/api/proposals", start);
    }
}
