using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shouldly;
using Xunit.Abstractions;

namespace IdlibLedger.FaultTests;

/// <summary>
/// Two nodes of one ledger on one database, written to at once; the node that runs the audit chain projection and
/// signs the checkpoints is SIGKILLed while writes go on to the other, which takes both over.
/// </summary>
[Collection(FaultGroup.Name)]
public sealed class killing_the_node_that_runs_the_projections(Faults faults, ITestOutputHelper output)
{
    private const string Desk = "fault-nodes";
    private const string ChainShard = "AuditChain:All";
    private const int WritersPerNode = 4;
    private const int AcknowledgedBeforeTheKill = 150;

    /// <summary>Marten's leadership poll (1 s) plus starting the agent, with room for a loaded machine.</summary>
    private static readonly TimeSpan TakeoverBound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task the_other_node_takes_the_chain_and_the_signer_over_and_nothing_is_skipped_or_applied_twice()
    {
        // Two nodes of their own, so that the signer runs every second; the fixture's node is back at the end.
        await faults.Service.KillAsync();
        var folder = Path.GetDirectoryName(faults.Service.LogFile)!;
        await using var first = Node(folder, "node-a");
        await using var second = Node(folder, "node-b");
        try
        {
            // The first node started alone holds both locks: the one it loses is the one the test kills.
            await first.StartAsync();
            var leading = await UntilAsync(first, duties => duties.Runs(ChainShard) && duties.SignsCheckpoints, TimeSpan.FromSeconds(60));
            var secondStartedAt = DateTimeOffset.UtcNow;
            await second.StartAsync();
            var following = await DutiesAsync(second);
            following.Runs(ChainShard).ShouldBeFalse("the chain projection runs on one node only");
            following.SignsCheckpoints.ShouldBeFalse("one node signs");
            leading = await DutiesAsync(first);
            leading.Runs(ChainShard).ShouldBeTrue();
            var firstKey = await KeyIdAsync(first);

            var toFirst = new Writers(first.BaseAddress, faults.ApiKey, WritersPerNode, Desk);
            var toSecond = new Writers(second.BaseAddress, faults.ApiKey, WritersPerNode, Desk);
            toFirst.Start();
            toSecond.Start();
            for (var waited = 0; (toFirst.Acknowledged.Count < AcknowledgedBeforeTheKill / 2 || toSecond.Acknowledged.Count < AcknowledgedBeforeTheKill / 2) && waited < 60_000; waited += 50)
            {
                await Task.Delay(50);
            }

            var beforeTheKill = toFirst.Acknowledged.Count + toSecond.Acknowledged.Count;
            var clock = Stopwatch.StartNew();
            await first.KillAsync();
            var killed = clock.Elapsed;
            // From here the first node is gone: a checkpoint signed later can only be the other's.
            var killedAt = DateTimeOffset.UtcNow;
            var projectionMoves = TimedAsync(clock, UntilAsync(second, duties => duties.Runs(ChainShard), TakeoverBound));
            var signerMoves = TimedAsync(clock, UntilAsync(second, duties => duties.SignsCheckpoints, TakeoverBound));
            // Its clients fail over: whatever the dead node did not acknowledge is sent again, same id, to the other.
            await toFirst.StopAsync(patience: TimeSpan.Zero);
            var failingOver = Stopwatch.StartNew();
            var failedOver = await ResendAsync(second, toFirst.NeverAcknowledged);
            failingOver.Stop();
            var (takenOver, takeover) = await projectionMoves;
            var (signing, signerTakeover) = await signerMoves;
            // Writes go on a while with the chain on the surviving node.
            await Task.Delay(TimeSpan.FromSeconds(3));
            await toSecond.StopAsync(patience: TimeSpan.FromSeconds(60));

            var chainCaughtUp = await ChainCaughtUpAsync(TimeSpan.FromSeconds(60));
            var events = (long)(await faults.ScalarAsync($"select count(*) from {Faults.Schema}.mt_events"))!;
            var links = (long)(await faults.ScalarAsync($"select count(*) from {Faults.Schema}.audit_chain"))!;
            using var auditor = Auditor(second);
            var verification = await auditor.GetFromJsonAsync<JsonElement>("/api/audit/verify");
            var recorded = await faults.StreamCountsAsync("attack_reported", Desk);
            var acknowledged = toFirst.Acknowledged.Concat(toSecond.Acknowledged).Concat(failedOver).ToHashSet();
            var lost = acknowledged.Count(id => !recorded.ContainsKey(id));
            var duplicated = recorded.Count(r => r.Value > 1);
            var checkpoints = (await auditor.GetFromJsonAsync<JsonElement[]>("/api/audit/checkpoints?limit=1000"))!;
            var signedAfter = checkpoints.Where(c => c.GetProperty("signedAt").GetDateTimeOffset() > killedAt).ToList();
            var signedWhileBothRan = checkpoints.Where(c => c.GetProperty("signedAt").GetDateTimeOffset() is var at && at > secondStartedAt && at < killedAt).ToList();
            var secondKey = await KeyIdAsync(second);

            Figures.Print(output, string.Create(CultureInfo.InvariantCulture,
                $"[faults] two nodes, the one running the chain projection and the signer SIGKILLed ({killed.TotalSeconds:F1} s to die): takeover of the projection {takeover.TotalSeconds:F1} s (bound {TakeoverBound.TotalSeconds:F0} s), of the signer {signerTakeover.TotalSeconds:F1} s; acknowledged {beforeTheKill} before the kill and {acknowledged.Count} in all ({failedOver.Count} of {toFirst.NeverAcknowledged.Count} unanswered by the dead node acknowledged by the other in {failingOver.Elapsed.TotalSeconds:F1} s), lost {lost}, duplicated {duplicated}; chain {links} links for {events} events, caught up {chainCaughtUp.TotalSeconds:F1} s after the writes; checkpoints signed while both ran {signedWhileBothRan.Count}, by the first node {signedWhileBothRan.Count(c => c.GetProperty("keyId").GetString() == firstKey)}; after the kill {signedAfter.Count}, by the surviving node {signedAfter.Count(c => c.GetProperty("keyId").GetString() == secondKey)}; statuses node A: {toFirst.Describe()}; node B: {toSecond.Describe()}"));

            takenOver.Runs(ChainShard).ShouldBeTrue();
            signing.SignsCheckpoints.ShouldBeTrue();
            takeover.ShouldBeLessThan(TakeoverBound);
            acknowledged.Count.ShouldBeGreaterThanOrEqualTo(AcknowledgedBeforeTheKill);
            lost.ShouldBe(0);
            duplicated.ShouldBe(0);
            toSecond.NeverAcknowledged.ShouldBeEmpty();
            failedOver.Count.ShouldBe(toFirst.NeverAcknowledged.Count);
            recorded.Keys.Count(id => !acknowledged.Contains(id) && !toFirst.NeverAcknowledged.Contains(id)).ShouldBe(0);
            toSecond.Statuses.Keys.Where(s => s.StartsWith('5')).ShouldBeEmpty(toSecond.Describe());

            // Every event exactly once in the chain, and the chain sound.
            links.ShouldBe(events);
            verification.GetProperty("ok").GetBoolean().ShouldBeTrue(verification.ToString());
            verification.GetProperty("checked").GetInt64().ShouldBe(events);
            verification.GetProperty("pending").GetInt64().ShouldBe(0);

            // Checkpoints after the kill: some, every one by the surviving node (each node has a signing key of its own).
            signedAfter.ShouldNotBeEmpty();
            signedAfter.ShouldAllBe(c => c.GetProperty("keyId").GetString() == secondKey);
            signedWhileBothRan.ShouldAllBe(c => c.GetProperty("keyId").GetString() == firstKey);
        }
        finally
        {
            await first.KillAsync();
            await second.KillAsync();
            await faults.Service.StartAsync();
        }
    }

    /// <summary>A node signing every second with a key of its own (so a checkpoint names its signer); the seal key is shared.</summary>
    private Service Node(string folder, string name) => new(faults.ConnectionString, Faults.FreePort(), folder, name, new Dictionary<string, string>
    {
        ["Audit__CheckpointInterval"] = "00:00:01",
        ["Audit__SigningKeyPath"] = Path.Combine(folder, $"{name}-signing-key.pem"),
    });

    private HttpClient Auditor(Service node)
    {
        var client = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Add("X-Api-Key", faults.ApiKey);
        return client;
    }

    private async Task<string?> KeyIdAsync(Service node)
    {
        using var client = Auditor(node);
        var keys = await client.GetFromJsonAsync<JsonElement[]>("/api/audit/keys");
        return keys!.Single(key => key.GetProperty("current").GetBoolean()).GetProperty("keyId").GetString();
    }

    private async Task<Duties> DutiesAsync(Service node)
    {
        using var client = Auditor(node);
        return (await client.GetFromJsonAsync<Duties>("/health/node", new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;
    }

    private async Task<Duties> UntilAsync(Service node, Func<Duties, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var duties = await DutiesAsync(node);
            if (condition(duties) || DateTime.UtcNow > deadline)
            {
                return duties;
            }

            await Task.Delay(100);
        }
    }

    private static async Task<(T Value, TimeSpan At)> TimedAsync<T>(Stopwatch clock, Task<T> task)
    {
        var value = await task;
        return (value, clock.Elapsed);
    }

    /// <summary>
    /// Sends each report again, same id and Idempotency-Key as <see cref="Writers"/> used, until acknowledged: a report
    /// the dead node committed but did not answer is 409 "still being processed" for up to 30 s, then 200.
    /// </summary>
    private async Task<List<Guid>> ResendAsync(Service node, IEnumerable<Guid> ids)
    {
        using var client = Auditor(node);
        var acknowledged = new List<Guid>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        foreach (var id in ids)
        {
            while (DateTime.UtcNow < deadline)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/attacks") { Content = new StringContent(Writers.Report(id, Desk), Encoding.UTF8, "application/json") };
                request.Headers.Add("Idempotency-Key", $"fault-{id:N}");
                using var response = await client.SendAsync(request);
                if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                {
                    acknowledged.Add(id);
                    break;
                }

                await Task.Delay(250);
            }
        }

        return acknowledged;
    }

    /// <summary>How long after the writes the chain reached the last event.</summary>
    private async Task<TimeSpan> ChainCaughtUpAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var behind = $"select (select coalesce(max(seq_id), 0) from {Faults.Schema}.mt_events) - (select coalesce(max(seq), 0) from {Faults.Schema}.audit_chain)";
        while ((long)(await faults.ScalarAsync(behind))! > 0 && clock.Elapsed < timeout)
        {
            await Task.Delay(100);
        }

        return clock.Elapsed;
    }

    private sealed record Duties(string Daemon, IReadOnlyList<RunningShard> Projections, bool SignsCheckpoints)
    {
        public bool Runs(string shard) => Projections.Any(p => p.Shard == shard && p.Status == "Running");
    }

    private sealed record RunningShard(string Shard, string Status, long Position);
}
