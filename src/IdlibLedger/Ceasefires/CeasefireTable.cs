using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace IdlibLedger.Ceasefires;

/// <summary>
/// Each ceasefire's area (GiST-indexed) and current period, as last corrected, for "which ceasefire covers this
/// route" checks when a corridor opens or is corrected (always against what the ledger holds now; no read takes an
/// asOf here). A retracted ceasefire covers nothing: its row goes.
/// </summary>
public sealed class CeasefireTable(string schema) : IProjection
{
    public const string Name = "ceasefires";

    public Table SchemaObject()
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("ceasefire_id").AsPrimaryKey();
        table.AddColumn("parties", "text[]").NotNull();
        table.AddColumn("area", "geometry(MultiPolygon, 4326)").NotNull();
        table.AddColumn("effective_from", "timestamptz").NotNull();
        table.AddColumn("effective_until", "timestamptz").AllowNulls();
        table.AddColumn("collapsed_at", "timestamptz").AllowNulls();
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_area") { Columns = ["area"], Method = IndexMethod.gist });
        return table;
    }

    /// <summary>The events <see cref="ApplyAsync"/> reads (a rebuild fetches only these): one case each below.</summary>
    public static readonly Type[] Events = [typeof(CeasefireDeclared), typeof(CeasefireExtended), typeof(CeasefireCorrected), typeof(CeasefireRetracted), typeof(CeasefireCollapsed)];

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operations);
        foreach (var data in events.Select(e => e.Data))
        {
            switch (data)
            {
                case CeasefireDeclared e:
                    operations.QueueSqlCommand(
                        $"insert into {schema}.{Name} (ceasefire_id, parties, area, effective_from, effective_until) values (?, ?, ST_Multi(ST_GeomFromGeoJSON(?)), ?, ?::timestamptz) on conflict do nothing",
                        e.CeasefireId, e.Parties.ToArray(), e.Area.GetRawText(), e.EffectiveFrom, (object?)e.EffectiveUntil ?? DBNull.Value);
                    break;
                case CeasefireExtended e:
                    operations.QueueSqlCommand($"update {schema}.{Name} set effective_until = ?::timestamptz where ceasefire_id = ?", (object?)e.EffectiveUntil ?? DBNull.Value, e.CeasefireId);
                    break;
                case CeasefireCorrected e:
                    operations.QueueSqlCommand(
                        $"update {schema}.{Name} set parties = ?, area = ST_Multi(ST_GeomFromGeoJSON(?)), effective_from = ?, effective_until = ?::timestamptz where ceasefire_id = ?",
                        e.Ceasefire.Parties.ToArray(), e.Ceasefire.Area.GetRawText(), e.Ceasefire.EffectiveFrom, (object?)e.Ceasefire.EffectiveUntil ?? DBNull.Value, e.CeasefireId);
                    break;
                case CeasefireRetracted e:
                    operations.QueueSqlCommand($"delete from {schema}.{Name} where ceasefire_id = ?", e.CeasefireId);
                    break;
                case CeasefireCollapsed e:
                    operations.QueueSqlCommand($"update {schema}.{Name} set collapsed_at = ? where ceasefire_id = ?", e.EndedAt, e.CeasefireId);
                    break;
            }
        }

        return Task.CompletedTask;
    }
}
