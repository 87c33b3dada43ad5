using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdlibLedger.Demo;
using IdlibLedger.Tests.Ceasefires;
using IdlibLedger.Tests.Claims;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit.Abstractions;

namespace IdlibLedger.Tests.Audit;

/// <summary>
/// Auditors: every read-model table, rebuilt from the events into a scratch schema and compared row by row with the
/// live one (GET /api/audit/read-models, <c>audit verify-read-models</c>). A row changed behind the ledger's back
/// is named by table, key and column; the hash chain, which covers only the events, cannot see it.
/// </summary>
public sealed class verifying_the_read_models(LedgerFixture ledger, ITestOutputHelper output) : LedgerTest(ledger)
{
    private const string Schema = LedgerFixture.Schema;

    private static readonly string[] Tables =
        ["attack_timeline", "attack_timeline_casualties", "casualty_cells", "regions", "region_versions", "control_changes", "observation_posts", "ceasefires"];

    private static string GedFile => Path.Combine(
        LedgerFixture.SharedData ?? throw new InvalidOperationException("the UCDP GED slice of ../shared/data is needed (set LEDGER_SHARED_DATA)"),
        "ucdp_ged_syria_idlib_2019-09_to_2019-11.csv");

    /// <summary>
    /// A ledger with something in every read model, written by every path: attacks reported, corrected, disputed and
    /// retracted (one on the day it was reported, which leaves cells of zero), a UCDP import (bulk append and COPY),
    /// control changes (one corrected, one retracted), a region registered, corrected and retracted, an observation post relocated and withdrawn, a ceasefire declared, extended and collapsed,
    /// and the OCHA regions registered at start-up. Over three recording days of 2020, then on the system clock.
    /// </summary>
    private async Task<(Guid Corrected, Guid Retracted)> ALedgerWithEveryReadModelAsync()
    {
        Ledger.Clock.Set(GivenCeasefires.On(3, 5, 9));
        var corrected = await Host.ReportedAttackAsync(Given.Report(b => b["occurredAt"] = "2020-02-10"));
        var retracted = await Host.ReportedAttackAsync(Given.Report(b => b["occurredAt"] = "2020-02-12"));
        // Folded between the two, the retraction's deltas bring the report's cells back to zero rather than never making them.
        await Ledger.CellsFoldedAsync();
        using (var retraction = await Host.PostJsonAsync($"/api/attacks/{retracted}/retraction", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "duplicate" }))
        {
            retraction.StatusCode.ShouldBe(HttpStatusCode.OK, await retraction.Content.ReadAsStringAsync());
        }

        using (var client = Host.Client("ucdp-desk"))
        using (var import = await client.PostAsync("/api/imports/ucdp-ged", new StringContent(await File.ReadAllTextAsync(GedFile), Encoding.UTF8, "text/csv")))
        {
            import.StatusCode.ShouldBe(HttpStatusCode.OK, await import.Content.ReadAsStringAsync());
        }

        var opposition = await Host.RecordedControlChangeAsync("Syrian opposition", GivenTerritory.Box(36.3, 35.5, 37.0, 36.2), "2020-01-01");
        var regime = await Host.RecordedControlChangeAsync(GivenTerritory.Regime, GivenTerritory.Box(36.6, 35.5, 37.0, 35.9), "2020-02-01");
        var region = GivenTerritory.FreshRegionId();
        await Host.CreatedRegionAsync(region);
        var post = await Host.EstablishedPostAsync();
        var ceasefire = await Host.DeclaredCeasefireAsync();

        Ledger.Clock.Set(GivenCeasefires.On(3, 6, 9));
        await Host.CorrectedAsync(corrected, new JsonObject { ["expectedVersion"] = 1, ["reason"] = "MoD", ["casualties"] = Given.Killed("military", "Turkish Armed Forces", 5, 6, 7) });
        await Host.OkAsync($"/api/attacks/{corrected}/disputes", GivenClaims.Dispute());
        await Host.OkAsync($"/api/observation-posts/{post}/relocation", new JsonObject { ["location"] = GivenTerritory.Point(36.63, 35.43), ["reason"] = "moved north" });
        await Host.OkAsync($"/api/ceasefires/{ceasefire}/extension", GivenCeasefires.Extension("2020-05-06T00:00:00Z"));
        await Host.OkAsync($"/api/control-changes/{opposition}/corrections", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "smaller", ["area"] = GivenTerritory.Box(36.3, 35.5, 36.9, 36.2) });
        await Host.OkAsync($"/api/regions/{region}/corrections", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "renamed", ["name"] = "Renamed" });

        Ledger.Clock.Set(GivenCeasefires.On(3, 21, 9));
        await Host.OkAsync($"/api/observation-posts/{post}/status", new JsonObject { ["status"] = "withdrawn", ["reason"] = "regime advance around Morek" });
        await Host.OkAsync($"/api/ceasefires/{ceasefire}/collapse", GivenCeasefires.Collapse("2020-03-20T00:00:00Z"));
        await Host.OkAsync($"/api/control-changes/{regime}/retraction", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "duplicate" });
        await Host.OkAsync($"/api/regions/{region}/retraction", new JsonObject { ["expectedVersion"] = 2, ["reason"] = "duplicate" });

        // And on the system clock, whose instants are finer than the microseconds PostgreSQL keeps.
        Ledger.Clock.UseSystemTime();
        await Host.ReportedAttackAsync(Given.Report(b => b["occurredAt"] = "2020-02-14"));
        await Host.RecordedControlChangeAsync(GivenTerritory.Regime, GivenTerritory.Box(36.7, 35.6, 36.9, 35.8), "2020-02-15");
        // Every change in the cells, where the tampering below finds them (a verification folds in the deltas either way).
        await Ledger.CellsFoldedAsync();
        return (corrected, retracted);
    }

    private async Task<JsonObject> VerifiedAsync(string query = "")
    {
        var clock = Stopwatch.StartNew();
        var report = await Host.GetJsonAsync($"/api/audit/read-models{query}");
        output.WriteLine($"GET /api/audit/read-models{query}: {clock.ElapsedMilliseconds} ms; {report["events"]} events replayed up to {report["sequence"]} " +
            $"(verifier {report["elapsedMilliseconds"]} ms); " +
            string.Join(", ", report["tables"]!.AsArray().Select(t => $"{t!["table"]} {t["liveRows"]}/{t["rebuiltRows"]}")));
        return report;
    }

    private static JsonObject Table(JsonObject report, string name) =>
        report["tables"]!.AsArray().Single(t => t!["table"]!.GetValue<string>() == name)!.AsObject();

    private static IEnumerable<JsonObject> DifferencesIn(JsonObject report, string table) =>
        report["differences"]!.AsArray().Select(d => d!.AsObject()).Where(d => d["table"]!.GetValue<string>() == table);

    [Fact]
    public async Task martens_rebuild_which_reads_only_the_event_types_each_projection_declares_equals_a_replay_of_every_event()
    {
        await ALedgerWithEveryReadModelAsync();
        (await VerifiedAsync())["ok"]!.GetValue<bool>().ShouldBeTrue();
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        var projections = store.Options.Events.Projections().Where(p => p.Lifecycle == ProjectionLifecycle.Inline).Select(p => p.Name).ToList();
        projections.Count.ShouldBe(5);

        // A type left out of a projection's list would be skipped here and leave its rows out of the live tables.
        using (var daemon = await store.BuildProjectionDaemonAsync())
        {
            foreach (var projection in projections)
            {
                await daemon.RebuildProjectionAsync(projection, TimeSpan.FromMinutes(1), CancellationToken.None);
            }
        }

        var report = await VerifiedAsync();
        report["ok"]!.GetValue<bool>().ShouldBeTrue(report.ToJsonString());
        Table(report, "attack_timeline")["liveRows"]!.GetValue<long>().ShouldBeGreaterThan(100);
    }

    [Fact]
    public async Task an_untampered_ledger_equals_its_rebuild_in_every_table()
    {
        await ALedgerWithEveryReadModelAsync();
        // Cells whose sums are back at zero (the same-day retraction): kept live, never written by a rebuild's batch.
        ((long)(await Ledger.ScalarAsync($"select count(*) from {Schema}.casualty_cells where killed_best = 0 and attacks = 0"))!).ShouldBeGreaterThan(0);

        var report = await VerifiedAsync();

        report["ok"]!.GetValue<bool>().ShouldBeTrue(report.ToJsonString());
        report["differences"]!.AsArray().ShouldBeEmpty();
        report["truncated"]!.GetValue<bool>().ShouldBeFalse();
        report["projections"]!.AsArray().Select(p => p!.GetValue<string>())
            .ShouldBe(["AttackTimeline", "RegionTable", "ControlChangeTable", "ObservationPostTable", "CeasefireTable"], ignoreOrder: true);
        report["tables"]!.AsArray().Select(t => t!["table"]!.GetValue<string>()).ShouldBe(Tables, ignoreOrder: true);
        foreach (var table in report["tables"]!.AsArray())
        {
            table!["liveRows"]!.GetValue<long>().ShouldBeGreaterThan(0, table.ToJsonString());
            table["rebuiltRows"]!.GetValue<long>().ShouldBe(table["liveRows"]!.GetValue<long>(), table.ToJsonString());
        }

        Table(report, "attack_timeline")["liveRows"]!.GetValue<long>().ShouldBeGreaterThan(116);
        var head = (long)(await Ledger.ScalarAsync($"select max(seq_id) from {Schema}.mt_events"))!;
        report["sequence"]!.GetValue<long>().ShouldBe(head);
        report["events"]!.GetValue<long>().ShouldBe((long)(await Ledger.ScalarAsync($"select count(*) from {Schema}.mt_events"))!);
        // Nothing is left behind: the scratch schema lived in a transaction that was rolled back.
        ((long)(await Ledger.ScalarAsync($"select count(*) from pg_namespace where nspname like '{Schema}_rebuild_%'"))!).ShouldBe(0);
    }

    [Fact]
    public async Task the_demo_scenario_appended_outside_any_request_equals_its_rebuild()
    {
        (await Host.Services.GetRequiredService<DemoDataLoader>().LoadIntoEmptyLedgerAsync(CancellationToken.None)).ShouldBeTrue();

        var report = await VerifiedAsync();

        report["ok"]!.GetValue<bool>().ShouldBeTrue(report.ToJsonString());
        Table(report, "attack_timeline")["liveRows"]!.GetValue<long>().ShouldBeGreaterThan(0);
    }

    public static TheoryData<string, string, string, string?> Tampering => new()
    {
        // The issue's example: casualty totals inflated in the cells that every totals read sums.
        { $"update {Schema}.casualty_cells set killed_best = killed_best + 9999 where grain = 'all' and level = 'dd' and attacks > 0", "casualty_cells", "changed", "killed_best" },
        { $"update {Schema}.attack_timeline set perpetrator = 'Hay''at Tahrir al-Sham' where attack_id = '{{corrected}}' and recorded_until is null", "attack_timeline", "changed", "perpetrator" },
        { $"update {Schema}.attack_timeline set report = jsonb_set(report, '{{description}}', '\"rewritten\"') where attack_id = '{{corrected}}' and version = 1", "attack_timeline", "changed", "report" },
        { $"delete from {Schema}.attack_timeline where attack_id = '{{retracted}}' and version = 2", "attack_timeline", "missing", null },
        // A row the import wrote with COPY.
        { $"update {Schema}.attack_timeline_casualties set killed_best = killed_best + 40 where (attack_id, version, position) in (select attack_id, version, position from {Schema}.attack_timeline_casualties where attack_id in (select stream_id from {Schema}.mt_events where user_name = 'ucdp-desk') limit 1)", "attack_timeline_casualties", "changed", "killed_best" },
        { $"update {Schema}.control_changes set actor = 'Syrian opposition' where actor = 'Syrian Arab Army'", "control_changes", "changed", "actor" },
        { $"update {Schema}.control_changes set area = ST_Multi(ST_Translate(area, 0.1, 0)) where actor = 'Syrian Arab Army'", "control_changes", "changed", "area" },
        { $"update {Schema}.ceasefires set effective_until = effective_until + interval '30 days'", "ceasefires", "changed", "effective_until" },
        { $"insert into {Schema}.ceasefires select gen_random_uuid(), parties, area, effective_from, effective_until, null from {Schema}.ceasefires", "ceasefires", "extra", null },
        { $"update {Schema}.observation_posts set status = 'active'", "observation_posts", "changed", "status" },
        // A region no event registered (the fixture's reset removes it again; regions outlive other tests).
        { $"insert into {Schema}.regions select 'forged', name, level, level_rank, pcode, area, area_km2 from {Schema}.regions where id = 'idlib'", "regions", "extra", null },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task a_row_changed_behind_the_ledgers_back_is_named_by_table_key_and_column(string tamper, string table, string kind, string? column)
    {
        var (corrected, retracted) = await ALedgerWithEveryReadModelAsync();
        (await VerifiedAsync())["ok"]!.GetValue<bool>().ShouldBeTrue();

        await Ledger.ExecuteAsync(tamper.Replace("{corrected}", corrected.ToString(), StringComparison.Ordinal).Replace("{retracted}", retracted.ToString(), StringComparison.Ordinal));
        var report = await VerifiedAsync();

        report["ok"]!.GetValue<bool>().ShouldBeFalse();
        var named = DifferencesIn(report, table).ToList();
        named.ShouldNotBeEmpty(report.ToJsonString());
        named.ShouldAllBe(d => d["kind"]!.GetValue<string>() == kind, report.ToJsonString());
        named.ShouldAllBe(d => d["key"]!.AsObject().Count > 0);
        if (column is not null)
        {
            named.ShouldAllBe(d => d["columns"]!.AsArray().Select(c => c!["column"]!.GetValue<string>()).SequenceEqual(new[] { column }), report.ToJsonString());
            named.ShouldAllBe(d => d["columns"]![0]!["live"]!.GetValue<string>() != d["columns"]![0]!["rebuilt"]!.GetValue<string>());
        }

        Table(report, table)[kind]!.GetValue<long>().ShouldBe(named.Count);
        report["tables"]!.AsArray().Where(t => t!["table"]!.GetValue<string>() != table)
            .ShouldAllBe(t => t!["changed"]!.GetValue<long>() + t["missing"]!.GetValue<long>() + t["extra"]!.GetValue<long>() == 0, report.ToJsonString());
    }

    [Fact]
    public async Task inflated_casualty_cells_pass_the_hash_chain_but_not_the_read_model_check_which_gives_both_values()
    {
        await Ledger.ChainCaughtUpAsync();
        await ALedgerWithEveryReadModelAsync();
        await Ledger.ChainCaughtUpAsync();
        var before = await Host.GetJsonAsync("/api/casualties/totals");

        var tampered = (long)(await Ledger.ScalarAsync($"select count(*) from {Schema}.casualty_cells where grain = 'all' and attacks > 0"))!;
        await Ledger.ExecuteAsync($"update {Schema}.casualty_cells set killed_best = killed_best + 9999 where grain = 'all' and attacks > 0");

        // The totals moved and the events did not: the chain still verifies.
        (await Host.GetJsonAsync("/api/casualties/totals"))["killed"]!["best"]!.GetValue<int>().ShouldBeGreaterThanOrEqualTo(before["killed"]!["best"]!.GetValue<int>() + 9999);
        (await Host.GetJsonAsync("/api/audit/verify"))["ok"]!.GetValue<bool>().ShouldBeTrue();
        var report = await VerifiedAsync();
        report["ok"]!.GetValue<bool>().ShouldBeFalse();
        Table(report, "casualty_cells")["changed"]!.GetValue<long>().ShouldBe(tampered);
        var cells = DifferencesIn(report, "casualty_cells").ToList();
        cells.Count.ShouldBe((int)Math.Min(tampered, 100));
        foreach (var cell in cells)
        {
            cell["key"]!["grain"]!.GetValue<string>().ShouldBe("all");
            var killed = cell["columns"]!.AsArray().Single()!;
            (long.Parse(killed["live"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) -
                long.Parse(killed["rebuilt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(9999);
        }
    }

    [Fact]
    public async Task the_answer_lists_at_most_limit_rows_and_counts_them_all()
    {
        await ALedgerWithEveryReadModelAsync();
        var tampered = (long)(await Ledger.ScalarAsync($"select count(*) from {Schema}.casualty_cells where attacks > 0"))!;
        await Ledger.ExecuteAsync($"update {Schema}.casualty_cells set killed_high = killed_high + 1 where attacks > 0");

        var report = await VerifiedAsync("?limit=3");

        tampered.ShouldBeGreaterThan(3);
        report["differences"]!.AsArray().Count.ShouldBe(3);
        report["truncated"]!.GetValue<bool>().ShouldBeTrue();
        Table(report, "casualty_cells")["changed"]!.GetValue<long>().ShouldBe(tampered);
        (await Host.GetJsonAsync("/api/audit/read-models?limit=1001", 400))["errors"]!["limit"].ShouldNotBeNull();
    }

    [Fact]
    public async Task to_must_be_the_head_because_the_live_tables_show_the_head()
    {
        await ALedgerWithEveryReadModelAsync();
        var head = (long)(await Ledger.ScalarAsync($"select max(seq_id) from {Schema}.mt_events"))!;

        (await VerifiedAsync($"?to={head}"))["ok"]!.GetValue<bool>().ShouldBeTrue();
        var problem = await Host.GetJsonAsync($"/api/audit/read-models?to={head - 1}", 409);
        problem["detail"]!.GetValue<string>().ShouldContain($"sequence {head}");
    }

    [Fact]
    public async Task a_verification_while_attacks_are_reported_compares_one_snapshot_and_finds_nothing()
    {
        await ALedgerWithEveryReadModelAsync();
        Ledger.Clock.UseSystemTime();
        using var stop = new CancellationTokenSource();
        var reported = 0;
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Host.ReportedAttackAsync(Given.Report(b => b["occurredAt"] = "2020-02-11"));
                Interlocked.Increment(ref reported);
            }
        });

        // Let the writes get going, so that some commit while the verification replays and compares.
        while (Volatile.Read(ref reported) < 3)
        {
            await Task.Delay(10);
        }

        var during = Volatile.Read(ref reported);
        var report = await VerifiedAsync();
        var after = Volatile.Read(ref reported);
        await stop.CancelAsync();
        await writer;

        output.WriteLine($"attacks reported while verifying: {after - during}");
        (after - during).ShouldBeGreaterThan(0);
        report["ok"]!.GetValue<bool>().ShouldBeTrue(report.ToJsonString());
        report["sequence"]!.GetValue<long>().ShouldBeLessThan((long)(await Ledger.ScalarAsync($"select max(seq_id) from {Schema}.mt_events"))!);
    }

    [Fact]
    public async Task the_audit_command_says_ok_or_names_the_rows_and_fails()
    {
        var (corrected, _) = await ALedgerWithEveryReadModelAsync();

        var clean = await AuditCommandAsync("audit", "verify-read-models");
        output.WriteLine(clean.Output);
        clean.ExitCode.ShouldBe(0, clean.Output);
        clean.Output.ShouldContain("OK: 8 read-model tables equal a rebuild of");

        await Ledger.ExecuteAsync($"update {Schema}.attack_timeline set occurred_from = occurred_from - interval '1 day' where attack_id = '{corrected}' and version = 2");
        var tampered = await AuditCommandAsync("audit", "verify-read-models");
        output.WriteLine(tampered.Output);
        tampered.ExitCode.ShouldNotBe(0);
        tampered.Output.ShouldContain("FAILED: 1 rows differ");
        tampered.Output.ShouldContain($"attack_timeline (attack_id={corrected}, version=2) changed: occurred_from: live 2020-02-09");

        var stale = await AuditCommandAsync("audit", "verify-read-models", "--to", "1");
        stale.ExitCode.ShouldNotBe(0);
        stale.Output.ShouldContain("head, sequence");
    }

    private async Task<(int ExitCode, string Output)> AuditCommandAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IdlibLedger.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ConnectionStrings__Ledger"] = Ledger.ConnectionString;
        start.Environment["Ledger__Schema"] = Schema;
        start.Environment["Audit__SigningKeyPath"] = Ledger.SigningKeyPath;
        start.Environment["Audit__SealKeyPath"] = Ledger.SealKeyPath;
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        using var process = Process.Start(start)!;
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await standardOutput + await standardError);
    }
}
