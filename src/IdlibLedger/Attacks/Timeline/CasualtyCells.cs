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
/// </summary>
public sealed class CasualtyCells
{
    public const string TableName = "casualty_cells";

    public const string All = "all";
    public const string ByPerpetrator = "perpetrator";
    public const string ByCategory = "category";
    public const string ByParty = "party";

    /// <summary>The key of the group without casualties (an attack that reports none), as totals name it.</summary>
    public const string NoneKey = "";

    public static Table Schema(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("grain").AsPrimaryKey();
        table.AddColumn<string>("level").AsPrimaryKey();
        table.AddColumn("occurred_day", "date").AsPrimaryKey();
        table.AddColumn("recorded_day", "date").AsPrimaryKey();
        table.AddColumn<string>("key").AsPrimaryKey();
        table.AddColumn<string>("perpetrator").AsPrimaryKey();
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
        /// The cells that change, in key order, so that two transactions that touch the same cells lock them in the
        /// same order.
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

    /// <summary>A cell's columns, in the order the upsert gives them: its key, then its sums.</summary>
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
    private readonly string _upsert;

    public CasualtyCells(string schema)
    {
        _queued = UpsertSql(schema, _ => "?");
        _upsert = UpsertSql(schema, i => $"${i}");
    }

    /// <summary>Adds the changes to their cells in one statement, within the session's transaction.</summary>
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

    /// <summary>Adds the changes to their cells in one statement on the connection, within its transaction.</summary>
    public async Task UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Changes changes, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var changed = changes.Changed();
        if (changed.Length == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(_upsert, connection, transaction);
        foreach (var array in Column<Cell>.Arrays(CellColumns, changed))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = array });
        }

        await command.ExecuteNonQueryAsync(cancellation);
    }

    /// <summary>The upsert of cells from one array per column; <paramref name="placeholder"/> names parameter i (1-based).</summary>
    private static string UpsertSql(string schema, Func<int, string> placeholder) =>
        Column<Cell>.InsertSql($"{schema}.{TableName}", CellColumns, placeholder) +
        " on conflict (grain, level, occurred_day, recorded_day, key, perpetrator) do update set " +
        string.Join(", ", Columns.Select(c => $"{c} = {TableName}.{c} + excluded.{c}"));

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
