using IdlibLedger.Access;
using IdlibLedger.Audit;
using JasperFx.Events.Daemon;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// <c>GET /health/node</c>: which of the work done by one node of several this node does now — the async projections
/// Marten's HotCold daemon runs here (none on a node that does not hold the daemon's lock) and whether it signs the
/// periodic checkpoints. For operators and auditors (auditor role), not probes; left out of the API description.
/// </summary>
public static class NodeDuties
{
    /// <summary>What this node runs.</summary>
    /// <param name="Daemon">The async daemon's mode (HotCold: one node of several runs it).</param>
    /// <param name="Projections">The projection shards running on this node, with their status and position.</param>
    /// <param name="SignsCheckpoints">Whether this node holds the checkpoint signer's lock.</param>
    public sealed record Duties(string Daemon, IReadOnlyList<RunningShard> Projections, bool SignsCheckpoints);

    /// <param name="Shard">The shard's identity, e.g. <c>AuditChain:All</c>.</param>
    /// <param name="Status">Running, Paused or Stopped.</param>
    /// <param name="Position">The last event sequence it has processed.</param>
    public sealed record RunningShard(string Shard, string Status, long Position);

    public static IEndpointRouteBuilder MapNodeDuties(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/node", (IProjectionCoordinator coordinator, CheckpointScheduler signer) =>
            {
                var agents = coordinator.DaemonForMainDatabase().CurrentAgents();
                return new Duties(
                    (coordinator as Marten.Events.Daemon.Coordination.ProjectionCoordinator)?.Mode.ToString() ?? "Disabled",
                    [.. agents.Select(agent => new RunningShard(agent.Name.Identity, agent.Status.ToString(), agent.Position)).OrderBy(shard => shard.Shard, StringComparer.Ordinal)],
                    signer.Leads);
            })
            .RequireAuthorization(Policies.Audit)
            .ExcludeFromDescription();
        return app;
    }
}
