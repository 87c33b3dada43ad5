using System.Data;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Serialization;
using IdlibLedger.Attacks;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Ceasefires;
using IdlibLedger.Infrastructure;
using IdlibLedger.Territory;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace IdlibLedger.Audit;

/// <summary>How a live row differs from the rebuilt one.</summary>
[JsonConverter(typeof(WireEnumConverter<RowDifferenceKind>))]
public enum RowDifferenceKind
{
    /// <summary>Both have the row (same key), with different values.</summary>
    Changed,

    /// <summary>The rebuild has the row; the live table does not.</summary>
    Missing,

    /// <summary>The live table has a row that no event gives.</summary>
    Extra,
}

/// <summary>
/// One column of a differing row: its value in the live table and in the rebuild, as text; a long value is shown
/// from a little before the first character where the two differ, shortened.
/// </summary>
/// <param name="Column">The column.</param>
/// <param name="Live">Its live value.</param>
/// <param name="Rebuilt">Its rebuilt value.</param>
public sealed record ColumnDifference(string Column, string? Live, string? Rebuilt);

/// <summary>A row of a read-model table that differs from the rebuild: the table, the row's key, how, and which columns.</summary>
/// <param name="Table">The table.</param>
/// <param name="Key">The row's key columns and values.</param>
/// <param name="Kind">How the row differs.</param>
/// <param name="Columns">The differing columns.</param>
public sealed record RowDifference(string Table, IReadOnlyDictionary<string, string> Key, RowDifferenceKind Kind, IReadOnlyList<ColumnDifference> Columns);

/// <summary>One table compared: its rows live and rebuilt, and how many rows differ in each way.</summary>
/// <param name="Table">The table.</param>
/// <param name="LiveRows">Rows in the live table.</param>
/// <param name="RebuiltRows">Rows rebuilt.</param>
/// <param name="Changed">Rows that differ.</param>
/// <param name="Missing">Rows the live table lacks.</param>
/// <param name="Extra">Rows only the live table has.</param>
public sealed record TableComparison(string Table, long LiveRows, long RebuiltRows, long Changed, long Missing, long Extra)
{
    /// <summary>Rows that differ in any way: changed, missing or extra.</summary>
    public long Differing => Changed + Missing + Extra;
}

/// <summary>
/// The answer of a read-model verification: whether every read-model table equals a rebuild from the events up to
/// <c>Sequence</c> (the head), per table the counts, and the first differing rows (<c>Truncated</c> when there are more).
/// </summary>
/// <param name="Ok">Whether the live tables match the rebuild.</param>
/// <param name="Sequence">The head sequence checked at.</param>
/// <param name="Events">Events replayed.</param>
/// <param name="Projections">Projections rebuilt.</param>
/// <param name="Tables">The comparison per table.</param>
/// <param name="Differences">The first `limit` differing rows.</param>
/// <param name="Truncated">Whether more differences exist than listed.</param>
/// <param name="ElapsedMilliseconds">How long the check took, ms.</param>
public sealed record ReadModelReport(
    bool Ok, long Sequence, long Events, IReadOnlyList<string> Projections, IReadOnlyList<TableComparison> Tables,
    IReadOnlyList<RowDifference> Differences, bool Truncated, long ElapsedMilliseconds);

/// <summary>
/// Rebuilds every read model (the service's inline projections) from the events into a scratch schema and compares
/// the result row by row with the live tables. All of it runs in one REPEATABLE READ transaction that is rolled back:
/// the events replayed and the live rows compared are the same snapshot (inline projections commit with their
/// events), however many writes arrive meanwhile, and the scratch schema never outlives the verification.
/// The hash chain (an asynchronous projection) is not a read model: <see cref="ChainVerifier"/> checks it.
/// </summary>
public sealed class ReadModelVerifier(IDocumentStore store, NpgsqlDataSource database, Infrastructure.LedgerMetrics metrics)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>Events replayed per batch, as the projection daemon pages them in a rebuild.</summary>
    public const int BatchSize = 1000;

    /// <summary>Longest value text a difference shows (a report or an area can be kilobytes).</summary>
    public const int MaxValueLength = 200;

    private string Schema => store.Options.DatabaseSchemaName;

    /// <summary>
    /// Verifies at the head, or at <paramref name="to"/> if it is the head; null with the head when it is not: the
    /// live tables show the ledger at its head, and no older state of them is kept to compare with.
    /// </summary>
    public async Task<(ReadModelReport? Report, long Head)> VerifyAsync(long? to, int limit, CancellationToken cancellation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var clock = Stopwatch.StartNew();
        var scratch = $"{Schema}_rebuild_{Guid.NewGuid():N}"[..Math.Min(63, Schema.Length + 21)];
        var readModels = ReadModels.For(scratch);
        AssertEveryReadModelIsKnown(readModels);

        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellation);
        // The snapshot starts with the first statement: the head is the last event it sees.
        await ExecuteAsync(connection, transaction, "set local time zone 'UTC'", cancellation);
        var head = (long)(await ScalarAsync(connection, transaction, $"select coalesce(max(seq_id), 0) from {Schema}.mt_events", cancellation))!;
        if (to is { } wanted && wanted != head)
        {
            await transaction.RollbackAsync(cancellation);
            return (null, head);
        }

        await ExecuteAsync(connection, transaction, readModels.CreateSql(), cancellation);
        var events = await ReplayAsync(transaction, readModels.Projections, head, cancellation);

        var tables = new List<TableComparison>();
        var differences = new List<RowDifference>();
        var truncated = false;
        foreach (var table in readModels.Tables.Where(t => TimelineQueries.ComparedRows(Schema, t.Identifier.Name) is not null))
        {
            var (comparison, rows) = await CompareAsync(connection, transaction, table, scratch, Math.Max(0, limit - differences.Count), cancellation);
            tables.Add(comparison);
            differences.AddRange(rows);
            truncated |= rows.Count < comparison.Differing;
        }

        await transaction.RollbackAsync(cancellation);
        var report = new ReadModelReport(
            tables.All(t => t.Differing == 0), head, events, [.. readModels.Projections.Select(p => p.Name)], tables, differences, truncated,
            clock.ElapsedMilliseconds);
        if (!report.Ok)
        {
            metrics.VerificationFailed("read_models");
        }

        return (report, head);
    }

    /// <summary>The read models as the service configures them, for a schema of their own.</summary>
    private sealed record ReadModels(IReadOnlyList<(string Name, IProjection Projection)> Projections, IReadOnlyList<Table> Tables)
    {
        /// <summary>
        /// The capabilities' own configuration (as <see cref="Infrastructure.EventStore"/> calls it) applied to options for
        /// <paramref name="schema"/>: their projections write there, and their tables are declared there.
        /// </summary>
        public static ReadModels For(string schema)
        {
            var options = new StoreOptions { DatabaseSchemaName = schema };
            AttacksConfiguration.Configure(options);
            TerritoryConfiguration.Configure(options);
            CeasefiresConfiguration.Configure(options);
            var projections = options.Projections.All.Select(source => source is ProjectionWrapper<IDocumentOperations, IQuerySession> { Inner: IProjection projection }
                ? (source.Name, projection)
                : throw new InvalidOperationException($"the read model {source.Name} is not a table projection: the verifier cannot rebuild it"));
            return new ReadModels([.. projections], [.. options.Storage.ExtendedSchemaObjects.OfType<Table>()]);
        }

        /// <summary>The scratch schema and its tables; without secondary indexes, which would only slow the rebuild.</summary>
        public string CreateSql()
        {
            var migrator = new PostgresqlMigrator();
            using var sql = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
            sql.WriteLine($"create schema {Tables[0].Identifier.Schema};");
            foreach (var table in Tables)
            {
                table.Indexes.Clear();
                table.WriteCreateStatement(migrator, sql);
                sql.WriteLine();
            }

            return sql.ToString();
        }
    }

    /// <summary>Every inline projection of the service must be among those rebuilt, or the answer would vouch for less than it says.</summary>
    private void AssertEveryReadModelIsKnown(ReadModels readModels)
    {
        var unknown = store.Options.Events.Projections()
            .Where(p => p.Lifecycle == ProjectionLifecycle.Inline)
            .Select(p => p.Name)
            .Except(readModels.Projections.Select(p => p.Name), StringComparer.Ordinal)
            .ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"the service has read models the verifier does not rebuild: {string.Join(", ", unknown)}");
        }
    }

    /// <summary>Replays the events up to <paramref name="head"/> through every projection, in the transaction; returns how many.</summary>
    private async Task<long> ReplayAsync(NpgsqlTransaction transaction, IReadOnlyList<(string Name, IProjection Projection)> projections, long head, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(transaction, false));
        long after = 0, count = 0;
        while (true)
        {
            var events = await session.Events.QueryAllRawEvents()
                .Where(e => e.Sequence > after && e.Sequence <= head)
                .OrderBy(e => e.Sequence)
                .Take(BatchSize)
                .ToListAsync(cancellation);
            if (events.Count == 0)
            {
                return count;
            }

            foreach (var (_, projection) in projections)
            {
                await projection.ApplyAsync(session, events, cancellation);
            }

            await session.SaveChangesAsync(cancellation);
            after = events[^1].Sequence;
            count += events.Count;
        }
    }

    /// <summary>
    /// The live table against the rebuilt one, joined on the primary key: the counts of changed, missing and extra
    /// rows, and the first <paramref name="limit"/> of them with the columns that differ.
    /// </summary>
    private async Task<(TableComparison Comparison, List<RowDifference> Rows)> CompareAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Table rebuilt, string scratch, int limit, CancellationToken cancellation)
    {
        var name = rebuilt.Identifier.Name;
        var keys = rebuilt.PrimaryKeyColumns.Select(Quoted).ToList();
        var columns = rebuilt.Columns.Where(c => !c.IsPrimaryKey).ToList();
        // Some tables are compared as their owner reads them (casualty cells with their deltas folded in): it says how.
        var (live, rebuiltRelation) = (TimelineQueries.ComparedRows(Schema, name)!, TimelineQueries.ComparedRows(scratch, name)!);
        // Values are compared as they are and shown as text; areas and points as WKT.
        string Shown(string side, TableColumn column) => column.Type.StartsWith("geometry", StringComparison.OrdinalIgnoreCase)
            ? $"ST_AsText({side}.{column.QuotedName})"
            : $"{side}.{column.QuotedName}::text";
        var liveRows = string.Join(", ", columns.Select(c => $"l.{c.QuotedName}"));
        var rebuiltRows = string.Join(", ", columns.Select(c => $"r.{c.QuotedName}"));

        var sql = new StringBuilder()
            .Append($"with l as (select * from {live} l), r as (select * from {rebuiltRelation} r), ")
            .Append($"d as (select {string.Join(", ", keys.Select((k, i) => $"coalesce(l.{k}, r.{k}) as k{i}"))}, ")
            .Append($"case when l.{keys[0]} is null then 'missing' when r.{keys[0]} is null then 'extra' else 'changed' end as kind")
            .Append(string.Concat(columns.Select((c, i) => $", l.{c.QuotedName} is distinct from r.{c.QuotedName} as d{i}, {Shown("l", c)} as l{i}, {Shown("r", c)} as r{i}")))
            .Append($" from l full join r on {string.Join(" and ", keys.Select(k => $"l.{k} = r.{k}"))}")
            .Append($" where l.{keys[0]} is null or r.{keys[0]} is null or row({liveRows}) is distinct from row({rebuiltRows})) ")
            .Append($"select {string.Join(", ", keys.Select((_, i) => $"k{i}::text"))}, kind")
            .Append(string.Concat(columns.Select((_, i) => $", d{i}, l{i}, r{i}")))
            .Append(", count(*) filter (where kind = 'changed') over (), count(*) filter (where kind = 'missing') over (), count(*) filter (where kind = 'extra') over (), ")
            .Append($"(select count(*) from l), (select count(*) from r) from d order by {string.Join(", ", keys.Select((_, i) => $"k{i}"))} limit @limit");

        await using var command = new NpgsqlCommand(sql.ToString(), connection, transaction);
        // One row at least, for the counts; a limit of zero lists none.
        command.Parameters.AddWithValue("limit", Math.Max(1, limit));
        var rows = new List<RowDifference>();
        long changed = 0, missing = 0, extra = 0, liveCount = -1, rebuiltCount = -1;
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
        {
            var tail = keys.Count + 1 + (3 * columns.Count);
            while (await reader.ReadAsync(cancellation))
            {
                (changed, missing, extra) = (reader.GetInt64(tail), reader.GetInt64(tail + 1), reader.GetInt64(tail + 2));
                (liveCount, rebuiltCount) = (reader.GetInt64(tail + 3), reader.GetInt64(tail + 4));
                if (rows.Count >= limit)
                {
                    continue;
                }

                var key = rebuilt.PrimaryKeyColumns.Select((k, i) => (k, reader.GetString(i))).ToDictionary(p => p.k, p => p.Item2, StringComparer.Ordinal);
                var kind = Enum.Parse<RowDifferenceKind>(reader.GetString(keys.Count), ignoreCase: true);
                var differing = columns
                    .Select((c, i) => (Column: c, Ordinal: keys.Count + 1 + (3 * i)))
                    .Where(c => kind != RowDifferenceKind.Changed || reader.GetBoolean(c.Ordinal))
                    .Select(c => Shorten(c.Column.Name, reader.IsDBNull(c.Ordinal + 1) ? null : reader.GetString(c.Ordinal + 1), reader.IsDBNull(c.Ordinal + 2) ? null : reader.GetString(c.Ordinal + 2)))
                    .ToList();
                rows.Add(new RowDifference(name, key, kind, differing));
            }
        }

        if (liveCount < 0)
        {
            // No row differs: the counts come from the tables themselves.
            liveCount = (long)(await ScalarAsync(connection, transaction, $"select count(*) from {live} l", cancellation))!;
            rebuiltCount = (long)(await ScalarAsync(connection, transaction, $"select count(*) from {rebuiltRelation} r", cancellation))!;
        }

        return (new TableComparison(name, liveCount, rebuiltCount, changed, missing, extra), rows);
    }

    /// <summary>Both values from a little before their first difference, each at most <see cref="MaxValueLength"/> long.</summary>
    private static ColumnDifference Shorten(string column, string? live, string? rebuilt)
    {
        var same = live is null || rebuilt is null ? 0 : live.AsSpan().CommonPrefixLength(rebuilt);
        var from = Math.Max(0, same - (MaxValueLength / 4));
        return new ColumnDifference(column, Window(live), Window(rebuilt));

        string? Window(string? text) =>
            text is null ? null
            : from == 0 && text.Length <= MaxValueLength ? text
            : string.Concat(from > 0 ? "…" : string.Empty, text.AsSpan(Math.Min(from, text.Length), Math.Min(MaxValueLength, text.Length - Math.Min(from, text.Length))), from + MaxValueLength < text.Length ? "…" : string.Empty);
    }

    private static string Quoted(string identifier) => $"\"{identifier}\"";

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return await command.ExecuteScalarAsync(cancellation);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellation);
    }
}
