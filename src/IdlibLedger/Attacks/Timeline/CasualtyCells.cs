using IdlibLedger.Infrastructure;
using Marten;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace IdlibLedger.Attacks.Timeline;

/// <summary>
/// Pre-aggregated casualty sums for fast totals at any (at, asOf). Every attack version that counts (not
/// retracted) adds its figures to the cell of (the UTC day it occurred, the UTC day it was recorded) and takes them
/// away again in the cell of (the day it occurred, the day it was superseded). The sum of the cells with
/// occurred day &lt; A and recorded day &lt; R is then exactly the totals at (A, R) for day-aligned A and R, and a
/// read at any instant adds the few versions that lie between the instant and the day boundary (see
/// <see cref="TimelineQueries"/>). The cost of a read depends on the number of days, not on the number of events.
/// Cells are kept per grain (all attacks, per perpetrator, per casualty category, per party) and at four levels:
/// day × day, day × month, month × day and month × month (occurred × recorded; a month cell is dated by the month's
/// first day), so that any region "occurred before A, recorded before R" is a few month blocks and two strips of
/// days: a read sums at most a few thousand cells however many events there are. The category and party grains,
/// which have several keys per attack, are kept by month of occurrence only (levels month × day and month × month):
/// by day they held four cells in five of a sparse history, and the writes of imports were mostly theirs; reads by
/// category or party take A at a month boundary instead and correct with the versions of up to half a month.
/// <para>
/// Writers never update a cell: they insert their changes into <see cref="DeltasTableName"/>, and
/// <see cref="CasualtyCellFolding"/> folds those into the cells in the background, a second or so later. A read sums
/// both tables in one statement, so it sees every committed change whether folded or not. Updating the cells in the
/// writer's transaction made every report of the same month queue on the same rows' locks until the one before
/// committed (docs/benchmarks.md, "Throughput").
/// </para>
/// </summary>
public sealed class CasualtyCells
{
    public const string TableName = "casualty_cells";

    /// <summary>Changes not yet folded into <see cref="TableName"/>: rows of the same columns, without a key.</summary>
    public const string DeltasTableName = "casualty_cell_deltas";

    /// <summary>Most deltas one fold moves, so that a backlog (after an import, or a pause) folds in steps of bounded size.</summary>
    public const int FoldBatch = 100_000;

    public const string All = "all";
    public const string ByPerpetrator = "perpetrator";
    public const string ByCategory = "category";
    public const string ByParty = "party";

    /// <summary>The key of the group without casualties (an attack that reports none), as totals name it.</summary>
    public const string NoneKey = "";

    /// <summary>The cells and their deltas: the same columns, keyed in the cells only.</summary>
    public static IEnumerable<Table> Schema(string schema)
    {
        yield return Table(schema, TableName, keyed: true);
        yield return Table(schema, DeltasTableName, keyed: false);
    }

    private static Table Table(string schema, string name, bool keyed)
    {
        var table = new Table(new PostgresqlObjectName(schema, name, SchemaUtils.IdentifierUsage.General));
        foreach (var column in KeyColumns)
        {
            var added = column.EndsWith("_day", StringComparison.Ordinal) ? table.AddColumn(column, "date") : table.AddColumn<string>(column);
            if (keyed)
            {
                added.AsPrimaryKey();
            }
            else
            {
                added.NotNull();
            }
        }

        foreach (var column in Columns)
        {
            var added = table.AddColumn(column, "bigint").NotNull();
            if (column == "anomalous")
            {
                // Zero in cells written before the column existed: their events carry no provenance, so a rebuild agrees.
                added.DefaultValueByExpression("0");
            }
        }

        return table;
    }

    /// <summary>A cell's key: grain, level, the two days, the group and the perpetrator.</summary>
    private static readonly string[] KeyColumns = ["grain", "level", "occurred_day", "recorded_day", "key", "perpetrator"];

    /// <summary>The summed columns, in the order every query reads them: six figures, attacks, anomalous reports.</summary>
    public static readonly string[] Columns = ["killed_low", "killed_best", "killed_high", "injured_low", "injured_best", "injured_high", "attacks", "anomalous"];

    /// <summary>Where <see cref="Columns"/> counts attacks, and attacks counting repaired figures (<see cref="AttackReport.CountsRepairedFigures"/>).</summary>
    private const int Attacks = 6, Anomalous = 7;

    public readonly record struct Key(string Grain, string Level, DateOnly OccurredDay, DateOnly RecordedDay, string Group, string Perpetrator);

    /// <summary>A cell's change: its key and the sums it adds (in the order of <see cref="Columns"/>).</summary>
    public readonly record struct Cell(Key Key, long[] Values);

    /// <summary>The levels: occurred by day or month × recorded by day or month.</summary>
    public static readonly string[] Levels = ["dd", "dm", "md", "mm"];

    /// <summary>The levels of the category and party grains: occurred by month × recorded by day or month.</summary>
    public static readonly string[] MonthLevels = ["md", "mm"];

    /// <summary>Whether the grain's cells are kept by month of occurrence only.</summary>
    public static bool ByMonthOfOccurrence(string grain) => grain is ByCategory or ByParty;

    public static DateOnly MonthOf(DateOnly day) => new(day.Year, day.Month, 1);

    /// <summary>
    /// The cell deltas of a batch of versions, summed per cell: each version counted from its recording on (sign +1)
    /// or no longer from its supersession on (sign -1).
    /// </summary>
    public sealed class Changes
    {
        private readonly Dictionary<Key, long[]> _cells = [];

        /// <summary>Adds the deltas of one version at <paramref name="at"/> (a retracted version counts nowhere).</summary>
        public void Add(AttackReport report, DateTimeOffset at, int sign)
        {
            ArgumentNullException.ThrowIfNull(report);
            if (report.Retracted)
            {
                return;
            }

            var occurredDay = DateOnly.FromDateTime(report.Facts.Occurrence.Window().From.UtcDateTime);
            var recordedDay = DateOnly.FromDateTime(at.UtcDateTime);
            var perpetrator = report.Facts.Perpetrator;
            var total = new long[Columns.Length];
            var byCategory = new List<(string Key, long[] Values)>(2);
            var byParty = new List<(string Key, long[] Values)>(2);
            foreach (var casualty in report.Facts.Casualties)
            {
                var category = Wire.Name(casualty.Category ?? CasualtyCategory.Unknown);
                Count(total, casualty, sign);
                Count(Group(byCategory, category), casualty, sign);
                Count(Group(byParty, casualty.Party ?? category), casualty, sign);
            }

            var anomalous = report.CountsRepairedFigures() ? sign : 0;
            (total[Attacks], total[Anomalous]) = (sign, anomalous);
            Add(All, NoneKey, NoneKey, total);
            Add(ByPerpetrator, perpetrator, perpetrator, total);
            foreach (var (grain, groups) in new[] { (ByCategory, byCategory), (ByParty, byParty) })
            {
                // A version without casualties still counts as an attack, under the empty key.
                if (groups.Count == 0)
                {
                    groups.Add((NoneKey, new long[Columns.Length]));
                }

                foreach (var (group, values) in groups)
                {
                    (values[Attacks], values[Anomalous]) = (sign, anomalous);
                    Add(grain, group, perpetrator, values);
                }
            }

            void Add(string grain, string group, string by, long[] values)
            {
                foreach (var level in ByMonthOfOccurrence(grain) ? MonthLevels : Levels)
                {
                    var occurred = level[0] == 'd' ? occurredDay : MonthOf(occurredDay);
                    var recorded = level[1] == 'd' ? recordedDay : MonthOf(recordedDay);
                    var key = new Key(grain, level, occurred, recorded, group, by);
                    if (!_cells.TryGetValue(key, out var sum))
                    {
                        _cells[key] = sum = new long[Columns.Length];
                    }

                    for (var i = 0; i < sum.Length; i++)
                    {
                        sum[i] += values[i];
                    }
                }
            }
        }

        /// <summary>
        /// The cells that change, in key order (the deltas of the same events are then the same rows in the same
        /// order, however the dictionary hashed them).
        /// </summary>
        public Cell[] Changed() =>
            [.. _cells.Where(c => c.Value.Any(v => v != 0)).OrderBy(c => c.Key, Comparer<Key>.Create(Compare)).Select(c => new Cell(c.Key, c.Value))];

        private static long[] Group(List<(string Key, long[] Values)> groups, string key)
        {
            foreach (var group in groups)
            {
                if (group.Key == key)
                {
                    return group.Values;
                }
            }

            var values = new long[Columns.Length];
            groups.Add((key, values));
            return values;
        }

        private static void Count(long[] values, CategoryCasualties casualty, int sign)
        {
            var (killed, injured) = (casualty.KilledOrNone, casualty.InjuredOrNone);
            values[0] += sign * (long)killed.Low;
            values[1] += sign * (long)killed.Best;
            values[2] += sign * (long)killed.High;
            values[3] += sign * (long)injured.Low;
            values[4] += sign * (long)injured.Best;
            values[5] += sign * (long)injured.High;
        }
    }

    /// <summary>A cell's columns, in the order the writers give them: its key, then its sums.</summary>
    private static readonly Column<Cell>[] CellColumns =
    [
        Column<Cell>.Of("grain", "text", NpgsqlDbType.Text, c => c.Key.Grain),
        Column<Cell>.Of("level", "text", NpgsqlDbType.Text, c => c.Key.Level),
        Column<Cell>.Of("occurred_day", "date", NpgsqlDbType.Date, c => c.Key.OccurredDay),
        Column<Cell>.Of("recorded_day", "date", NpgsqlDbType.Date, c => c.Key.RecordedDay),
        Column<Cell>.Of("key", "text", NpgsqlDbType.Text, c => c.Key.Group),
        Column<Cell>.Of("perpetrator", "text", NpgsqlDbType.Text, c => c.Key.Perpetrator),
        .. Columns.Select((name, i) => Column<Cell>.Of(name, "bigint", NpgsqlDbType.Bigint, c => c.Values[i])),
    ];

    private readonly string _queued;
    private readonly string _copy;
    private readonly string _fold;
    private readonly string _vacuum;
    private readonly long _foldLock;

    public CasualtyCells(string schema)
    {
        _queued = Column<Cell>.InsertSql($"{schema}.{DeltasTableName}", CellColumns, _ => "?");
        _copy = Column<Cell>.CopySql($"{schema}.{DeltasTableName}", CellColumns);
        _fold = FoldSql(schema);
        _vacuum = $"vacuum (skip_locked) {schema}.{DeltasTableName}";
        _foldLock = FoldLock(schema);
    }

    /// <summary>Records the changes as deltas in one statement, within the session's transaction.</summary>
    public void Queue(IDocumentOperations operations, Changes changes)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(changes);
        var changed = changes.Changed();
        if (changed.Length > 0)
        {
            operations.QueueSqlCommand(_queued, Column<Cell>.Arrays(CellColumns, changed));
        }
    }

    /// <summary>Records the changes as deltas with COPY on the connection, within its transaction.</summary>
    public async Task CopyAsync(NpgsqlConnection connection, Changes changes, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var changed = changes.Changed();
        if (changed.Length > 0)
        {
            await Column<Cell>.CopyAsync(connection, _copy, CellColumns, changed, cancellation);
        }
    }

    /// <summary>
    /// Moves up to <see cref="FoldBatch"/> deltas into the cells, summed per cell, in one transaction; returns how many
    /// it moved. One node folds at a time (a transaction-scoped advisory lock; a node that does not get it moves
    /// nothing); two folds at once would still be correct, as each delta is deleted by one of them only.
    /// </summary>
    public async Task<int> FoldAsync(NpgsqlDataSource database, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await using (var locking = new NpgsqlCommand("select pg_try_advisory_xact_lock($1)", connection, transaction))
        {
            locking.Parameters.Add(new NpgsqlParameter { Value = _foldLock });
            if (await locking.ExecuteScalarAsync(cancellation) is not true)
            {
                return 0;
            }
        }

        await using var fold = new NpgsqlCommand(_fold, connection, transaction);
        var moved = Convert.ToInt32(await fold.ExecuteScalarAsync(cancellation), System.Globalization.CultureInfo.InvariantCulture);
        await transaction.CommitAsync(cancellation);
        return moved;
    }

    /// <summary>
    /// Vacuums the deltas, so that reads, which scan them, do not wade through the rows folds deleted: at a few
    /// thousand reports a second the folds delete tens of thousands of rows a second, more than autovacuum's default
    /// pace clears (a million dead deltas made casualty totals 5 → 23 ms at the median). Outside a transaction, as
    /// VACUUM must be; skipped if another vacuum holds the table, and only a warning from PostgreSQL when the service's
    /// role does not own it.
    /// </summary>
    public async Task VacuumDeltasAsync(NpgsqlDataSource database, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var command = database.CreateCommand(_vacuum);
        await command.ExecuteNonQueryAsync(cancellation);
    }

    /// <summary>
    /// The cells and the deltas not yet folded as one relation of the cells' columns (unkeyed: a cell can appear more
    /// than once), for reads that sum it in one statement and so see every change exactly once, folded or not.
    /// </summary>
    public static string Summable(string schema)
    {
        var columns = string.Join(", ", CellColumns.Select(c => c.Name));
        return $"(select {columns} from {schema}.{TableName} union all select {columns} from {schema}.{DeltasTableName})";
    }

    /// <summary>The cells with their deltas folded in, one row per cell and none whose sums are all zero, as tables are compared.</summary>
    public static string Folded(string schema)
    {
        var keys = string.Join(", ", KeyColumns);
        return $"(select {keys}, {string.Join(", ", Columns.Select(c => $"sum({c})::bigint as {c}"))} from {Summable(schema)} s " +
               $"group by {keys} having {string.Join(" or ", Columns.Select(c => $"sum({c}) <> 0"))})";
    }

    /// <summary>
    /// Deletes a batch of deltas and adds their sums to the cells, in key order (so that two folds lock cells in the
    /// same order); the statement's value is the number of deltas moved.
    /// </summary>
    private static string FoldSql(string schema)
    {
        var (cells, deltas, keys) = ($"{schema}.{TableName}", $"{schema}.{DeltasTableName}", string.Join(", ", KeyColumns));
        return
            $"with moved as (delete from {deltas} where ctid = any(array(select ctid from {deltas} limit {FoldBatch})) returning *), " +
            $"added as (insert into {cells} ({keys}, {string.Join(", ", Columns)}) " +
            $"select {keys}, {string.Join(", ", Columns.Select(c => $"sum({c})"))} from moved group by {keys} " +
            $"having {string.Join(" or ", Columns.Select(c => $"sum({c}) <> 0"))} order by {keys} " +
            $"on conflict ({keys}) do update set {string.Join(", ", Columns.Select(c => $"{c} = {TableName}.{c} + excluded.{c}"))}) " +
            "select count(*) from moved";
    }

    /// <summary>The advisory lock of a schema's fold: a number of its own, stable across processes.</summary>
    public static long FoldLock(string schema) =>
        BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"casualty-cells-fold:{schema}")), 0);

    private static int Compare(Key a, Key b)
    {
        var order = string.CompareOrdinal(a.Grain, b.Grain);
        order = order != 0 ? order : string.CompareOrdinal(a.Level, b.Level);
        order = order != 0 ? order : a.OccurredDay.CompareTo(b.OccurredDay);
        order = order != 0 ? order : a.RecordedDay.CompareTo(b.RecordedDay);
        order = order != 0 ? order : string.CompareOrdinal(a.Group, b.Group);
        return order != 0 ? order : string.CompareOrdinal(a.Perpetrator, b.Perpetrator);
    }
}
