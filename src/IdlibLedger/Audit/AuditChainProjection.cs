using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace IdlibLedger.Audit;

/// <summary>
/// Keeps the hash chain beside the events: an asynchronous projection, so that the daemon hands it the events
/// in strict global order once no earlier transaction can still commit. It hashes the event rows as PostgreSQL
/// stores them, so a later UPDATE or DELETE of a row breaks the chain at that sequence.
/// </summary>
public sealed class AuditChainProjection(string schema, NpgsqlDataSource database) : IProjection
{
    public const string Name = "audit_chain";
    public const string ProjectionName = "AuditChain";

    public Table SchemaObject()
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<long>("seq").AsPrimaryKey();
        table.AddColumn<Guid>("stream_id").NotNull();
        table.AddColumn<long>("version").NotNull();
        table.AddColumn<string>("type").NotNull();
        table.AddColumn("recorded_at", "timestamptz").NotNull();
        table.AddColumn<string>("hash").NotNull();
        return table;
    }

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        var sequences = events.Select(e => e.Sequence).ToArray();
        await using var connection = await database.OpenConnectionAsync(cancellation);
        var previous = await LastHashBeforeAsync(connection, sequences.Min(), cancellation);
        foreach (var link in await ReadLinksAsync(connection, schema, sequences, cancellation))
        {
            previous = HashChain.Next(previous, link);
            operations.QueueSqlCommand(
                $"insert into {schema}.{Name} (seq, stream_id, version, type, recorded_at, hash) values (?, ?, ?, ?, ?, ?) on conflict (seq) do nothing",
                link.Sequence, link.StreamId, link.Version, link.Type, link.RecordedAt, previous);
        }
    }

    private async Task<string> LastHashBeforeAsync(NpgsqlConnection connection, long sequence, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand($"select hash from {schema}.{Name} where seq < @seq order by seq desc limit 1", connection);
        command.Parameters.AddWithValue("seq", sequence);
        return await command.ExecuteScalarAsync(cancellation) as string ?? HashChain.Genesis;
    }

    /// <summary>The stored event rows, in global order.</summary>
    public static async Task<IReadOnlyList<ChainLink>> ReadLinksAsync(NpgsqlConnection connection, string schema, long[] sequences, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(
            $"select seq_id, stream_id, version, type, timestamp, data::text from {schema}.mt_events where seq_id = any(@seqs) order by seq_id", connection);
        command.Parameters.AddWithValue("seqs", sequences);
        var links = new List<ChainLink>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            links.Add(Read(reader));
        }

        return links;
    }

    public static ChainLink Read(NpgsqlDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new ChainLink(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5));
    }
}
