using Marten;
using Npgsql;

namespace IdlibLedger.Audit;

/// <summary>
/// The answer of a verification: OK, or the first bad sequence and why; <c>BadEvents</c> names every bad one (up
/// to <see cref="ChainVerifier.MaxBadEvents"/>, of <c>BadEventCount</c>). <c>Pending</c> counts the events the chain
/// has not reached yet, whose seals were checked.
/// </summary>
/// <param name="Ok">Whether every checked event is sound.</param>
/// <param name="Checked">Events checked.</param>
/// <param name="FirstBadSequence">The first bad event's sequence, or null.</param>
/// <param name="Reason">Why it is bad, or null.</param>
/// <param name="HeadSequence">The chain's head sequence.</param>
/// <param name="HeadHash">The chain's head hash, hex.</param>
/// <param name="From">First sequence checked.</param>
/// <param name="To">Last sequence checked.</param>
public sealed record VerificationReport(bool Ok, long Checked, long? FirstBadSequence, string? Reason, long? HeadSequence, string? HeadHash, long? From, long? To)
{
    /// <summary>Every event that failed its check, with why (the first ones, when there are many).</summary>
    public IReadOnlyList<BadEvent> BadEvents { get; init; } = [];

    /// <summary>How many events failed their check in all.</summary>
    public long BadEventCount { get; init; }

    /// <summary>Events recorded but not yet linked into the chain (the chain projection runs a moment behind).</summary>
    public long Pending { get; init; }

    /// <summary>False when a bundle was verified without the seal key: the chain and the checkpoint were checked, the seals were not.</summary>
    public bool SealsChecked { get; init; } = true;
}

/// <summary>An event that fails verification: its sequence and why.</summary>
/// <param name="Sequence">The event's sequence.</param>
/// <param name="Reason">What is wrong with it.</param>
public sealed record BadEvent(long Sequence, string Reason);

/// <summary>
/// Recomputes the hash chain from the event rows as they are now, compares it with the links stored when the
/// events were chained, and checks every event's seal, chained or not yet. A changed row, a deleted row, a row
/// inserted with SQL, or an event slipped in afterwards is named by its sequence; every one of them, not just the
/// first.
/// </summary>
public sealed class ChainVerifier(NpgsqlDataSource database, IDocumentStore store, SealKey seals, Infrastructure.LedgerMetrics metrics)
{
    /// <summary>The most bad events one answer names; <c>from</c> and <c>to</c> page through more.</summary>
    public const int MaxBadEvents = 10_000;

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

        // How far the chain has read the events: a row up to there without a link was left out (or its link removed).
        await using var reach = new NpgsqlCommand(
            $"select greatest((select coalesce(max(seq), 0) from {Schema}.{AuditChainProjection.Name}), " +
            $"(select coalesce(max(last_seq_id), 0) from {Schema}.mt_event_progression where name = '{AuditChainProjection.ProjectionName}:All'))", connection);
        var walk = new Walk(seals, (long)(await reach.ExecuteScalarAsync(cancellation))!, previous);

        await using var command = new NpgsqlCommand(
            $"select coalesce(c.seq, e.seq_id), c.hash, e.seq_id is not null, {EventRow.Columns} " +
            $"from {Schema}.{AuditChainProjection.Name} c full outer join {Schema}.mt_events e on e.seq_id = c.seq " +
            "where coalesce(c.seq, e.seq_id) >= @from and coalesce(c.seq, e.seq_id) <= @to order by 1", connection);
        command.Parameters.AddWithValue("from", from ?? 0);
        command.Parameters.AddWithValue("to", to ?? long.MaxValue);
        var bad = new List<BadEvent>();
        long badCount = 0;
        long? head = null;
        string? headHash = null;
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            var sequence = reader.GetInt64(0);
            var stored = reader.IsDBNull(1) ? null : reader.GetString(1);
            if (walk.Check(sequence, stored, reader.GetBoolean(2) ? EventRow.Read(reader, first: 3) : null) is { } problem)
            {
                badCount++;
                if (bad.Count < MaxBadEvents)
                {
                    bad.Add(new BadEvent(sequence, problem));
                }
            }
            else if (badCount == 0 && stored is not null)
            {
                // The head is the last link of the unbroken stretch: everything up to it verifies.
                (head, headHash) = (sequence, stored);
            }
        }

        if (badCount > 0)
        {
            metrics.VerificationFailed("chain");
        }

        return new VerificationReport(badCount == 0, walk.Checked, bad.FirstOrDefault()?.Sequence, bad.FirstOrDefault()?.Reason, head, headHash, from, to)
        {
            BadEvents = bad,
            BadEventCount = badCount,
            Pending = walk.Pending,
        };
    }

    /// <summary>The chain recomputed sequence by sequence, and what is wrong with each.</summary>
    private sealed class Walk(SealKey seals, long reached, string previous)
    {
        public long Checked { get; private set; }

        public long Pending { get; private set; }

        /// <summary>What is wrong at <paramref name="sequence"/> (null: nothing); <paramref name="row"/> is null when the event is gone.</summary>
        public string? Check(long sequence, string? stored, EventRow? row)
        {
            if (row is null)
            {
                // Later links follow the stored one, so that one deleted event does not make every later one fail.
                previous = stored!;
                Checked++;
                return "the event is in the chain but no longer in the event store (deleted after it was chained)";
            }

            var sealProblem = seals.Problem(row);
            if (stored is null)
            {
                if (sequence > reached)
                {
                    Pending++;
                    return sealProblem is null ? null : sealProblem + " (not chained yet)";
                }

                return sealProblem is null
                    ? "the event is not in the chain: it was inserted after later events were chained, or its link was removed"
                    : sealProblem + "; the chain left it out";
            }

            Checked++;
            var recomputed = HashChain.Next(previous, row.Link);
            previous = stored;
            var chainProblem = recomputed == stored ? null
                : "the stored event no longer hashes to its link: its data, stream, version, type or timestamp changed after it was chained";
            return sealProblem is null ? chainProblem
                : chainProblem is null ? sealProblem
                : sealProblem + "; " + chainProblem;
        }
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
