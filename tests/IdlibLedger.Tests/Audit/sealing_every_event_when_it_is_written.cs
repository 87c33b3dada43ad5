using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdlibLedger.Audit;
using IdlibLedger.Demo;
using IdlibLedger.Tests.Fixtures;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shouldly;
using Xunit.Abstractions;

namespace IdlibLedger.Tests.Audit;

/// <summary>
/// Auditors: rewrites the hash chain cannot see — metadata it does not hash, rows forged at the head, rows changed
/// before the chain reaches them — are named at their sequence, because every event is sealed when it is written.
/// </summary>
public sealed class sealing_every_event_when_it_is_written(LedgerFixture ledger, ITestOutputHelper output) : LedgerTest(ledger)
{
    private const string Schema = LedgerFixture.Schema;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.ChainCaughtUpAsync();
    }

    private Task<IReadOnlyList<Guid>> SomeHistoryAsync(int reports = 3) => Ledger.SomeHistoryAsync(reports);

    private Task<long> SequenceOfAsync(Guid stream, int version) => Ledger.SequenceOfAsync(stream, version);

    private async Task<long> LinksAtAsync(long sequence) =>
        (long)(await Ledger.ScalarAsync($"select count(*) from {Schema}.{AuditChainProjection.Name} where seq = {sequence}"))!;

    /// <summary>A copy of the stream's last event, as one more version, inserted with SQL at the head of the event table.</summary>
    private async Task<long> ForgedAtTheHeadAsync(Guid stream) =>
        (long)(await Ledger.ScalarAsync(
            $"insert into {Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, causation_id, headers, user_name, is_archived) " +
            $"select nextval('{Schema}.mt_events_sequence'), gen_random_uuid(), stream_id, version + 1, jsonb_set(data, '{{reason}}', '\"forged\"'), type, now(), tenant_id, " +
            $"mt_dotnet_type, correlation_id, causation_id, null, user_name, false from {Schema}.mt_events where stream_id = '{stream}' order by version desc limit 1 returning seq_id"))!;

    private async Task<JsonObject> VerifiedAsync()
    {
        var report = await Host.GetJsonAsync("/api/audit/verify");
        output.WriteLine(report.ToJsonString());
        return report;
    }

    private static long[] Named(JsonObject report) => [.. report["badEvents"]!.AsArray().Select(e => e!["sequence"]!.GetValue<long>())];

    private static string ReasonAt(JsonObject report, long sequence) =>
        report["badEvents"]!.AsArray().Single(e => e!["sequence"]!.GetValue<long>() == sequence)!["reason"]!.GetValue<string>();

    [Fact]
    public async Task every_way_of_appending_seals_what_it_writes()
    {
        // The OCHA regions were registered at start-up; the demo data, a report, a correction, a batch and an import follow.
        Ledger.Clock.Set(new DateTimeOffset(2020, 3, 1, 0, 0, 0, TimeSpan.Zero));
        (await Host.Services.GetRequiredService<DemoDataLoader>().LoadIntoEmptyLedgerAsync(CancellationToken.None)).ShouldBeTrue();
        Ledger.Clock.Set(new DateTimeOffset(2020, 3, 10, 0, 0, 0, TimeSpan.Zero));
        var id = await Host.ReportedAttackAsync();
        await Host.CorrectedAsync(id, new JsonObject { ["expectedVersion"] = 1, ["reason"] = "MoD", ["description"] = "corrected" });
        using (var batch = await Host.PostJsonAsync("/api/attacks/batch", new JsonArray(Given.Report(), Given.Report(b => b["perpetrator"] = "Russian Air Force"))))
        {
            batch.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using (var client = Host.Client())
        {
            var csv = await File.ReadAllTextAsync(Path.Combine(LedgerFixture.SharedData!, "ucdp_ged_syria_idlib_2019-09_to_2019-11.csv"));
            using var import = await client.PostAsync("/api/imports/ucdp-ged", new StringContent(csv, Encoding.UTF8, "text/csv"));
            import.StatusCode.ShouldBe(HttpStatusCode.OK, await import.Content.ReadAsStringAsync());
        }

        await Ledger.ChainCaughtUpAsync();

        var events = (long)(await Ledger.ScalarAsync($"select count(*) from {Schema}.mt_events"))!;
        var types = (long)(await Ledger.ScalarAsync($"select count(distinct type) from {Schema}.mt_events"))!;
        (await Ledger.ScalarAsync($"select count(*) from {Schema}.mt_events where headers ->> '{Seals.Header}' is null")).ShouldBe(0L);
        var watch = Stopwatch.StartNew();
        var report = await VerifiedAsync();
        var verifying = watch.Elapsed;
        report["ok"]!.GetValue<bool>().ShouldBeTrue();
        report["checked"]!.GetValue<long>().ShouldBe(events, "every event is sealed, its seal verifies, and the chain links it");

        // What a seal costs: checking one (canonical JSON of the stored data, then HMAC-SHA256) is about what making one costs.
        await using var connection = await Host.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        var sequences = (long[])(await Ledger.ScalarAsync($"select array_agg(seq_id) from {Schema}.mt_events"))!;
        var rows = await EventRow.ReadAsync(connection, Schema, sequences, CancellationToken.None);
        var seals = Host.Services.GetRequiredService<SealKey>();
        watch.Restart();
        rows.Select(seals.Problem).ShouldAllBe(problem => problem == null);
        var checking = watch.Elapsed;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{events} events of {types} types, every one sealed and chained; GET /api/audit/verify took {verifying.TotalMilliseconds:F0} ms; " +
            $"checking the {rows.Count} seals took {checking.TotalMilliseconds:F0} ms ({checking.TotalMicroseconds / rows.Count:F0} µs each, {rows.Sum(r => r.Data.Length) / rows.Count} bytes of data on average)"));
    }

    [Theory]
    [InlineData("user_name", "'someone-else'")]
    [InlineData("correlation_id", "'someone-else'")]
    [InlineData("causation_id", "'someone-else'")]
    [InlineData("is_archived", "true")]
    public async Task a_column_the_chain_does_not_hash_is_named_at_its_sequence_when_edited(string column, string value)
    {
        var ids = await SomeHistoryAsync();
        (await VerifiedAsync())["ok"]!.GetValue<bool>().ShouldBeTrue();

        var edited = await SequenceOfAsync(ids[1], 1);
        await Ledger.ExecuteAsync($"update {Schema}.mt_events set {column} = {value} where seq_id = {edited}");

        var report = await VerifiedAsync();
        report["ok"]!.GetValue<bool>().ShouldBeFalse();
        report["firstBadSequence"]!.GetValue<long>().ShouldBe(edited);
        Named(report).ShouldBe([edited]);
        ReasonAt(report, edited).ShouldContain("seal does not verify");
    }

    [Fact]
    public async Task an_event_inserted_at_the_head_with_sql_is_named_and_left_out_of_the_chain_and_the_next_checkpoint()
    {
        var ids = await SomeHistoryAsync();
        var forged = await ForgedAtTheHeadAsync(ids[0]);
        await Ledger.ChainCaughtUpAsync();
        var later = await SequenceOfAsync(await Host.ReportedAttackAsync(), 1);
        await Ledger.ChainCaughtUpAsync();

        (await LinksAtAsync(forged)).ShouldBe(0, "the chain must not adopt a row nobody sealed");
        (await LinksAtAsync(later)).ShouldBe(1, "the chain goes on past it");
        var report = await VerifiedAsync();
        report["ok"]!.GetValue<bool>().ShouldBeFalse();
        Named(report).ShouldBe([forged]);
        ReasonAt(report, forged).ShouldContain("no seal");

        // The next checkpoint signs the chain past the forged row, and the bundle it comes with leaves the row out.
        using var client = Host.Client();
        var bundle = await client.GetByteArrayAsync("/api/audit/export");
        var exported = JsonNode.Parse(bundle)!;
        exported["checkpoint"]!["sequence"]!.GetValue<long>().ShouldBe(later);
        exported["events"]!.AsArray().Select(e => e!["sequence"]!.GetValue<long>()).ShouldNotContain(forged);
        Bundles.Verify(bundle, seals: SealKey.FromFile(Ledger.SealKeyPath)).Ok.ShouldBeTrue();
    }

    [Fact]
    public async Task an_event_changed_before_the_chain_reaches_it_is_named_and_never_chained()
    {
        await SomeHistoryAsync();
        await Host.PauseAllDaemonsAsync();
        long changed;
        try
        {
            changed = await SequenceOfAsync(await Host.ReportedAttackAsync(), 1);
            await Ledger.ExecuteAsync(
                $"update {Schema}.mt_events set data = jsonb_set(data, '{{facts,description}}', '\"quietly changed\"') where seq_id = {changed}");

            // Before the chain reaches it, the seal already tells.
            var pending = await VerifiedAsync();
            pending["ok"]!.GetValue<bool>().ShouldBeFalse();
            Named(pending).ShouldBe([changed]);
            ReasonAt(pending, changed).ShouldContain("not chained yet");
        }
        finally
        {
            await Host.ResumeAllDaemonsAsync();
        }

        await Ledger.ChainCaughtUpAsync();
        (await LinksAtAsync(changed)).ShouldBe(0, "the chain must not adopt a row changed after it was sealed");
        var report = await VerifiedAsync();
        Named(report).ShouldBe([changed]);
        ReasonAt(report, changed).ShouldContain("seal does not verify");
    }

    [Fact]
    public async Task rebuilding_the_chain_does_not_bless_a_changed_row_and_an_old_checkpoint_still_shows_a_deleted_one()
    {
        var ids = await SomeHistoryAsync();
        using var client = Host.Client();
        using var created = await client.PostAsync("/api/audit/checkpoints", null);
        var old = (await created.JsonAsync()).As<Checkpoint>();
        var (changed, deleted) = (await SequenceOfAsync(ids[1], 1), await SequenceOfAsync(ids[2], 1));
        await Ledger.ExecuteAsync(
            $"update {Schema}.mt_events set data = jsonb_set(data, '{{facts,description}}', '\"quietly changed\"') where seq_id = {changed}; " +
            $"delete from {Schema}.mt_events where seq_id = {deleted}");

        await Host.PauseAllDaemonsAsync();
        try
        {
            using var daemon = await Host.Services.GetRequiredService<IDocumentStore>().BuildProjectionDaemonAsync();
            await daemon.RebuildProjectionAsync(AuditChainProjection.ProjectionName, TimeSpan.FromMinutes(1), CancellationToken.None);
        }
        finally
        {
            await Host.ResumeAllDaemonsAsync();
        }

        // The rebuilt chain leaves the changed row out, so it is still named; the deleted one left no trace in it.
        var report = await VerifiedAsync();
        Named(report).ShouldBe([changed]);
        (await LinksAtAsync(changed)).ShouldBe(0);
        var consistency = await Host.GetJsonAsync($"/api/audit/consistency?sequence={old.Sequence}&hash={old.Hash}");
        consistency["consistent"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task verification_names_every_bad_event_not_only_the_first()
    {
        var ids = await SomeHistoryAsync(4);
        var (byName, byCorrelation, byData, deleted) =
            (await SequenceOfAsync(ids[0], 1), await SequenceOfAsync(ids[1], 1), await SequenceOfAsync(ids[2], 1), await SequenceOfAsync(ids[3], 1));
        var forged = await ForgedAtTheHeadAsync(ids[1]);
        await Ledger.ChainCaughtUpAsync();
        await Ledger.ExecuteAsync(
            $"update {Schema}.mt_events set user_name = 'someone-else' where seq_id = {byName}; " +
            $"update {Schema}.mt_events set correlation_id = 'another-trace' where seq_id = {byCorrelation}; " +
            $"update {Schema}.mt_events set data = jsonb_set(data, '{{reportedBy}}', '\"someone-else\"') where seq_id = {byData}; " +
            $"delete from {Schema}.mt_events where seq_id = {deleted}");

        var report = await VerifiedAsync();
        report["ok"]!.GetValue<bool>().ShouldBeFalse();
        Named(report).ShouldBe([byName, byCorrelation, byData, deleted, forged]);
        ReasonAt(report, byData).ShouldContain("seal does not verify");
        ReasonAt(report, byData).ShouldContain("no longer hashes to its link");
        ReasonAt(report, deleted).ShouldContain("deleted");
        Figures.Record($"[tamper] 5 rewrites with SQL (recordedBy, correlation id, data, a deletion, a row forged at the head): {Named(report).Length} named at their sequences by GET /api/audit/verify");

        var command = await AuditCommandLine.RunAsync(Ledger, "audit", "verify");
        command.ExitCode.ShouldNotBe(0);
        command.Output.ShouldContain($"FAILED at sequence {byName}");
        foreach (var sequence in new[] { byName, byCorrelation, byData, deleted, forged })
        {
            command.Output.ShouldContain($"sequence {sequence}: ");
        }
    }

    [Fact]
    public async Task a_bundle_checks_the_seals_with_the_seal_key_and_says_when_it_could_not()
    {
        await SomeHistoryAsync();
        using var client = Host.Client();
        var bundle = await client.GetByteArrayAsync("/api/audit/export");
        var seals = SealKey.FromFile(Ledger.SealKeyPath);
        var withoutKey = Bundles.Verify(bundle);
        withoutKey.Ok.ShouldBeTrue();
        withoutKey.SealsChecked.ShouldBeFalse();
        var withKey = Bundles.Verify(bundle, seals: seals);
        withKey.Ok.ShouldBeTrue();
        withKey.SealsChecked.ShouldBeTrue();

        // Who recorded an event is not in the chain: only its seal, checked with the key, shows that it changed.
        var text = Encoding.UTF8.GetString(bundle);
        var at = text.IndexOf($"\"recordedBy\":\"{Credentials.TestDesk}\"", StringComparison.Ordinal);
        var sequence = JsonNode.Parse(bundle)!["events"]!.AsArray()
            .First(e => e!["recordedBy"]?.GetValue<string>() == Credentials.TestDesk)!["sequence"]!.GetValue<long>();
        var changed = Encoding.UTF8.GetBytes(string.Concat(text.AsSpan(0, at), "\"recordedBy\":\"someone-else\"", text.AsSpan(at + $"\"recordedBy\":\"{Credentials.TestDesk}\"".Length)));
        Bundles.Verify(changed).Ok.ShouldBeTrue("without the seal key, a bundle's metadata cannot be checked");
        var caught = Bundles.Verify(changed, seals: seals);
        caught.Ok.ShouldBeFalse();
        caught.BadEvents.Select(e => e.Sequence).ShouldBe([sequence]);

        var file = Path.Combine(Path.GetTempPath(), $"audit-bundle-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllBytesAsync(file, bundle);
            var unchecked_ = await AuditCommandLine.RunAsync(Ledger, "audit", "verify-bundle", file);
            unchecked_.ExitCode.ShouldBe(0, unchecked_.Output);
            unchecked_.Output.ShouldContain("seals not checked");
            var good = await AuditCommandLine.RunAsync(Ledger, "audit", "verify-bundle", file, "--seal-key", Ledger.SealKeyPath);
            good.ExitCode.ShouldBe(0, good.Output);
            good.Output.ShouldNotContain("seals not checked");
            await File.WriteAllBytesAsync(file, changed);
            var bad = await AuditCommandLine.RunAsync(Ledger, "audit", "verify-bundle", file, "--seal-key", Ledger.SealKeyPath);
            bad.ExitCode.ShouldBe(1, bad.Output);
            bad.Output.ShouldContain($"sequence {sequence}: ");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task an_auditor_with_the_key_recomputes_a_seal_from_the_documented_format_alone()
    {
        await SomeHistoryAsync();
        using var client = Host.Client();
        var line = JsonNode.Parse((await client.GetStringAsync("/api/audit/events?type=attack_report_corrected")).Split('\n')[0])!;
        var key = Convert.FromBase64String((await File.ReadAllTextAsync(Ledger.SealKeyPath)).Trim());

        // docs/api.md, "The seal": one field a line, text fields as JSON strings, the data as canonical JSON.
        string Text(string name) => line[name] is { } value ? JsonSerializer.Serialize(value.GetValue<string>()) : "null";
        var preimage = string.Join('\n',
            "idlib-ledger seal v1",
            "id " + line["id"]!.GetValue<Guid>().ToString("D"),
            "stream " + line["stream"]!.GetValue<Guid>().ToString("D"),
            "version " + line["version"]!.GetValue<long>().ToString(CultureInfo.InvariantCulture),
            "type " + Text("type"),
            "recordedAt " + line["recordedAt"]!.GetValue<DateTimeOffset>().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            "recordedBy " + Text("recordedBy"),
            "correlationId " + Text("correlationId"),
            "causationId " + Text("causationId"),
            "archived false",
            "data " + Canonical(line["data"]!));
        var expected = $"v1:{Convert.ToHexStringLower(HMACSHA256.HashData(key, "idlib-ledger seal key id"u8.ToArray()))[..16]}:" +
            Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(preimage)));
        line["seal"]!.GetValue<string>().ShouldBe(expected, preimage);
    }

    /// <summary>Canonical JSON written from the documented rules, not from the service's code: keys sorted by ordinal, no white space, plain numbers.</summary>
    private static string Canonical(JsonNode node) => node switch
    {
        JsonObject o => "{" + string.Join(',', o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => JsonSerializer.Serialize(p.Key) + ":" + (p.Value is null ? "null" : Canonical(p.Value)))) + "}",
        JsonArray a => "[" + string.Join(',', a.Select(v => v is null ? "null" : Canonical(v))) + "]",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => decimal.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        _ => JsonSerializer.Serialize(node),
    };

    [Fact]
    public async Task a_seal_made_from_the_json_sent_verifies_against_the_json_postgresql_gives_back()
    {
        // Numbers PostgreSQL's jsonb writes differently from System.Text.Json.
        var sent = Host.Services.GetRequiredService<IDocumentStore>().Options.Serializer()
            .ToJson(new { tiny = 1e-7, huge = 1e21, negativeZero = -0.0, pi = Math.PI, third = 1.0 / 3, text = "Ma'arrat al-Nu'man <\u0645\u0639\u0631\u0629>" });
        var stored = (string)(await Ledger.ScalarAsync($"select '{sent.Replace("'", "''", StringComparison.Ordinal)}'::jsonb::text"))!;
        output.WriteLine($"sent:   {sent}\nstored: {stored}");

        stored.ShouldNotBe(sent);
        HashChain.Canonical(stored).ShouldNotBe(HashChain.Canonical(sent), "the chain hashes what PostgreSQL gives back, never what was sent");
        Seals.CanonicalData(stored).ShouldBe(Seals.CanonicalData(sent));
    }
}
