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
/// stores them, so a later UPDATE or DELETE of a row breaks the chain at that sequence. It links only the rows
/// whose seal verifies: a row inserted with SQL, or changed between its commit and its chaining, is left out of
/// the chain (and so out of every checkpoint), and the verifier names it.
/// </summary>
public sealed partial class AuditChainProjection(string schema, NpgsqlDataSource database, SealKey seals, ILogger<AuditChainProjection> logger) : IProjection
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
        var links = new List<(ChainLink Link, string Hash)>(sequences.Length);
        foreach (var row in await EventRow.ReadAsync(connection, schema, sequences, cancellation))
        {
            // One parse of the stored data gives both what the seal covers and what the chain hashes.
            var (asWritten, plainNumbers) = HashChain.CanonicalForms(row.Data);
            if (seals.Problem(row, plainNumbers) is { } problem)
            {
                LogRefused(logger, row.Sequence, problem);
                continue;
            }

            var link = row.Link;
            previous = HashChain.Next(previous, link, asWritten);
            links.Add((link, previous));
        }

        // One statement for the batch, not one per event.
        if (links.Count > 0)
        {
            operations.QueueSqlCommand(
                $"insert into {schema}.{Name} (seq, stream_id, version, type, recorded_at, hash) " +
                "select * from unnest(?::bigint[], ?::uuid[], ?::bigint[], ?::text[], ?::timestamptz[], ?::text[]) on conflict (seq) do nothing",
                links.Select(l => l.Link.Sequence).ToArray(), links.Select(l => l.Link.StreamId).ToArray(), links.Select(l => l.Link.Version).ToArray(),
                links.Select(l => l.Link.Type).ToArray(), links.Select(l => l.Link.RecordedAt).ToArray(), links.Select(l => l.Hash).ToArray());
        }
    }

    private async Task<string> LastHashBeforeAsync(NpgsqlConnection connection, long sequence, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand($"select hash from {schema}.{Name} where seq < @seq order by seq desc limit 1", connection);
        command.Parameters.AddWithValue("seq", sequence);
        return await command.ExecuteScalarAsync(cancellation) as string ?? HashChain.Genesis;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit chain leaves out the event at sequence {Sequence}: {Problem}")]
    private static partial void LogRefused(ILogger logger, long sequence, string problem);
}
