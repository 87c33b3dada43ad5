using IdlibLedger.Infrastructure;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace IdlibLedger.Territory.ObservationPosts;

/// <summary>
/// Where each observation post stands now (GiST-indexed), for spatial questions such as "posts inside this area":
/// the latest recorded place and status, name and operator as last corrected. A correction of the point it was
/// established at moves it only while it has not been relocated; a retracted post's row goes. No read takes an asOf here.
/// </summary>
public sealed class ObservationPostTable(string schema) : IProjection
{
    public const string Name = "observation_posts";

    public Table SchemaObject()
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("post_id").AsPrimaryKey();
        table.AddColumn<string>("name").NotNull();
        table.AddColumn<string>("operator").NotNull();
        table.AddColumn<string>("status").NotNull();
        table.AddColumn("location", "geometry(Point, 4326)").NotNull();
        table.AddColumn("relocated", "boolean").NotNull().DefaultValueByExpression("false");
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_location") { Columns = ["location"], Method = IndexMethod.gist });
        return table;
    }

    /// <summary>The events <see cref="ApplyAsync"/> reads (a rebuild fetches only these): one case each below.</summary>
    public static readonly Type[] Events = [typeof(ObservationPostEstablished), typeof(ObservationPostRelocated), typeof(ObservationPostCorrected), typeof(ObservationPostRetracted), typeof(ObservationPostStatusChanged)];

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operations);
        foreach (var data in events.Select(e => e.Data))
        {
            switch (data)
            {
                case ObservationPostEstablished e:
                    operations.QueueSqlCommand(
                        $"insert into {schema}.{Name} (post_id, name, operator, status, location) values (?, ?, ?, ?, ST_GeomFromGeoJSON(?)) on conflict (post_id) do nothing",
                        e.PostId, e.Name, e.Operator, Wire.Name(ObservationPostStatus.Active), e.Location.GetRawText());
                    break;
                case ObservationPostRelocated e:
                    operations.QueueSqlCommand($"update {schema}.{Name} set location = ST_GeomFromGeoJSON(?), relocated = true where post_id = ?", e.Location.GetRawText(), e.PostId);
                    break;
                case ObservationPostCorrected e:
                    operations.QueueSqlCommand(
                        $"update {schema}.{Name} set name = ?, operator = ?, location = case when relocated then location else ST_GeomFromGeoJSON(?) end where post_id = ?",
                        e.Post.Name, e.Post.Operator, e.Post.Location.GetRawText(), e.PostId);
                    break;
                case ObservationPostRetracted e:
                    operations.QueueSqlCommand($"delete from {schema}.{Name} where post_id = ?", e.PostId);
                    break;
                case ObservationPostStatusChanged e:
                    operations.QueueSqlCommand($"update {schema}.{Name} set status = ? where post_id = ?", Wire.Name(e.Status), e.PostId);
                    break;
            }
        }

        return Task.CompletedTask;
    }
}
