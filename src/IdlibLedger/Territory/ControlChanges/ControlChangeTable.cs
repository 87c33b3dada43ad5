using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace IdlibLedger.Territory.ControlChanges;

/// <summary>
/// Every version of every control change, with its area (GiST-indexed), when it took effect (valid time) and the
/// transaction time it was the ledger's word, [recorded_at, superseded_at): a correction closes the version before it
/// and adds one, a retraction only closes it. "Who held point P at T, as known at K" is the latest change (by valid
/// time, then recording order) among the versions valid at K, with occurred_from ≤ T, whose area covers P: one index
/// query, since gaining ground takes it from everyone else. <c>seq</c> is the recording order of the change itself
/// (its first event), so a correction does not move it among changes with the same valid time.
/// </summary>
public sealed class ControlChangeTable(string schema) : IProjection
{
    public const string Name = "control_changes";

    public Table SchemaObject()
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("change_id").AsPrimaryKey();
        // Version 1 by default: rows written before corrections existed are each change's first and only version.
        table.AddColumn("version", "integer").AsPrimaryKey().DefaultValueByExpression("1");
        table.AddColumn("seq", "bigint").NotNull().AddIndex();
        table.AddColumn<string>("actor").NotNull();
        table.AddColumn("area", "geometry(MultiPolygon, 4326)").NotNull();
        table.AddColumn("occurred_from", "timestamptz").NotNull();
        table.AddColumn("recorded_at", "timestamptz").NotNull();
        table.AddColumn("superseded_at", "timestamptz").AllowNulls();
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_area") { Columns = ["area"], Method = IndexMethod.gist });
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_time") { Columns = ["occurred_from", "recorded_at"] });
        return table;
    }

    /// <summary>The versions the ledger held at <paramref name="asOf"/> (an SQL parameter or expression), over the alias <paramref name="alias"/>.</summary>
    public static string ValidAt(string alias, string asOf) =>
        $"{alias}.recorded_at <= {asOf} and ({alias}.superseded_at is null or {alias}.superseded_at > {asOf})";

    /// <summary>The events <see cref="ApplyAsync"/> reads (a rebuild fetches only these): one case each below.</summary>
    public static readonly Type[] Events = [typeof(ControlChanged), typeof(ControlChangeCorrected), typeof(ControlChangeRetracted)];

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operations);
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case ControlChanged change:
                    // seq: recording order among changes with the same valid time; the event timestamp's ticks are
                    // monotonic per writer and deterministic on rebuild.
                    operations.QueueSqlCommand(
                        $"insert into {schema}.{Name} (change_id, version, seq, actor, area, occurred_from, recorded_at) " +
                        "values (?, 1, ?, ?, ST_Multi(ST_GeomFromGeoJSON(?)), ?, ?) on conflict (change_id, version) do nothing",
                        change.ChangeId, e.Timestamp.UtcTicks, change.Actor, change.Area.GetRawText(), change.Occurrence.Window().From, e.Timestamp);
                    break;
                case ControlChangeCorrected corrected:
                    // Close the current version and add the corrected one after it, in the change's place (seq).
                    operations.QueueSqlCommand(
                        $"with closed as (update {schema}.{Name} set superseded_at = ? where change_id = ? and superseded_at is null returning version, seq) " +
                        $"insert into {schema}.{Name} (change_id, version, seq, actor, area, occurred_from, recorded_at) " +
                        "select ?, closed.version + 1, closed.seq, ?, ST_Multi(ST_GeomFromGeoJSON(?)), ?, ? from closed",
                        e.Timestamp, corrected.ChangeId, corrected.ChangeId, corrected.Fact.Actor, corrected.Fact.Area.GetRawText(),
                        corrected.Fact.Occurrence.Window().From, e.Timestamp);
                    break;
                case ControlChangeRetracted retracted:
                    operations.QueueSqlCommand(
                        $"update {schema}.{Name} set superseded_at = ? where change_id = ? and superseded_at is null",
                        e.Timestamp, retracted.ChangeId);
                    break;
            }
        }

        return Task.CompletedTask;
    }
}
