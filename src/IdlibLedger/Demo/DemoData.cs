using System.Text.Json;
using FluentValidation;
using IdlibLedger.Attacks.Disputing;
using IdlibLedger.Attacks.Reporting;
using IdlibLedger.Attacks;
using IdlibLedger.Casualties.Figures;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using IdlibLedger.Territory.Agreements;
using IdlibLedger.Territory.ControlChanges;
using IdlibLedger.Territory.Negotiations;
using IdlibLedger.Territory.ObservationPosts;
using IdlibLedger.Territory.Proposals;
using IdlibLedger.Territory.Regions;
using IdlibLedger.Territory;
using Marten;
using Marten.Events;
using Microsoft.Extensions.Options;

namespace IdlibLedger.Demo;

public sealed record SeedStatusChange(ObservationPostStatus Status, DateTimeOffset OccurredAt, string Reason);

public sealed record SeedObservationPost(string Operator, string Name, JsonElement Location, DateTimeOffset EstablishedAt, Guid Id, IReadOnlyList<SeedStatusChange>? StatusChanges)
{
    public EstablishObservationPost Command => new(Operator, Name, Location, EstablishedAt, Id);
}

public sealed record SeedNegotiation(
    Guid Id, string Name, string Place, DateOnly HeldOn, IReadOnlyList<string> Parties, IReadOnlyList<Delegation> Delegations, IReadOnlyList<string> Agenda, string? Outcome)
{
    public OpenNegotiationRound Command => new(Parties, Delegations, Agenda, HeldOn, Name, Place, Id);
}

public sealed record SeedAnswer(string Party, string Reason);

public sealed record SeedDispute(Guid AttackId, string Party, string Reason, IReadOnlyList<Source> CounterEvidence);

public sealed record SeedProposal(
    Guid Id, string Proposer, IReadOnlyList<string> AddressedTo, Guid? BaselineAgreementId, Guid? NegotiationRoundId, string? Region,
    DateTimeOffset TabledAt, string? Summary, IReadOnlyList<ProposedArea> Areas, IReadOnlyList<ProposedLine>? Lines,
    IReadOnlyList<PostRelocation>? Relocations, IReadOnlyList<SeedAnswer>? Rejections)
{
    public ProposeMap Command => new(Proposer, AddressedTo, Areas, BaselineAgreementId, NegotiationRoundId, Region, Lines, Relocations, TabledAt, Summary, Id);
}

/// <summary>The seed scenario shipped with the service (Demo/seed-scenario.json, embedded; Demo/README.md says what is approximated).</summary>
public sealed record SeedScenario(
    string About,
    IReadOnlyList<ReportAttack> Attacks,
    IReadOnlyList<SeedDispute> Disputes,
    IReadOnlyList<ReportCasualtyFigure> CasualtyFigures,
    IReadOnlyList<RegisterAgreement> Agreements,
    IReadOnlyList<RecordControlChange> ControlChanges,
    IReadOnlyList<SeedObservationPost> ObservationPosts,
    IReadOnlyList<SeedNegotiation> Negotiations,
    IReadOnlyList<SeedProposal> Proposals)
{
    public static SeedScenario Load()
    {
        using var stream = typeof(SeedScenario).Assembly.GetManifestResourceStream("IdlibLedger.Demo.seed-scenario.json")
            ?? throw new InvalidOperationException("the seed scenario is not embedded in the service");
        return JsonSerializer.Deserialize<SeedScenario>(stream, LedgerJson.Options) ?? throw new InvalidOperationException("the seed scenario is empty");
    }
}

/// <summary>
/// Loads the seed scenario into an empty ledger at start-up, so a newcomer sees something real. On by default
/// in Development (<c>Ledger:LoadDemoData</c> overrides); never touches a ledger that holds events. Every command
/// passes the same validators and deciders as over HTTP.
/// </summary>
public sealed partial class DemoDataLoader(
    IDocumentStore store,
    IServiceProvider services,
    GeometryLimits limits,
    LedgerClock clock,
    IOptions<LedgerOptions> options,
    IHostEnvironment environment,
    ILogger<DemoDataLoader> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!(options.Value.LoadDemoData ?? environment.IsDevelopment()))
        {
            return;
        }

        var loaded = await LoadIntoEmptyLedgerAsync(cancellationToken);
        LogDemoData(logger, loaded);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data: seed scenario loaded into an empty ledger = {Loaded}")]
    private static partial void LogDemoData(ILogger logger, bool loaded);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Appends the seed scenario if the ledger has no event yet (but reference regions); true when it did.</summary>
    public async Task<bool> LoadIntoEmptyLedgerAsync(CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        // Named before anything is appended, so that inline projections see the author a rebuild will see.
        session.LastModifiedBy = Audit.RecordedBy.Who(null);
        // Regions are reference data registered at start-up; anything else means the ledger is in use.
        if (await session.Events.QueryAllRawEvents().Where(e => !e.EventTypesAre(typeof(RegionRegistered))).AnyAsync(cancellation))
        {
            return false;
        }

        var seed = SeedScenario.Load();
        var now = clock.GetUtcNow();
        foreach (var report in seed.Attacks)
        {
            await ValidAsync(report, cancellation);
            await Streams.StartOnceAsync(session, report.Id, typeof(AttackReport), id => Decision.Start(ReportAttackEndpoint.Decide(report, id)), cancellation);
        }

        foreach (var dispute in seed.Disputes)
        {
            await ValidAsync(new DisputeAttackReport(dispute.Party, dispute.Reason, dispute.CounterEvidence), cancellation);
            session.Events.Append(dispute.AttackId, new AttackReportDisputed(dispute.AttackId, dispute.Party, dispute.Reason, dispute.CounterEvidence));
        }

        foreach (var figure in seed.CasualtyFigures)
        {
            await ValidAsync(figure, cancellation);
            await Streams.StartOnceAsync(session, figure.Id, null, id => Decision.Start(figure.ToEvent(id)), cancellation);
        }

        foreach (var agreement in seed.Agreements)
        {
            await ValidAsync(agreement, cancellation);
            await Streams.StartOnceAsync(session, agreement.Id, typeof(Agreement), id => Decision.Start(AgreementEndpoints.Decide(agreement, id)), cancellation);
        }

        foreach (var change in seed.ControlChanges)
        {
            await ValidAsync(change, cancellation);
            await Streams.StartOnceAsync(session, change.Id, null, id => Decision.Start(RecordControlChangeEndpoint.Decide(change, id, limits)), cancellation);
        }

        foreach (var post in seed.ObservationPosts)
        {
            await ValidAsync(post.Command, cancellation);
            await Streams.StartOnceAsync(session, post.Id, typeof(ObservationPost), id => Decision.Start(
            [
                ObservationPostEndpoints.Decide(post.Command, id, now, limits),
                .. (post.StatusChanges ?? []).Select(s => new ObservationPostStatusChanged(id, s.Status, s.OccurredAt, s.Reason)),
            ]), cancellation);
        }

        foreach (var round in seed.Negotiations)
        {
            await ValidAsync(round.Command, cancellation);
            await Streams.StartOnceAsync(session, round.Id, typeof(NegotiationRound), id => Decision.Start(round.Outcome is null
                ? [NegotiationEndpoints.Decide(round.Command, id)]
                : [NegotiationEndpoints.Decide(round.Command, id), new NegotiationOutcomeRecorded(id, round.Outcome, round.HeldOn)]), cancellation);
        }

        foreach (var proposal in seed.Proposals)
        {
            await ValidAsync(proposal.Command, cancellation);
            await Streams.StartOnceAsync(session, proposal.Id, typeof(Proposal), id => Decision.Start(
            [
                ProposeMapEndpoint.Decide(proposal.Command, id, now, limits),
                .. (proposal.Rejections ?? []).Select(r => new ProposalRejected(id, r.Party, r.Reason)),
            ]), cancellation);
        }

        await session.SaveChangesAsync(cancellation);
        return true;
    }

    private async Task ValidAsync<T>(T command, CancellationToken cancellation) =>
        await services.GetRequiredService<IValidator<T>>().ValidateAndThrowAsync(command, cancellation);
}

public static class DemoDataRegistration
{
    public static IServiceCollection AddDemoData(this IServiceCollection services)
    {
        services.AddSingleton<DemoDataLoader>();
        services.AddHostedService(sp => sp.GetRequiredService<DemoDataLoader>());
        return services;
    }
}
