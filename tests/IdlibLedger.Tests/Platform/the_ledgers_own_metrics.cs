using System.Net;
using IdlibLedger.Infrastructure;
using IdlibLedger.Tests.Audit;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Importing;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

/// <summary>The meter IdlibLedger: commands by outcome, events appended, import rows, projection lag, checkpoint age, verification failures.</summary>
public sealed class the_ledgers_own_metrics(LedgerFixture ledger) : LedgerTest(ledger)
{
    private const string Commands = "ledger.commands";
    private const string Events = "ledger.events.appended";

    private static (string, string) Command(string operationId) => (LedgerMetrics.CommandTag, operationId);

    private static (string, string) Outcome(string outcome) => (LedgerMetrics.OutcomeTag, outcome);

    [Theory]
    [InlineData(201, false, "accepted")]
    [InlineData(200, true, "replayed")]
    [InlineData(400, false, "refused")]
    [InlineData(401, false, "refused")]
    [InlineData(422, false, "refused")]
    [InlineData(429, false, "refused")]
    [InlineData(409, false, "conflict")]
    [InlineData(412, false, "conflict")]
    [InlineData(500, false, "failed")]
    [InlineData(503, false, "failed")]
    public void an_answer_has_one_outcome(int status, bool replayed, string outcome)
    {
        LedgerMetrics.Outcomes.Of(status, replayed).ShouldBe(outcome);
    }

    [Fact]
    public async Task a_reported_attack_counts_one_accepted_command_and_one_event_appended()
    {
        using var measured = new Measurements(Host.Services);

        using var response = await Host.PostJsonAsync("/api/attacks", Given.TaftanazReport);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        await measured.SumReachesAsync(1, Commands, Command("ReportAttack"), Outcome(LedgerMetrics.Outcomes.Accepted));
        measured.Sum(Commands).ShouldBe(1);
        measured.Sum(Events, (LedgerMetrics.EventTypeTag, "attack_reported")).ShouldBe(1);
        measured.Sum(Events).ShouldBe(1);
    }

    [Fact]
    public async Task a_refused_command_counts_as_refused_and_appends_nothing()
    {
        using var measured = new Measurements(Host.Services);

        using var response = await Host.PostJsonAsync("/api/attacks", Given.Report(b => b["eventType"] = "no-such-type"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await measured.SumReachesAsync(1, Commands, Command("ReportAttack"), Outcome(LedgerMetrics.Outcomes.Refused));
        measured.Sum(Commands, Outcome(LedgerMetrics.Outcomes.Accepted)).ShouldBe(0);
        measured.Sum(Events).ShouldBe(0);
    }

    [Fact]
    public async Task a_stale_correction_counts_as_a_conflict()
    {
        var id = await Host.ReportedAttackAsync();
        await Host.CorrectedAsync(id, new() { ["expectedVersion"] = 1, ["reason"] = "typo", ["description"] = "Shelling near Taftanaz" });
        using var measured = new Measurements(Host.Services);

        using var stale = await Host.PostJsonAsync($"/api/attacks/{id}/corrections",
            new System.Text.Json.Nodes.JsonObject { ["expectedVersion"] = 1, ["reason"] = "a second desk, unaware", ["description"] = "Shelling at Taftanaz airbase" });

        stale.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        await measured.SumReachesAsync(1, Commands, Command("CorrectAttackReport"), Outcome(LedgerMetrics.Outcomes.Conflict));
    }

    [Fact]
    public async Task a_retry_with_the_same_idempotency_key_counts_as_replayed_and_appends_nothing()
    {
        using var measured = new Measurements(Host.Services);
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = "metrics-retry" };

        using var first = await Host.PostJsonAsync("/api/attacks", Given.TaftanazReport, key);
        using var retry = await Host.PostJsonAsync("/api/attacks", Given.TaftanazReport, key);

        retry.StatusCode.ShouldBe(HttpStatusCode.Created);
        retry.Headers.Contains("Idempotent-Replayed").ShouldBeTrue();
        await measured.SumReachesAsync(1, Commands, Command("ReportAttack"), Outcome(LedgerMetrics.Outcomes.Replayed));
        await measured.SumReachesAsync(1, Commands, Command("ReportAttack"), Outcome(LedgerMetrics.Outcomes.Accepted));
        measured.Sum(Events).ShouldBe(1);
    }

    [Fact]
    public async Task an_import_counts_its_rows_by_outcome_and_its_events()
    {
        using var measured = new Measurements(Host.Services);

        await Host.ImportedAsync(GedFile.Of(GedFile.Row("7701"), GedFile.Row("7702"), GedFile.Row("7703", ("low", "-1"))));
        await Host.ImportedAsync(GedFile.Of(GedFile.Row("7701")));

        var rows = "ledger.import.rows";
        measured.Sum(rows, Outcome(LedgerMetrics.ImportOutcomes.Imported)).ShouldBe(2);
        measured.Sum(rows, Outcome(LedgerMetrics.ImportOutcomes.Present)).ShouldBe(1);
        measured.Sum(rows, Outcome(LedgerMetrics.ImportOutcomes.Refused)).ShouldBe(1);
        // Bulk appends pass no session listener: the importer counts its events itself.
        measured.Sum(Events, (LedgerMetrics.EventTypeTag, "attack_reported")).ShouldBe(2);
        await measured.SumReachesAsync(2, Commands, Command("ImportUcdpGed"), Outcome(LedgerMetrics.Outcomes.Accepted));
    }

    [Fact]
    public async Task projection_lag_and_checkpoint_age_are_read_from_the_store()
    {
        await Ledger.SomeHistoryAsync(2);
        await Ledger.ChainCaughtUpAsync();
        using (var client = Host.Client())
        using (var signed = await client.PostAsync("/api/audit/checkpoints", null))
        {
            signed.IsSuccessStatusCode.ShouldBeTrue();
        }


        using var measured = new Measurements(Host.Services);

        await Host.Services.GetRequiredService<LedgerMetrics>().ReadStoreAsync(CancellationToken.None);
        measured.Observe();

        var chain = measured.Of("ledger.projection.lag", (LedgerMetrics.ProjectionTag, $"{IdlibLedger.Audit.AuditChainProjection.ProjectionName}:All"));
        chain.ShouldHaveSingleItem().ShouldBe(0);
        measured.Of("ledger.checkpoint.age").ShouldHaveSingleItem().ShouldBeInRange(0, 60);
    }

    [Fact]
    public async Task a_chain_that_fails_verification_is_counted()
    {
        var ids = await Ledger.SomeHistoryAsync(2);
        await Ledger.ChainCaughtUpAsync();
        using var measured = new Measurements(Host.Services);
        await Ledger.ExecuteAsync($"update {LedgerFixture.Schema}.mt_events set data = jsonb_set(data, '{{reportedBy}}', '\"someone-else\"') where seq_id = {await Ledger.SequenceOfAsync(ids[0], 1)}");

        (await Host.GetJsonAsync("/api/audit/verify"))["ok"]!.GetValue<bool>().ShouldBeFalse();
        measured.Sum("ledger.verification.failures", (LedgerMetrics.VerificationTag, "chain")).ShouldBe(1);
    }
}
