using IdlibLedger.Attacks;
using Npgsql;

namespace IdlibLedger.Casualties.Totals;

/// <summary>
/// Casualty totals at (at, asOf) read from the pre-aggregated cells (<see cref="CasualtyCells"/>) instead of
/// every attack version, so that their cost does not grow with the history.
/// <para>
/// Each version that counts is a +1 delta at (occurred, recorded from) and a -1 delta at (occurred, recorded
/// until); the totals at (at, asOf) are the deltas with occurred ≤ at and recorded ≤ asOf. The cells hold those
/// deltas summed per (occurred day or month, recorded day or month). A read picks day boundaries A (for at) and R (for asOf)
/// near its instants, sums the cells with occurred day &lt; A and recorded day &lt; R, and corrects the sum
/// with the deltas that lie between the instants and the boundaries: added where they count at (at, asOf) and
/// not at (A, R), taken away where the reverse. Those deltas lie within a day of <c>at</c> in occurrence (none for
/// occurrences of day precision, which begin at midnight) or half a day of <c>asOf</c> in recording, so the
/// correction reads about a day's worth of versions at most. By category or party, whose cells are kept by month
/// of occurrence, A is the nearest month boundary and the correction reads up to half a month of occurrences.
/// </para>
/// </summary>
public static class CellTotals
{
    /// <summary>The cells carry perpetrator and casualty grouping but no place and no occurrence range.</summary>
    public static bool Serves(AttackFilter filter, string? groupBy)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return filter is { From: null, To: null, Bbox: null, RegionId: null, IncludeRetracted: false }
            && groupBy is null or "perpetrator" or "category" or "party" or "month";
    }

    public static async Task<List<CasualtyGroup>> GroupsAsync(NpgsqlDataSource database, string schema, AttackFilter filter, string? groupBy, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(filter);
        var (at, asOf) = (filter.Temporal.At.ToUniversalTime(), filter.Temporal.AsOf.ToUniversalTime());

        // The grain of cells to read and the group key over the cells (k) and over the boundary versions (w, c).
        var (grain, cellKey, versionKey) = groupBy switch
        {
            "perpetrator" => (CasualtyCells.ByPerpetrator, "k.key", "w.perpetrator"),
            "category" => (CasualtyCells.ByCategory, "nullif(k.key, '')", "c.category"),
            "party" => (CasualtyCells.ByParty, "nullif(k.key, '')", "coalesce(c.party, c.category)"),
            "month" => (filter.Perpetrator is null ? CasualtyCells.All : CasualtyCells.ByPerpetrator,
                "to_char(k.occurred_day, 'YYYY-MM')", "to_char(w.o at time zone 'UTC', 'YYYY-MM')"),
            _ => (filter.Perpetrator is null ? CasualtyCells.All : CasualtyCells.ByPerpetrator, "''", "''"),
        };
        // Grains kept by month of occurrence only take A at a month boundary: their day strips (dm, dd) are then empty.
        var (a, r) = (CasualtyCells.ByMonthOfOccurrence(grain) ? OccurredMonthBoundary(at) : OccurredBoundary(at), RecordedBoundary(asOf));
        var (aDay, rDay) = (DateOnly.FromDateTime(a.UtcDateTime), DateOnly.FromDateTime(r.UtcDateTime));
        var perpetrator = filter.Perpetrator is null ? string.Empty : " and t.perpetrator = @perpetrator";
        var cellPerpetrator = filter.Perpetrator is null ? string.Empty : " and k.perpetrator = @perpetrator";
        var timeline = $"{schema}.{AttackTimeline.TableName}";
        var sums = string.Join(", ", CasualtyCells.Columns.Select(c => $"sum({c})::bigint"));
        var byCasualty = groupBy is "category" or "party";
        var occurred = Band("t.occurred_from", at, a, "at", "a");
        // The version's sums; rows written before the timeline had them sum the casualty rows instead.
        var totals = string.Join(", ", AttackTimeline.TotalColumns.Zip(CasualtyCells.Columns.Take(6), (total, column) =>
            $"coalesce(t.{total}, (select sum(x.{column}) from {schema}.{AttackTimeline.CasualtiesTableName} x where x.attack_id = t.attack_id and x.version = t.version), 0) as {column}"));

        await using var command = database.CreateCommand();
        command.CommandText =
            // Deltas near the boundaries: versions that begin or end there (in recording) or occur there.
            // (Four branches rather than an OR, so that each is an index-only scan of one covering index.)
            $"with d as (" +
            $"select t.attack_id, t.version, t.perpetrator, t.occurred_from as o, t.recorded_from as r, 1 as s, {totals} from {timeline} t " +
            $"where not t.retracted and {occurred}{perpetrator} " +
            $"union all select t.attack_id, t.version, t.perpetrator, t.occurred_from, t.recorded_from, 1, {totals} from {timeline} t " +
            $"where not t.retracted and {Band("t.recorded_from", asOf, r, "as_of", "r")} and not {occurred}{perpetrator} " +
            $"union all select t.attack_id, t.version, t.perpetrator, t.occurred_from, t.recorded_until, -1, {totals} from {timeline} t " +
            $"where not t.retracted and t.recorded_until is not null and {occurred}{perpetrator} " +
            $"union all select t.attack_id, t.version, t.perpetrator, t.occurred_from, t.recorded_until, -1, {totals} from {timeline} t " +
            $"where not t.retracted and {Band("t.recorded_until", asOf, r, "as_of", "r")} and not {occurred}{perpetrator}), " +
            // Each delta's weight: counted at (at, asOf) and not at (A, R) → +s, the reverse → -s.
            $"w as (select d.*, d.s * ((case when d.o <= @at and d.r <= @as_of then 1 else 0 end) - (case when d.o < @a and d.r < @r then 1 else 0 end)) as weight from d), " +
            (byCasualty
                // By category or party: the version's casualty rows, one group per key.
                ? $"v as (select {versionKey} as key, w.weight, " +
                  "coalesce(sum(c.killed_low), 0) as killed_low, coalesce(sum(c.killed_best), 0) as killed_best, coalesce(sum(c.killed_high), 0) as killed_high, " +
                  "coalesce(sum(c.injured_low), 0) as injured_low, coalesce(sum(c.injured_best), 0) as injured_best, coalesce(sum(c.injured_high), 0) as injured_high " +
                  $"from w left join {schema}.{AttackTimeline.CasualtiesTableName} c on c.attack_id = w.attack_id and c.version = w.version " +
                  "where w.weight <> 0 group by w.attack_id, w.version, w.s, w.weight, 1), "
                // Otherwise the version's own sums.
                : $"v as (select {versionKey} as key, w.weight, {string.Join(", ", CasualtyCells.Columns.Take(6))} from w where w.weight <> 0), ") +
            $"g as (select key, {string.Join(", ", CasualtyCells.Columns.Take(6).Select(c => $"weight * {c} as {c}"))}, weight as attacks from v " +
            $"union all select {cellKey}, {string.Join(", ", CasualtyCells.Columns.Select(c => $"k.{c}"))} from {schema}.{CasualtyCells.TableName} k " +
            // Occurred before A and recorded before R: month blocks, a strip of days on each side, and their corner.
            $"where k.grain = @grain and (" +
            "(k.level = 'mm' and k.occurred_day < @a_month and k.recorded_day < @r_month) or " +
            "(k.level = 'dm' and k.occurred_day >= @a_month and k.occurred_day < @a_day and k.recorded_day < @r_month) or " +
            "(k.level = 'md' and k.occurred_day < @a_month and k.recorded_day >= @r_month and k.recorded_day < @r_day) or " +
            $"(k.level = 'dd' and k.occurred_day >= @a_month and k.occurred_day < @a_day and k.recorded_day >= @r_month and k.recorded_day < @r_day)){cellPerpetrator}) " +
            $"select key, {sums} from g group by key having sum(attacks) <> 0 order by 3 desc, 1";
        command.Parameters.AddWithValue("at", at);
        command.Parameters.AddWithValue("as_of", asOf);
        command.Parameters.AddWithValue("a", a);
        command.Parameters.AddWithValue("r", r);
        command.Parameters.AddWithValue("a_day", aDay);
        command.Parameters.AddWithValue("r_day", rDay);
        command.Parameters.AddWithValue("a_month", CasualtyCells.MonthOf(aDay));
        command.Parameters.AddWithValue("r_month", CasualtyCells.MonthOf(rDay));
        command.Parameters.AddWithValue("grain", grain);
        if (filter.Perpetrator is { } name)
        {
            command.Parameters.AddWithValue("perpetrator", name);
        }

        return await GetCasualtyTotalsEndpoint.ReadGroupsAsync(command, cancellation);
    }

    /// <summary>
    /// The boundary for <c>at</c>: the instant itself at midnight, else the next midnight. Occurrences of day precision
    /// begin at midnight, so the band between the instant and this boundary holds only occurrences with a time of day.
    /// </summary>
    public static DateTimeOffset OccurredBoundary(DateTimeOffset instant)
    {
        var day = new DateTimeOffset(instant.UtcDateTime.Date, TimeSpan.Zero);
        return instant == day || day >= DateTimeOffset.MaxValue.AddDays(-2) ? day : day.AddDays(1);
    }

    /// <summary>The boundary for <c>at</c> in grains kept by month: the start of its UTC month, or of the next month from the 16th on.</summary>
    public static DateTimeOffset OccurredMonthBoundary(DateTimeOffset instant)
    {
        var month = new DateTimeOffset(instant.Year, instant.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return instant.Day >= 16 && month < DateTimeOffset.MaxValue.AddMonths(-2) ? month.AddMonths(1) : month;
    }

    /// <summary>The boundary for <c>asOf</c>: the start of its UTC day, or of the next day from noon on (the nearer).</summary>
    public static DateTimeOffset RecordedBoundary(DateTimeOffset instant)
    {
        var day = new DateTimeOffset(instant.UtcDateTime.Date, TimeSpan.Zero);
        return instant - day >= TimeSpan.FromHours(12) && day < DateTimeOffset.MaxValue.AddDays(-2) ? day.AddDays(1) : day;
    }

    /// <summary>
    /// The deltas between an instant and its boundary whose weight can be non-zero: [boundary, instant] when the
    /// boundary is not later, (instant, boundary) when it is.
    /// </summary>
    private static string Band(string column, DateTimeOffset instant, DateTimeOffset boundary, string instantName, string boundaryName) =>
        boundary <= instant
            ? $"({column} >= @{boundaryName} and {column} <= @{instantName})"
            : $"({column} > @{instantName} and {column} < @{boundaryName})";
}
