using System.Runtime.CompilerServices;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;
using IdlibLedger.Infrastructure;

namespace IdlibLedger.Importing;

/// <summary>An import as the log keeps it: who sent it, when, its counts once it finished, and until when it is kept.</summary>
public sealed record ImportEntry(Guid Id, string RecordedBy, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, DateTimeOffset KeptUntil);

/// <summary>
/// Every import, every row it rejected and every warning it gave, kept for <c>Ledger:ImportRejectionDays</c> (7 by
/// default) so that an import's answer holds its counts and the first rejections and warnings and links the full
/// lists. The one home of the tables <c>imports</c>, <c>import_rejections</c> and <c>import_warnings</c>: their
/// columns, writers and reads. Not a read model: nothing in the ledger's events says what a file held, so a rebuild
/// leaves these tables alone and they expire on their own.
/// </summary>
public sealed class ImportLog(NpgsqlDataSource database, IDocumentStore store, IOptions<LedgerOptions> options)
{
    public const string ImportsTable = "imports";
    public const string RejectionsTable = "import_rejections";
    public const string WarningsTable = "import_warnings";

    /// <summary>How long rejections are kept unless Ledger:ImportRejectionDays says otherwise.</summary>
    public const double DefaultDays = 7;

    private string Schema => store.Options.DatabaseSchemaName;

    /// <summary>How long an import's rejections are kept: Ledger:ImportRejectionDays, at least one hour.</summary>
    public TimeSpan KeptFor => TimeSpan.FromDays(Math.Max(1.0 / 24, options.Value.ImportRejectionDays));

    public static IEnumerable<Table> SchemaObjects(string schema)
    {
        var imports = new Table(new PostgresqlObjectName(schema, ImportsTable, SchemaUtils.IdentifierUsage.General));
        imports.AddColumn<Guid>("id").AsPrimaryKey();
        imports.AddColumn<string>("recorded_by").NotNull();
        imports.AddColumn("started_at", "timestamptz").NotNull();
        imports.AddColumn("finished_at", "timestamptz").AllowNulls();
        imports.AddColumn("kept_until", "timestamptz").NotNull();
        foreach (var count in new[] { "rows", "imported", "already_present", "rejected" })
        {
            imports.AddColumn<long>(count).AllowNulls();
        }

        imports.Indexes.Add(new IndexDefinition($"ix_{ImportsTable}_kept_until") { Columns = ["kept_until"] });
        yield return imports;

        // The key (import, line) is also the order the report is read in.
        var rejections = new Table(new PostgresqlObjectName(schema, RejectionsTable, SchemaUtils.IdentifierUsage.General));
        rejections.AddColumn<Guid>("import_id").AsPrimaryKey();
        rejections.AddColumn<long>("line").AsPrimaryKey();
        rejections.AddColumn<string>("ucdp_id").AllowNulls();
        rejections.AddColumn("columns", "text[]").NotNull();
        rejections.AddColumn("reasons", "text[]").NotNull();
        yield return rejections;

        // A row can give more than one warning: the key adds its place among them.
        var warnings = new Table(new PostgresqlObjectName(schema, WarningsTable, SchemaUtils.IdentifierUsage.General));
        warnings.AddColumn<Guid>("import_id").AsPrimaryKey();
        warnings.AddColumn<long>("line").AsPrimaryKey();
        warnings.AddColumn<int>("n").AsPrimaryKey();
        warnings.AddColumn<string>("ucdp_id").NotNull();
        warnings.AddColumn("columns", "text[]").NotNull();
        warnings.AddColumn<string>("reason").NotNull();
        warnings.AddColumn<string>("repair").NotNull();
        yield return warnings;
    }

    public async Task BeginAsync(ImportEntry entry, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var command = database.CreateCommand(
            $"insert into {Schema}.{ImportsTable} (id, recorded_by, started_at, kept_until) values ($1, $2, $3, $4)");
        command.Parameters.Add(new() { Value = entry.Id });
        command.Parameters.Add(new() { Value = entry.RecordedBy });
        command.Parameters.Add(new() { Value = entry.StartedAt.ToUniversalTime() });
        command.Parameters.Add(new() { Value = entry.KeptUntil.ToUniversalTime() });
        await command.ExecuteNonQueryAsync(cancellation);
    }

    /// <summary>Adds rejected rows (COPY): an import hands them on a window at a time, never all at once.</summary>
    public async Task AddRejectionsAsync(Guid import, IReadOnlyCollection<RejectedRow> rows, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var copy = await connection.BeginBinaryImportAsync(
            $"copy {Schema}.{RejectionsTable} (import_id, line, ucdp_id, columns, reasons) from stdin (format binary)", cancellation);
        foreach (var row in rows)
        {
            await copy.StartRowAsync(cancellation);
            await copy.WriteAsync(import, NpgsqlDbType.Uuid, cancellation);
            await copy.WriteAsync(row.Line, NpgsqlDbType.Bigint, cancellation);
            await copy.WriteAsync(row.UcdpId, NpgsqlDbType.Text, cancellation);
            await copy.WriteAsync(row.Columns.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellation);
            await copy.WriteAsync(row.Reasons.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellation);
        }

        await copy.CompleteAsync(cancellation);
    }

    /// <summary>Adds warnings (COPY), a window at a time like the rejections; a row's warnings come together, in order.</summary>
    public async Task AddWarningsAsync(Guid import, IReadOnlyCollection<ImportWarning> warnings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        if (warnings.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var copy = await connection.BeginBinaryImportAsync(
            $"copy {Schema}.{WarningsTable} (import_id, line, n, ucdp_id, columns, reason, repair) from stdin (format binary)", cancellation);
        var (line, n) = (-1L, 0);
        foreach (var warning in warnings)
        {
            (line, n) = (warning.Line, warning.Line == line ? n + 1 : 1);
            await copy.StartRowAsync(cancellation);
            await copy.WriteAsync(import, NpgsqlDbType.Uuid, cancellation);
            await copy.WriteAsync(warning.Line, NpgsqlDbType.Bigint, cancellation);
            await copy.WriteAsync(n, NpgsqlDbType.Integer, cancellation);
            await copy.WriteAsync(warning.UcdpId, NpgsqlDbType.Text, cancellation);
            await copy.WriteAsync(warning.Columns.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellation);
            await copy.WriteAsync(warning.Reason, NpgsqlDbType.Text, cancellation);
            await copy.WriteAsync(warning.Repair, NpgsqlDbType.Text, cancellation);
        }

        await copy.CompleteAsync(cancellation);
    }

    /// <summary>Whether an import started and never finished (killed, or failed): only such an import can leave events without their read-model rows.</summary>
    public async Task<bool> AnyUnfinishedAsync(CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"select exists (select 1 from {Schema}.{ImportsTable} where finished_at is null)");
        return (bool)(await command.ExecuteScalarAsync(cancellation))!;
    }

    public async Task FinishAsync(Guid import, DateTimeOffset finishedAt, long rows, long imported, long alreadyPresent, long rejected, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"update {Schema}.{ImportsTable} set finished_at = $2, rows = $3, imported = $4, already_present = $5, rejected = $6 where id = $1");
        foreach (var value in new object[] { import, finishedAt.ToUniversalTime(), rows, imported, alreadyPresent, rejected })
        {
            command.Parameters.Add(new() { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellation);
    }

    public async Task<ImportEntry?> FindAsync(Guid import, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"select recorded_by, started_at, finished_at, kept_until from {Schema}.{ImportsTable} where id = $1");
        command.Parameters.Add(new() { Value = import });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        return await reader.ReadAsync(cancellation)
            ? new ImportEntry(import, reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3))
            : null;
    }

    /// <summary>
    /// The last line of the page of <paramref name="limit"/> rows after line <paramref name="after"/> in
    /// <paramref name="table"/> (a row's warnings are one row of a page, never split), or null when the page is
    /// empty; without a limit the page is everything after <paramref name="after"/>.
    /// </summary>
    private async Task<long?> PageEndAsync(string table, Guid import, long after, int? limit, CancellationToken cancellation)
    {
        if (limit is null)
        {
            return long.MaxValue;
        }

        await using var command = database.CreateCommand(
            $"select max(line) from (select distinct line from {Schema}.{table} where import_id = $1 and line > $2 order by line limit $3) page");
        command.Parameters.Add(new() { Value = import });
        command.Parameters.Add(new() { Value = after });
        command.Parameters.Add(new() { Value = (long)limit });
        return await command.ExecuteScalarAsync(cancellation) is long last ? last : null;
    }

    /// <summary>The last line of the rejections' page of <paramref name="limit"/> rows (all without one) after line <paramref name="after"/>; null when it is empty.</summary>
    public Task<long?> RejectionsPageEndAsync(Guid import, long after, int? limit, CancellationToken cancellation) =>
        PageEndAsync(RejectionsTable, import, after, limit, cancellation);

    /// <summary>The last line of the warnings' page of <paramref name="limit"/> rows (all without one) after line <paramref name="after"/>; null when it is empty.</summary>
    public Task<long?> WarningsPageEndAsync(Guid import, long after, int? limit, CancellationToken cancellation) =>
        PageEndAsync(WarningsTable, import, after, limit, cancellation);

    /// <summary>The import's rejected rows in line order, after line <paramref name="after"/> up to line <paramref name="until"/>, read as they are enumerated.</summary>
    public async IAsyncEnumerable<RejectedRow> RejectionsAsync(
        Guid import, long after, long until, [EnumeratorCancellation] CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"select line, ucdp_id, columns, reasons from {Schema}.{RejectionsTable} where import_id = $1 and line > $2 and line <= $3 order by line");
        command.Parameters.Add(new() { Value = import });
        command.Parameters.Add(new() { Value = after });
        command.Parameters.Add(new() { Value = until });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            yield return new RejectedRow(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetFieldValue<string[]>(2), reader.GetFieldValue<string[]>(3));
        }
    }

    /// <summary>The import's warnings in line order (a row's in the order it gave them), after line <paramref name="after"/> up to line <paramref name="until"/>, read as they are enumerated.</summary>
    public async IAsyncEnumerable<ImportWarning> WarningsAsync(
        Guid import, long after, long until, [EnumeratorCancellation] CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"select line, ucdp_id, columns, reason, repair from {Schema}.{WarningsTable} where import_id = $1 and line > $2 and line <= $3 order by line, n");
        command.Parameters.Add(new() { Value = import });
        command.Parameters.Add(new() { Value = after });
        command.Parameters.Add(new() { Value = until });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            yield return new ImportWarning(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<string[]>(2), reader.GetString(3), reader.GetString(4));
        }
    }

    /// <summary>Deletes the imports kept until before <paramref name="now"/>, their rejections and warnings; returns how many imports.</summary>
    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellation)
    {
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        foreach (var table in new[] { RejectionsTable, WarningsTable })
        {
            await using var rows = new NpgsqlCommand(
                $"delete from {Schema}.{table} r using {Schema}.{ImportsTable} i where r.import_id = i.id and i.kept_until < $1", connection, transaction);
            rows.Parameters.Add(new() { Value = now.ToUniversalTime() });
            await rows.ExecuteNonQueryAsync(cancellation);
        }

        int deleted;
        await using (var imports = new NpgsqlCommand($"delete from {Schema}.{ImportsTable} where kept_until < $1", connection, transaction))
        {
            imports.Parameters.Add(new() { Value = now.ToUniversalTime() });
            deleted = await imports.ExecuteNonQueryAsync(cancellation);
        }

        await transaction.CommitAsync(cancellation);
        return deleted;
    }
}

/// <summary>Deletes the import log's expired imports, rejections and warnings, once an hour (the download refuses them sooner).</summary>
public sealed partial class ImportLogExpiry(ImportLog log, LedgerClock clock, ILogger<ImportLogExpiry> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            try
            {
                await log.DeleteExpiredAsync(clock.GetUtcNow(), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired import rejections failed; the next hour tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
