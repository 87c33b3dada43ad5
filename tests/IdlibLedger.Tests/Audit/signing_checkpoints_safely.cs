using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Alba;
using IdlibLedger.Audit;
using IdlibLedger.Tests.Fixtures;
using Marten;
using Marten.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Shouldly;
using Xunit.Abstractions;

namespace IdlibLedger.Tests.Audit;

/// <summary>Checkpoints signed at once, by exports, by the hourly signer on several nodes, and across a key rotation.</summary>
public sealed class signing_checkpoints_safely(LedgerFixture ledger, ITestOutputHelper output) : LedgerTest(ledger)
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.ChainCaughtUpAsync();
    }

    [Fact]
    public async Task twenty_checkpoints_asked_for_at_once_are_all_signed_and_reads_beside_them_are_unaffected()
    {
        var attack = await Host.ReportedAttackAsync();
        await Ledger.ChainCaughtUpAsync();
        using var client = Host.Client();
        client.Timeout = TimeSpan.FromSeconds(30);

        var watch = Stopwatch.StartNew();
        var signing = Enumerable.Range(0, 20).Select(_ => client.PostAsync("/api/audit/checkpoints", null)).ToList();
        var reading = Enumerable.Range(0, 20).Select(_ => client.GetAsync($"/api/attacks/{attack}")).ToList();
        var answers = await Task.WhenAll(signing.Concat(reading)).WaitAsync(TimeSpan.FromSeconds(30));
        watch.Stop();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"20 checkpoints + 20 reads at once: {watch.ElapsedMilliseconds} ms"));

        try
        {
            answers.Take(20).Select(a => a.StatusCode).ShouldAllBe(s => s == HttpStatusCode.Created);
            answers.Skip(20).Select(a => a.StatusCode).ShouldAllBe(s => s == HttpStatusCode.OK);
            var key = (await KeysAsync(client)).Single();
            var stored = await CheckpointsAsync(client);
            stored.Count.ShouldBe(20);
            stored.ShouldAllBe(c => c.IsSignedBy(key.PublicKeyPem));
            // Newest first, in the order they were signed.
            stored.Select(c => c.SignedAt).ShouldBeInOrder(SortDirection.Descending);
        }
        finally
        {
            foreach (var answer in answers)
            {
                answer.Dispose();
            }
        }
    }

    [Fact]
    public async Task an_export_reuses_the_latest_checkpoint_until_the_head_moves()
    {
        await Host.ReportedAttackAsync();
        await Ledger.ChainCaughtUpAsync();
        using var client = Host.Client();

        var first = await ExportedCheckpointAsync(client);
        var again = await ExportedCheckpointAsync(client);
        again.ShouldBe(first);
        (await CheckpointsAsync(client)).Count.ShouldBe(1);

        await Host.ReportedAttackAsync();
        await Ledger.ChainCaughtUpAsync();
        var moved = await ExportedCheckpointAsync(client);
        moved.Sequence.ShouldBeGreaterThan(first.Sequence);
        (await CheckpointsAsync(client)).Count.ShouldBe(2);

        // POST always signs anew, and the next export takes that newest checkpoint of the same head.
        using var created = await client.PostAsync("/api/audit/checkpoints", null);
        var posted = (await created.JsonAsync()).As<Checkpoint>();
        posted.ShouldNotBe(moved);
        (await ExportedCheckpointAsync(client)).ShouldBe(posted);
        (await CheckpointsAsync(client)).Count.ShouldBe(3);
    }

    [Fact]
    public async Task the_hourly_signer_runs_on_one_node_signs_only_when_the_head_moved_and_another_node_takes_over()
    {
        const string schema = "ledger_signer_nodes";
        await Ledger.ExecuteAsync($"drop schema if exists {schema} cascade");
        var settings = new Dictionary<string, string>
        {
            ["Ledger:SharedDataPath"] = "/nonexistent",
            ["Audit:CheckpointInterval"] = "00:00:00.2",
        };
        var first = await Ledger.StartHostAsync(schema, settings);
        await using var second = await Ledger.StartHostAsync(schema, settings);
        Task<object?> Count() => Ledger.ScalarAsync($"select count(*) from {schema}.{CheckpointStore.Name}");
        long signed;
        try
        {
            await first.ReportedAttackAsync();
            await SignedHeadAsync(first, schema);
            signed = (long)(await Count())!;
            // Ten ticks on each node with the head standing still.
            await Task.Delay(TimeSpan.FromSeconds(2));
            (await Count()).ShouldBe(signed);
            (await Ledger.ScalarAsync(
                "select count(*) from pg_locks where locktype = 'advisory' and granted and objsubid = 2 " +
                $"and classid = {CheckpointScheduler.LeaderLock} and objid = hashtext('{schema}')::oid")).ShouldBe(1L);

            await second.ReportedAttackAsync();
            await SignedHeadAsync(second, schema);
            (await Count()).ShouldBe(signed + 1);
        }
        finally
        {
            await first.DisposeAsync();
        }

        // Whichever node was signing, the one left signs the next move.
        await second.ReportedAttackAsync();
        await SignedHeadAsync(second, schema);
        (await Count()).ShouldBe(signed + 2);
        (await Ledger.ScalarAsync($"select count(distinct (seq, hash)) from {schema}.{CheckpointStore.Name}")).ShouldBe(signed + 2);
    }

    [Fact]
    public async Task after_a_key_rotation_both_keys_are_listed_with_their_periods_and_both_checkpoints_verify()
    {
        const string schema = "ledger_key_rotation";
        await Ledger.ExecuteAsync($"drop schema if exists {schema} cascade");
        var keyA = Path.Combine(Path.GetTempPath(), $"idlib-ledger-key-a-{Guid.NewGuid():N}.pem");
        var keyB = Path.Combine(Path.GetTempPath(), $"idlib-ledger-key-b-{Guid.NewGuid():N}.pem");
        try
        {
            Checkpoint old;
            await using (var before = await Ledger.StartHostAsync(schema, new Dictionary<string, string> { ["Ledger:SharedDataPath"] = "/nonexistent", ["Audit:SigningKeyPath"] = keyA }))
            {
                await before.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
                old = await SignedAsync(before);
            }

            await using var after = await Ledger.StartHostAsync(schema, new Dictionary<string, string> { ["Ledger:SharedDataPath"] = "/nonexistent", ["Audit:SigningKeyPath"] = keyB });
            await after.ReportedAttackAsync();
            await after.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
            var current = await SignedAsync(after);
            current.KeyId.ShouldNotBe(old.KeyId);

            using var client = after.Client();
            var keys = JsonNode.Parse(await client.GetStringAsync("/api/audit/keys"))!.AsArray();
            keys.Select(k => k!["keyId"]!.GetValue<string>()).ShouldBe([old.KeyId, current.KeyId]);
            keys.Select(k => k!["current"]!.GetValue<bool>()).ShouldBe([false, true]);
            foreach (var (key, checkpoint) in keys.Zip([old, current]))
            {
                key!["firstSignedAt"]!.GetValue<DateTimeOffset>().ShouldBe(checkpoint.SignedAt);
                key["lastSignedAt"]!.GetValue<DateTimeOffset>().ShouldBe(checkpoint.SignedAt);
                checkpoint.IsSignedBy(key["publicKeyPem"]!.GetValue<string>()).ShouldBeTrue();
            }

            old.IsSignedBy(keys[1]!["publicKeyPem"]!.GetValue<string>()).ShouldBeFalse();
            foreach (var checkpoint in new[] { old, current })
            {
                var consistency = await after.GetJsonAsync(
                    $"/api/audit/consistency?sequence={checkpoint.Sequence}&hash={checkpoint.Hash}&recordedAt={Uri.EscapeDataString(checkpoint.RecordedAt.ToString("O"))}" +
                    $"&signedAt={Uri.EscapeDataString(checkpoint.SignedAt.ToString("O"))}&keyId={checkpoint.KeyId}&signature={Uri.EscapeDataString(checkpoint.Signature)}");
                consistency["signatureValid"]!.GetValue<bool>().ShouldBeTrue(consistency.ToJsonString());
                consistency["consistent"]!.GetValue<bool>().ShouldBeTrue(consistency.ToJsonString());
            }
        }
        finally
        {
            File.Delete(keyA);
            File.Delete(keyB);
        }

        static async Task<Checkpoint> SignedAsync(IAlbaHost host)
        {
            using var client = host.Client();
            using var created = await client.PostAsync("/api/audit/checkpoints", null);
            created.StatusCode.ShouldBe(HttpStatusCode.Created);
            return (await created.JsonAsync()).As<Checkpoint>();
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void a_generated_signing_key_is_readable_by_its_owner_only()
    {
        var path = Path.Combine(Path.GetTempPath(), $"idlib-ledger-key-{Guid.NewGuid():N}", "audit-signing-key.pem");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Audit:SigningKeyPath"] = path }).Build();
        try
        {
            using var generated = new CheckpointSigner(configuration, new HostingEnvironment { EnvironmentName = "Testing" });

            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            using var reread = new CheckpointSigner(configuration, new HostingEnvironment { EnvironmentName = "Testing" });
            reread.KeyId.ShouldBe(generated.KeyId);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    /// <summary>Waits for the chain to take the new events and for a checkpoint of its head to be stored.</summary>
    private async Task SignedHeadAsync(IAlbaHost host, string schema)
    {
        await host.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        var watch = Stopwatch.StartNew();
        var head = (long)(await Ledger.ScalarAsync($"select max(seq) from {schema}.{AuditChainProjection.Name}"))!;
        while ((long)(await Ledger.ScalarAsync($"select count(*) from {schema}.{CheckpointStore.Name} where seq = {head}"))! == 0)
        {
            watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), $"no checkpoint of sequence {head}");
            await Task.Delay(100);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sequence {head} signed {watch.ElapsedMilliseconds} ms after the chain took it"));
    }

    private static async Task<Checkpoint> ExportedCheckpointAsync(HttpClient client)
    {
        var bundle = await client.GetByteArrayAsync("/api/audit/export");
        Bundles.Verify(bundle).Ok.ShouldBeTrue();
        return JsonNode.Parse(bundle)!["checkpoint"]!.As<Checkpoint>();
    }

    private static async Task<List<Checkpoint>> CheckpointsAsync(HttpClient client) =>
        JsonNode.Parse(await client.GetStringAsync("/api/audit/checkpoints?limit=1000"))!.As<List<Checkpoint>>();

    private static async Task<List<PublicKey>> KeysAsync(HttpClient client) =>
        JsonNode.Parse(await client.GetStringAsync("/api/audit/keys"))!.As<List<PublicKey>>();
}
