using Marten;
using Npgsql;

namespace IdlibLedger.Audit;

/// <summary>The answer of a verification: OK, or the first sequence that does not match and why.</summary>
public sealed record VerificationReport(bool Ok, long Checked, long? FirstBadSequence, string? Reason, long? HeadSequence, string? HeadHash, long? From, long? To);

/// <summary>
/// Recomputes the hash chain from the event rows as they are now and compares it with the links stored when the
/// events were chained. A changed row, a deleted row, or an event slipped in afterwards is named by its sequence.
/// </summary>
public sealed class ChainVerifier(NpgsqlDataSource database, IDocumentStore store)
{
    private string Schema => store.Options.DatabaseSchemaName;

    public async Task<VerificationReport> VerifyAsync(long? from, long? to, CancellationToken cancellation)
    {
        await using var connection = await database.OpenConnectionAsync(cancellation);
        var previous = HashChain.Genesis;
        if (from is { } start)
        {
            // A range starts from the stored link before it, which an earlier verification vouched for.
            await using var before = new NpgsqlCommand($"select hash from {Schema}.{AuditChainProjection.Name} where seq < @seq order by seq desc limit 1", connection);
            before.Parameters.AddWithValue("seq", start);
            previous = await before.ExecuteScalarAsync(cancellation) as string ?? HashChain.Genesis;
        }

        await using var command = new NpgsqlCommand(
            "select coalesce(c.seq, e.seq_id), e.seq_id, e.stream_id, e.version, e.type, e.timestamp, e.data::text, c.hash " +
            $"from {Schema}.{AuditChainProjection.Name} c full outer join {Schema}.mt_events e on e.seq_id = c.seq " +
            $"where coalesce(c.seq, e.seq_id) <= (select coalesce(max(seq), 0) from {Schema}.{AuditChainProjection.Name}) " +
            "and coalesce(c.seq, e.seq_id) >= @from and coalesce(c.seq, e.seq_id) <= @to order by 1", connection);
        command.Parameters.AddWithValue("from", from ?? 0);
        command.Parameters.AddWithValue("to", to ?? long.MaxValue);
        long checkedCount = 0;
        long? head = null;
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            var sequence = reader.GetInt64(0);
            if (reader.IsDBNull(1))
            {
                return Bad(sequence, "the event is in the chain but no longer in the event store (deleted after it was chained)");
            }

            if (reader.IsDBNull(7))
            {
                return Bad(sequence, "the event is not in the chain: it was inserted after later events were chained, or its link was removed");
            }

            var link = new ChainLink(sequence, reader.GetGuid(2), reader.GetInt64(3), reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetString(6));
            var recomputed = HashChain.Next(previous, link);
            if (recomputed != reader.GetString(7))
            {
                return Bad(sequence, "the stored event no longer hashes to its link: its data or metadata changed after it was chained");
            }

            previous = recomputed;
            head = sequence;
            checkedCount++;
        }

        return new VerificationReport(true, checkedCount, null, null, head, head is null ? null : previous, from, to);

        VerificationReport Bad(long sequence, string reason) => new(false, checkedCount, sequence, reason, head, head is null ? null : previous, from, to);
    }

    /// <summary>The hash of the link at <paramref name="sequence"/>, recomputed from the events up to it (null: not chained).</summary>
    public async Task<(string? Recomputed, string? Stored)> HashAtAsync(long sequence, CancellationToken cancellation)
    {
        var report = await VerifyAsync(null, sequence, cancellation);
        await using var stored = database.CreateCommand($"select hash from {Schema}.{AuditChainProjection.Name} where seq = @seq");
        stored.Parameters.AddWithValue("seq", sequence);
        var storedHash = await stored.ExecuteScalarAsync(cancellation) as string;
        return (report.Ok && report.HeadSequence == sequence ? report.HeadHash : null, storedHash);
    }
}
