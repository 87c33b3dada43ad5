using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using IdlibLedger.Audit;
using IdlibLedger.Tests.Fixtures;
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
