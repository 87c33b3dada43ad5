using Marten;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace IdlibLedger.Attacks;

/// <summary>
/// Pre-aggregated casualty sums for fast totals at any (at, asOf). Every attack version that counts (not
/// retracted) adds its figures to the cell of (the UTC day it occurred, the UTC day it was recorded) and takes them
/// away again in the cell of (the day it occurred, the day it was superseded). The sum of the cells with
/// occurred day &lt; A and recorded day &lt; R is then exactly the totals at (A, R) for day-aligned A and R, and a
/// read at any instant adds the few versions that lie between the instant and the day boundary (see
/// <c>GetCasualtyTotals</c>). The cost of a read depends on the number of days, not on the number of events.
/// Cells are kept per grain (all attacks, per perpetrator, per casualty category, per party) and at four levels:
/// day × day, day × month, month × day and month × month (occurred × recorded; a month cell is dated by the month's
/// first day), so that any region "occurred before A, recorded before R" is a few month blocks and two strips of
/// days: a read sums at most a few thousand cells however many events there are.
/// </summary>
public static class CasualtyCells
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
            table.AddColumn(column, "bigint").NotNull();
        }

        return table;
    }

    /// <summary>The summed columns, in the order every query reads them.</summary>
    public static readonly string[] Columns = ["killed_low", "killed_best", "killed_high", "injured_low", "injured_best", "injured_high", "attacks"];

    public readonly record struct Key(string Grain, string Level, DateOnly OccurredDay, DateOnly RecordedDay, string Group, string Perpetrator);

    /// <summary>The levels: occurred by day or month × recorded by day or month.</summary>
    public static readonly string[] Levels = ["dd", "dm", "md", "mm"];

    public static DateOnly MonthOf(DateOnly day) => new(day.Year, day.Month, 1);

    /// <summary>The cell deltas of one version counted from <paramref name="at"/> on (sign +1) or no longer (sign -1).</summary>
    public static IEnumerable<(Key Key, long[] Values)> Deltas(AttackReport report, DateTimeOffset at, int sign)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Retracted)
        {
            yield break;
        }

        var occurredDay = DateOnly.FromDateTime(report.Facts.Occurrence.Window().From.UtcDateTime);
        var recordedDay = DateOnly.FromDateTime(at.UtcDateTime);
        var perpetrator = report.Facts.Perpetrator;
        var casualties = report.Facts.Casualties;
        var total = Sum(casualties, sign);
        var groups = new List<(string Grain, string Group, string Perpetrator, long[] Values)>
        {
            (All, NoneKey, NoneKey, total),
            (ByPerpetrator, perpetrator, perpetrator, total),
        };
        foreach (var (grain, byKey) in new[]
        {
            (ByCategory, casualties.GroupBy(c => Infrastructure.Wire.Name(c.Category ?? CasualtyCategory.Unknown))),
            (ByParty, casualties.GroupBy(c => c.Party ?? Infrastructure.Wire.Name(c.Category ?? CasualtyCategory.Unknown))),
        })
        {
            var before = groups.Count;
            groups.AddRange(byKey.Select(g => (grain, g.Key, perpetrator, Sum([.. g], sign))));
            if (groups.Count == before)
            {
                groups.Add((grain, NoneKey, perpetrator, Sum([], sign)));
            }
        }

        foreach (var (grain, group, by, values) in groups)
        {
            foreach (var level in Levels)
            {
                var occurred = level[0] == 'd' ? occurredDay : MonthOf(occurredDay);
                var recorded = level[1] == 'd' ? recordedDay : MonthOf(recordedDay);
                yield return (new Key(grain, level, occurred, recorded, group, by), values);
            }
        }
    }

    private static long[] Sum(IReadOnlyList<CategoryCasualties> casualties, int sign) =>
    [
        sign * casualties.Sum(c => (long)c.KilledOrNone.Low), sign * casualties.Sum(c => (long)c.KilledOrNone.Best), sign * casualties.Sum(c => (long)c.KilledOrNone.High),
        sign * casualties.Sum(c => (long)c.InjuredOrNone.Low), sign * casualties.Sum(c => (long)c.InjuredOrNone.Best), sign * casualties.Sum(c => (long)c.InjuredOrNone.High),
        sign,
    ];

    /// <summary>
    /// Adds the deltas to their cells in one statement. The deltas are summed per cell first and written in key order,
    /// so two transactions that touch the same cells lock them in the same order.
    /// </summary>
    public static void Queue(IDocumentOperations operations, string schema, IEnumerable<(Key Key, long[] Values)> deltas)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var cells = new Dictionary<Key, long[]>();
        foreach (var (key, values) in deltas)
        {
            if (!cells.TryGetValue(key, out var sum))
            {
                cells[key] = sum = new long[Columns.Length];
            }

            for (var i = 0; i < values.Length; i++)
            {
                sum[i] += values[i];
            }
        }

        var changed = cells.Where(c => c.Value.Any(v => v != 0)).OrderBy(c => c.Key, Comparer<Key>.Create(Compare)).ToArray();
        if (changed.Length == 0)
        {
            return;
        }

        var columns = string.Join(", ", Columns);
        var parameters = new List<object>
        {
            changed.Select(c => c.Key.Grain).ToArray(),
            changed.Select(c => c.Key.Level).ToArray(),
            changed.Select(c => c.Key.OccurredDay).ToArray(),
            changed.Select(c => c.Key.RecordedDay).ToArray(),
            changed.Select(c => c.Key.Group).ToArray(),
            changed.Select(c => c.Key.Perpetrator).ToArray(),
        };
        parameters.AddRange(Columns.Select((_, i) => changed.Select(c => c.Value[i]).ToArray()));
        operations.QueueSqlCommand(
            $"insert into {schema}.{TableName} (grain, level, occurred_day, recorded_day, key, perpetrator, {columns}) " +
            $"select * from unnest(?::text[], ?::text[], ?::date[], ?::date[], ?::text[], ?::text[], {string.Join(", ", Columns.Select(_ => "?::bigint[]"))}) " +
            "on conflict (grain, level, occurred_day, recorded_day, key, perpetrator) do update set " +
            string.Join(", ", Columns.Select(c => $"{c} = {TableName}.{c} + excluded.{c}")),
            [.. parameters]);
    }

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
