using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace IdlibLedger.Territory.ControlChanges;

/// <summary>
/// Every control change with its area (GiST-indexed), when it took effect (valid time) and when the ledger
/// recorded it (transaction time). "Who held point P at T, as known at K" is the latest change (by valid time,
/// then recording order) with occurred_from ≤ T, recorded_at ≤ K whose area covers P: one index query, since
/// gaining ground takes it from everyone else.
/// </summary>
public sealed class ControlChangeTable(string schema) : IProjection
{
    public const string Name = "control_changes";

    public Table SchemaObject()
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("change_id").AsPrimaryKey();
        table.AddColumn("seq", "bigint").NotNull().AddIndex();
        table.AddColumn<string>("actor").NotNull();
        table.AddColumn("area", "geometry(MultiPolygon, 4326)").NotNull();
        table.AddColumn("occurred_from", "timestamptz").NotNull();
        table.AddColumn("recorded_at", "timestamptz").NotNull();
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_area") { Columns = ["area"], Method = IndexMethod.gist });
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_time") { Columns = ["occurred_from", "recorded_at"] });
        return table;
    }

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operations);
        foreach (var e in events.Where(e => e.Data is ControlChanged))
        {
            var change = (ControlChanged)e.Data;
            // seq: recording order among changes with the same valid time; the event timestamp's ticks are
            // monotonic per writer and deterministic on rebuild.
            operations.QueueSqlCommand(
                $"insert into {schema}.{Name} (change_id, seq, actor, area, occurred_from, recorded_at) values (?, ?, ?, ST_Multi(ST_GeomFromGeoJSON(?)), ?, ?) on conflict (change_id) do nothing",
                change.ChangeId, e.Timestamp.UtcTicks, change.Actor, change.Area.GetRawText(), change.Occurrence.Window().From, e.Timestamp);
        }

        return Task.CompletedTask;
    }
}
