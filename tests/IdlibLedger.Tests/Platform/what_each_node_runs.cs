using System.Net;
using System.Net.Http.Json;
using Alba;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

/// <summary>GET /health/node on two nodes of one schema: the chain projection and the signer each on one of them.</summary>
public sealed class what_each_node_runs(LedgerFixture ledger) : LedgerTest(ledger)
{
    private const string ChainShard = "AuditChain:All";

    [Fact]
    public async Task of_two_nodes_on_one_schema_one_runs_the_chain_projection_and_one_signs()
    {
        const string schema = "ledger_two_nodes";
        await Ledger.ExecuteAsync($"drop schema if exists {schema} cascade");
        var settings = new Dictionary<string, string> { ["Ledger:SharedDataPath"] = "/nonexistent", ["Audit:CheckpointInterval"] = "00:00:00.2" };
        await using var first = await Ledger.StartHostAsync(schema, settings);
        await using var second = await Ledger.StartHostAsync(schema, settings);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        NodeDuties.Duties[] duties;
        do
        {
            await Task.Delay(200);
            duties = [await DutiesAsync(first), await DutiesAsync(second)];
        }
        while ((!duties.Any(Runs) || !duties.Any(d => d.SignsCheckpoints)) && DateTime.UtcNow < deadline);

        duties.ShouldAllBe(d => d.Daemon == "HotCold");
        duties.Count(Runs).ShouldBe(1);
        duties.Count(d => d.Projections.Count > 0).ShouldBe(1, "the daemon runs on one node, every async shard with it");
        duties.Count(d => d.SignsCheckpoints).ShouldBe(1);
    }

    [Fact]
    public async Task what_a_node_runs_is_for_auditors()
    {
        using var anyone = Host.AnonymousClient();
        using var viewer = Host.Client(Credentials.TestDesk, Roles.Viewer);

        (await anyone.GetAsync("/health/node")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await viewer.GetAsync("/health/node")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    private static bool Runs(NodeDuties.Duties duties) => duties.Projections.Any(p => p.Shard == ChainShard && p.Status == "Running");

    private static async Task<NodeDuties.Duties> DutiesAsync(IAlbaHost node)
    {
        using var client = node.Client(Credentials.TestDesk, Roles.Auditor);
        return (await client.GetFromJsonAsync<NodeDuties.Duties>("/health/node"))!;
    }
}
