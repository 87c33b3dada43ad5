using Npgsql;

namespace IdlibLedger.Audit;

/// <summary>
/// An event row as PostgreSQL stores it: what the chain hashes, what the seal covers, and the seal. The chain,
/// the verifier and the bundles read rows with this one column list and this one reader.
/// </summary>
public sealed record EventRow(
    long Sequence, Guid Id, Guid StreamId, long Version, string Type, DateTimeOffset RecordedAt,
    string? RecordedBy, string? CorrelationId, string? CausationId, bool? Archived, string Data, string? Seal)
{
    /// <summary>The columns <see cref="Read"/> reads, from <c>mt_events</c> aliased <c>e</c>.</summary>
    public const string Columns =
        "e.seq_id, e.id, e.stream_id, e.version, e.type, e.timestamp, e.user_name, e.correlation_id, e.causation_id, e.is_archived, e.data::text, e.headers ->> 'seal'";

    public ChainLink Link => new(Sequence, StreamId, Version, Type, RecordedAt, Data);

    public SealedEvent Sealed(long? version) => new(Id, StreamId, version, Type, RecordedAt, RecordedBy, CorrelationId, CausationId, Archived, Data);

    /// <summary>The row whose <see cref="Columns"/> start at column <paramref name="first"/>.</summary>
    public static EventRow Read(NpgsqlDataReader reader, int first = 0)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string? Text(int column) => reader.IsDBNull(first + column) ? null : reader.GetString(first + column);
        return new EventRow(
            reader.GetInt64(first), reader.GetGuid(first + 1),
            // The column allows null; a row forged with none must be named, not crash the verifier.
            reader.IsDBNull(first + 2) ? Guid.Empty : reader.GetGuid(first + 2),
            reader.GetInt64(first + 3), reader.GetString(first + 4), reader.GetFieldValue<DateTimeOffset>(first + 5),
            Text(6), Text(7), Text(8), reader.IsDBNull(first + 9) ? null : reader.GetBoolean(first + 9), reader.GetString(first + 10), Text(11));
    }

    /// <summary>The stored rows of these sequences, in global order.</summary>
    public static async Task<IReadOnlyList<EventRow>> ReadAsync(NpgsqlConnection connection, string schema, long[] sequences, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand($"select {Columns} from {schema}.mt_events e where e.seq_id = any(@seqs) order by e.seq_id", connection);
        command.Parameters.AddWithValue("seqs", sequences);
        var rows = new List<EventRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            rows.Add(Read(reader));
        }

        return rows;
    }
}
