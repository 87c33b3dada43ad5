using System.Globalization;
using System.Text.Json.Serialization;
using IdlibLedger.Casualties.Totals;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace IdlibLedger.Attacks.Timeline;

/// <summary>What casualty totals can be broken down by.</summary>
[JsonConverter(typeof(WireEnumConverter<CasualtyGrouping>))]
public enum CasualtyGrouping
{
    [JsonStringEnumMemberName("perpetrator")] Perpetrator,
    [JsonStringEnumMemberName("category")] Category,
    [JsonStringEnumMemberName("party")] Party,
    [JsonStringEnumMemberName("month")] Month,
    /// <summary>By the region of that level whose polygon holds the attack.</summary>
    [JsonStringEnumMemberName("governorate")] Governorate,
    [JsonStringEnumMemberName("district")] District,
    [JsonStringEnumMemberName("sub-district")] SubDistrict,
}

/// <summary>An attack in a list: the version the filter keeps, and when its first and this version were recorded.</summary>
public sealed record ListedAttack(AttackReport Report, DateTimeOffset FirstRecordedAt, DateTimeOffset RecordedAt);

/// <summary>
/// Every read of the attack timeline (<see cref="AttackTimeline"/>) and its casualty cells (<see cref="CasualtyCells"/>):
/// the statements are composed once, for the store's schema, and take every value as a parameter.
/// </summary>
public sealed partial class TimelineQueries
{
    private readonly NpgsqlDataSource _database;
    private readonly ISerializer _serializer;
    private readonly string _list;
    private readonly string _count;
    private readonly string _reports;
    private readonly string _scanUngrouped;
    private readonly Dictionary<CasualtyGrouping, string> _scan;
    private readonly string _cellsUngrouped;
    private readonly Dictionary<CasualtyGrouping, string> _cells;

    public TimelineQueries(NpgsqlDataSource database, IDocumentStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _database = database;
        _serializer = store.Options.Serializer();
        var schema = store.Options.DatabaseSchemaName;
        var (timeline, where) = ($"{schema}.{AttackTimeline.TableName}", AttackFilter.Where(schema));
        _list =
            $"select t.report, first.recorded_from, t.recorded_from, count(*) over () from {timeline} t " +
            $"join {timeline} first on first.attack_id = t.attack_id and first.version = 1 " +
            $"where {where} order by t.occurred_from desc, t.attack_id limit @limit offset @offset";
        _count = $"select count(*), count(*) filter (where t.{AttackTimeline.AnomalousColumn}) from {timeline} t where {where}";
        _reports = $"select t.report from {timeline} t where {where} order by t.occurred_from, t.attack_id";
        _scanUngrouped = ScanSql(schema, null);
        _scan = Enum.GetValues<CasualtyGrouping>().ToDictionary(g => g, g => ScanSql(schema, g));
        _cellsUngrouped = CellsSql(schema, null);
        _cells = CellGroupings.ToDictionary(g => g, g => CellsSql(schema, g));
        (_nearest, _violations, _storedStreams, _reportedWithoutRows, _reportedType) = OtherStatements(store);
        _changes = ChangesSql(store);
    }

    /// <summary>A page of the attacks the filter keeps, newest occurrence first, and how many it keeps in all.</summary>
    public async Task<(IReadOnlyList<ListedAttack> Items, long Total)> ListAsync(AttackFilter filter, int page, int pageSize, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var command = _database.CreateCommand(_list);
        filter.Bind(command);
        Bind(command, "limit", NpgsqlDbType.Integer, pageSize);
        Bind(command, "offset", NpgsqlDbType.Bigint, (long)(page - 1) * pageSize);
        var items = new List<ListedAttack>();
        long total = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
        {
            while (await reader.ReadAsync(cancellation))
            {
                items.Add(new ListedAttack(_serializer.FromJson<AttackReport>(reader.GetStream(0)), reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2)));
                total = reader.GetInt64(3);
            }
        }

        // Past the last page no row carries the count.
        return (items, items.Count == 0 && page > 1 ? (await CountAsync(filter, cancellation)).Attacks : total);
    }

    /// <summary>
    /// Killed and injured per group, and the attacks counted (once each, though by category or party one attack can
    /// fall in several groups), of them the anomalous ones (<see cref="AttackReport.CountsRepairedFigures"/>). Read from
    /// the cells where they carry the filter and the grouping, otherwise by summing every version the filter keeps.
    /// </summary>
    public async Task<(IReadOnlyList<CasualtyGroup> Groups, long Attacks, long AnomalousReports)> TotalsAsync(
        AttackFilter filter, CasualtyGrouping? groupBy, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var severalPerAttack = groupBy is CasualtyGrouping.Category or CasualtyGrouping.Party;
        if (CellsServe(filter, groupBy))
        {
            var groups = await CellTotalsAsync(filter, groupBy, cancellation);
            var counted = severalPerAttack ? await CellTotalsAsync(filter, null, cancellation) : groups;
            return (groups, counted.Sum(g => g.Attacks), counted.Sum(g => g.AnomalousReports));
        }

        await using var command = _database.CreateCommand(groupBy is { } grouping ? _scan[grouping] : _scanUngrouped);
        filter.Bind(command);
        Bind(command, "level", NpgsqlDbType.Text, groupBy is { } level ? Wire.Name(level) : string.Empty);
        var scanned = await ReadGroupsAsync(command, cancellation);
        var (attacks, anomalous) = severalPerAttack ? await CountAsync(filter, cancellation) : (scanned.Sum(g => g.Attacks), scanned.Sum(g => g.AnomalousReports));
        return (scanned, attacks, anomalous);
    }

    /// <summary>The reports the filter keeps, in occurrence order, read from the timeline as they are enumerated.</summary>
    public async IAsyncEnumerable<AttackReport> ReportsAsync(AttackFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var command = _database.CreateCommand(_reports);
        filter.Bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            yield return _serializer.FromJson<AttackReport>(reader.GetStream(0));
        }
    }

    /// <summary>The attacks the filter keeps, and of them those counting repaired figures.</summary>
    private async Task<(long Attacks, long AnomalousReports)> CountAsync(AttackFilter filter, CancellationToken cancellation)
    {
        await using var command = _database.CreateCommand(_count);
        filter.Bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        await reader.ReadAsync(cancellation);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>
    /// Totals by summing every attack version the filter keeps: the general path, for filters the cells do not
    /// carry (a region, a bounding box, an occurrence range) and groupings they do not have (admin units).
    /// </summary>
    private static string ScanSql(string schema, CasualtyGrouping? groupBy) =>
        $"select {groupBy switch
        {
            null => "''",
            CasualtyGrouping.Perpetrator => "min(t.perpetrator collate \"C\")",
            CasualtyGrouping.Category => "c.category",
            CasualtyGrouping.Party => "coalesce(c.party, c.category)",
            CasualtyGrouping.Month => "to_char(t.occurred_from at time zone 'UTC', 'YYYY-MM')",
            _ => "coalesce(g.name, 'outside')",
        }} as key, " +
        "coalesce(sum(c.killed_low), 0), coalesce(sum(c.killed_best), 0), coalesce(sum(c.killed_high), 0), " +
        "coalesce(sum(c.injured_low), 0), coalesce(sum(c.injured_best), 0), coalesce(sum(c.injured_high), 0), " +
        $"count(distinct t.attack_id), count(distinct t.attack_id) filter (where t.{AttackTimeline.AnomalousColumn}) " +
        $"from {schema}.{AttackTimeline.TableName} t " +
        $"left join {schema}.{AttackTimeline.CasualtiesTableName} c on c.attack_id = t.attack_id and c.version = t.version " +
        // By admin unit: the region of that level, as known at asOf, whose polygon holds the attack (point in polygon, GiST).
        (groupBy is CasualtyGrouping.Governorate or CasualtyGrouping.District or CasualtyGrouping.SubDistrict
            ? $"left join lateral (select r.name from {schema}.{Territory.Regions.RegionTable.VersionsName} r where r.level = @level " +
              $"and {Territory.Regions.RegionTable.ValidAt("r", "@as_of")} and ST_Intersects(r.area, t.location) order by r.id limit 1) g on true "
            : string.Empty) +
        $"where {AttackFilter.Where(schema)} group by {(groupBy is CasualtyGrouping.Perpetrator ? AttackFilter.PerpetratorKey("t.perpetrator") : "1")} order by 3 desc, 1";

    /// <summary>
    /// Reads rows of (key, killed low/best/high, injured low/best/high, attacks, anomalous reports); a null key is "none". The order is
    /// the documented one, killed.best (highest first) then key (ordinal), set here rather than in SQL, where a null
    /// key sorts last and text follows the database's collation.
    /// </summary>
    private static async Task<List<CasualtyGroup>> ReadGroupsAsync(NpgsqlCommand command, CancellationToken cancellation)
    {
        var groups = new List<CasualtyGroup>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            groups.Add(new CasualtyGroup(
                reader.IsDBNull(0) ? "none" : reader.GetString(0),
                new Estimate((int)reader.GetInt64(1), (int)reader.GetInt64(2), (int)reader.GetInt64(3)),
                new Estimate((int)reader.GetInt64(4), (int)reader.GetInt64(5), (int)reader.GetInt64(6)),
                reader.GetInt64(7),
                reader.GetInt64(8)));
        }

        groups.Sort(static (a, b) => b.Killed.Best != a.Killed.Best ? b.Killed.Best.CompareTo(a.Killed.Best) : string.CompareOrdinal(a.Key, b.Key));
        return groups;
    }

    /// <summary>The groupings the cells carry (they have no admin units).</summary>
    private static readonly CasualtyGrouping[] CellGroupings = [CasualtyGrouping.Perpetrator, CasualtyGrouping.Category, CasualtyGrouping.Party, CasualtyGrouping.Month];

    /// <summary>The cells carry perpetrator and casualty grouping but no place, no occurrence range and no retracted version.</summary>
    private static bool CellsServe(AttackFilter filter, CasualtyGrouping? groupBy) =>
        filter is { From: null, To: null, Bbox: null, RegionId: null, IncludeRetracted: false }
        && (groupBy is not { } grouping || CellGroupings.Contains(grouping));

    /// <summary>
    /// Casualty totals at (at, asOf) read from the pre-aggregated cells instead of every attack version, so that their
    /// cost does not grow with the history.
    /// <para>
    /// Each version that counts is a +1 delta at (occurred, recorded from) and a -1 delta at (occurred, recorded
    /// until); the totals at (at, asOf) are the deltas with occurred ≤ at and recorded ≤ asOf. The cells hold those
    /// deltas summed per (occurred day or month, recorded day or month). A read picks day boundaries A (for at) and R
    /// (for asOf) near its instants, sums the cells with occurred day &lt; A and recorded day &lt; R, and corrects the
    /// sum with the deltas that lie between the instants and the boundaries: added where they count at (at, asOf) and
    /// not at (A, R), taken away where the reverse. Those deltas lie within a day of <c>at</c> in occurrence (none for
    /// occurrences of day precision, which begin at midnight) or half a day of <c>asOf</c> in recording, so the
    /// correction reads about a day's worth of versions at most. By category or party, whose cells are kept by month
    /// of occurrence, A is the nearest month boundary and the correction reads up to half a month of occurrences.
    /// </para>
    /// </summary>
    private async Task<List<CasualtyGroup>> CellTotalsAsync(AttackFilter filter, CasualtyGrouping? groupBy, CancellationToken cancellation)
    {
        var (at, asOf) = (filter.Temporal.At.ToUniversalTime(), filter.Temporal.AsOf.ToUniversalTime());
        var grain = groupBy switch
        {
            CasualtyGrouping.Perpetrator => CasualtyCells.ByPerpetrator,
            CasualtyGrouping.Category => CasualtyCells.ByCategory,
            CasualtyGrouping.Party => CasualtyCells.ByParty,
            _ => filter.Perpetrator is null ? CasualtyCells.All : CasualtyCells.ByPerpetrator,
        };
        // Grains kept by month of occurrence only take A at a month boundary: their day strips (dm, dd) are then empty.
        var (a, r) = (CasualtyCells.ByMonthOfOccurrence(grain) ? OccurredMonthBoundary(at) : OccurredBoundary(at), RecordedBoundary(asOf));
        var (aDay, rDay) = (DateOnly.FromDateTime(a.UtcDateTime), DateOnly.FromDateTime(r.UtcDateTime));
        await using var command = _database.CreateCommand(groupBy is { } grouping ? _cells[grouping] : _cellsUngrouped);
        Bind(command, "at", NpgsqlDbType.TimestampTz, at);
        Bind(command, "as_of", NpgsqlDbType.TimestampTz, asOf);
        Bind(command, "a", NpgsqlDbType.TimestampTz, a);
        Bind(command, "r", NpgsqlDbType.TimestampTz, r);
        Bind(command, "a_day", NpgsqlDbType.Date, aDay);
        Bind(command, "r_day", NpgsqlDbType.Date, rDay);
        Bind(command, "a_month", NpgsqlDbType.Date, CasualtyCells.MonthOf(aDay));
        Bind(command, "r_month", NpgsqlDbType.Date, CasualtyCells.MonthOf(rDay));
        Bind(command, "grain", NpgsqlDbType.Text, grain);
        Bind(command, "perpetrator", NpgsqlDbType.Text, filter.Perpetrator);
        return await ReadGroupsAsync(command, cancellation);
    }

    /// <summary>
    /// The statement of <see cref="CellTotalsAsync"/> for one grouping. The second and fourth branches leave out what
    /// the occurrence band holds, so that each delta is read once.
    /// </summary>
    private static string CellsSql(string schema, CasualtyGrouping? groupBy)
    {
        // The group key over the cells (k) and over the boundary versions (w, c).
        var (cellKey, versionKey) = groupBy switch
        {
            CasualtyGrouping.Perpetrator => ("k.key", "w.perpetrator"),
            CasualtyGrouping.Category => ("nullif(k.key, '')", "c.category"),
            CasualtyGrouping.Party => ("nullif(k.key, '')", "coalesce(c.party, c.category)"),
            CasualtyGrouping.Month => ("to_char(k.occurred_day, 'YYYY-MM')", "to_char(w.o at time zone 'UTC', 'YYYY-MM')"),
            _ => ("''", "''"),
        };
        var (timeline, casualties) = ($"{schema}.{AttackTimeline.TableName}", $"{schema}.{AttackTimeline.CasualtiesTableName}");
        var figures = CasualtyCells.Columns.Take(6).ToArray();
        const string anomalous = AttackTimeline.AnomalousColumn;
        var perpetrator = $"(@perpetrator::text is null or {AttackFilter.PerpetratorKey("t.perpetrator")} = {AttackFilter.PerpetratorKey("@perpetrator")})";
        var occurred = Band("t.occurred_from", "at", "a");
        // The version's sums; rows written before the timeline had them sum the casualty rows instead.
        var totals = string.Join(", ", AttackTimeline.TotalColumns.Zip(figures, (total, column) =>
            $"coalesce(t.{total}, (select sum(x.{column}) from {casualties} x where x.attack_id = t.attack_id and x.version = t.version), 0) as {column}"));
        return
            // Deltas near the boundaries: versions that begin or end there (in recording) or occur there.
            // (Four branches rather than an OR, so that each is an index-only scan of one covering index.)
            "with d as (" +
            $"select t.attack_id, t.version, t.perpetrator, t.{anomalous}, t.occurred_from as o, t.recorded_from as r, 1 as s, {totals} from {timeline} t " +
            $"where not t.retracted and {occurred} and {perpetrator} " +
            $"union all select t.attack_id, t.version, t.perpetrator, t.{anomalous}, t.occurred_from, t.recorded_from, 1, {totals} from {timeline} t " +
            $"where not t.retracted and {Band("t.recorded_from", "as_of", "r")} and not ({occurred}) and {perpetrator} " +
            $"union all select t.attack_id, t.version, t.perpetrator, t.{anomalous}, t.occurred_from, t.recorded_until, -1, {totals} from {timeline} t " +
            $"where not t.retracted and t.recorded_until is not null and {occurred} and {perpetrator} " +
            $"union all select t.attack_id, t.version, t.perpetrator, t.{anomalous}, t.occurred_from, t.recorded_until, -1, {totals} from {timeline} t " +
            $"where not t.retracted and {Band("t.recorded_until", "as_of", "r")} and not ({occurred}) and {perpetrator}), " +
            // Each delta's weight: counted at (at, asOf) and not at (A, R) → +s, the reverse → -s.
            "w as (select d.*, d.s * ((case when d.o <= @at and d.r <= @as_of then 1 else 0 end) - (case when d.o < @a and d.r < @r then 1 else 0 end)) as weight from d), " +
            (groupBy is CasualtyGrouping.Category or CasualtyGrouping.Party
                // By category or party: the version's casualty rows, one group per key.
                ? $"v as (select {versionKey} as key, w.weight, w.{anomalous}, {string.Join(", ", figures.Select(c => $"coalesce(sum(c.{c}), 0) as {c}"))} " +
                  $"from w left join {casualties} c on c.attack_id = w.attack_id and c.version = w.version " +
                  $"where w.weight <> 0 group by w.attack_id, w.version, w.s, w.weight, w.{anomalous}, 1), "
                // Otherwise the version's own sums.
                : $"v as (select {versionKey} as key, w.weight, w.{anomalous}, {string.Join(", ", figures)} from w where w.weight <> 0), ") +
            $"g as (select key, {string.Join(", ", figures.Select(c => $"weight * {c} as {c}"))}, weight as attacks, " +
            $"case when {anomalous} then weight else 0 end as {anomalous} from v " +
            $"union all select {cellKey}, {string.Join(", ", CasualtyCells.Columns.Select(c => $"k.{c}"))} from {CasualtyCells.Summable(schema)} k " +
            // Occurred before A and recorded before R: month blocks, a strip of days on each side, and their corner.
            "where k.grain = @grain and (" +
            "(k.level = 'mm' and k.occurred_day < @a_month and k.recorded_day < @r_month) or " +
            "(k.level = 'dm' and k.occurred_day >= @a_month and k.occurred_day < @a_day and k.recorded_day < @r_month) or " +
            "(k.level = 'md' and k.occurred_day < @a_month and k.recorded_day >= @r_month and k.recorded_day < @r_day) or " +
            "(k.level = 'dd' and k.occurred_day >= @a_month and k.occurred_day < @a_day and k.recorded_day >= @r_month and k.recorded_day < @r_day)) " +
            $"and (@perpetrator::text is null or {AttackFilter.PerpetratorKey("k.perpetrator")} = {AttackFilter.PerpetratorKey("@perpetrator")})) " +
            (groupBy is CasualtyGrouping.Perpetrator
                // One group per party whatever the spelling, named by the (ordinal) first spelling still counted.
                ? $", s as (select key, {string.Join(", ", CasualtyCells.Columns.Select(c => $"sum({c})::bigint as {c}"))} from g group by key having sum(attacks) <> 0) " +
                  $"select min(key collate \"C\"), {string.Join(", ", CasualtyCells.Columns.Select(c => $"sum({c})::bigint"))} from s group by {AttackFilter.PerpetratorKey("key")} order by 3 desc, 1"
                : $"select key, {string.Join(", ", CasualtyCells.Columns.Select(c => $"sum({c})::bigint"))} from g group by key having sum(attacks) <> 0 order by 3 desc, 1");
    }

    /// <summary>
    /// The deltas between an instant and its boundary whose weight can be non-zero: [boundary, instant] when the
    /// boundary is not later, (instant, boundary) when it is. Both cases are in the text; the comparison of the two
    /// parameters folds to a constant when PostgreSQL plans the statement with its values, so only the case that
    /// holds reaches the planner, as one range over the column's index (a closed interval for both would read as
    /// much, but the planner estimates it differently and then joins the casualty rows by a scan of them all).
    /// </summary>
    private static string Band(string column, string instant, string boundary) =>
        $"((@{boundary} <= @{instant} and {column} >= @{boundary} and {column} <= @{instant}) " +
        $"or (@{boundary} > @{instant} and {column} > @{instant} and {column} < @{boundary}))";

    /// <summary>
    /// The boundary for <c>at</c>: the instant itself at midnight, else the next midnight. Occurrences of day precision
    /// begin at midnight, so the band between the instant and this boundary holds only occurrences with a time of day.
    /// </summary>
    private static DateTimeOffset OccurredBoundary(DateTimeOffset instant)
    {
        var day = new DateTimeOffset(instant.UtcDateTime.Date, TimeSpan.Zero);
        return instant == day || day >= DateTimeOffset.MaxValue.AddDays(-2) ? day : day.AddDays(1);
    }

    /// <summary>The boundary for <c>at</c> in grains kept by month: the start of its UTC month, or of the next month from the 16th on.</summary>
    private static DateTimeOffset OccurredMonthBoundary(DateTimeOffset instant)
    {
        var month = new DateTimeOffset(instant.Year, instant.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return instant.Day >= 16 && month < DateTimeOffset.MaxValue.AddMonths(-2) ? month.AddMonths(1) : month;
    }

    /// <summary>The boundary for <c>asOf</c>: the start of its UTC day, or of the next day from noon on (the nearer).</summary>
    private static DateTimeOffset RecordedBoundary(DateTimeOffset instant)
    {
        var day = new DateTimeOffset(instant.UtcDateTime.Date, TimeSpan.Zero);
        return instant - day >= TimeSpan.FromHours(12) && day < DateTimeOffset.MaxValue.AddDays(-2) ? day.AddDays(1) : day;
    }

    /// <summary>A parameter that may be null, typed so that PostgreSQL knows its type either way.</summary>
    internal static void Bind(NpgsqlCommand command, string name, NpgsqlDbType type, object? value) =>
        command.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });
}

/// <summary>
/// Which attack versions a read sees: those current as of <c>asOf</c> (transaction time), that had begun by
/// <c>at</c> (valid time), optionally inside [from, to] (by the start of their occurrence window), a bounding
/// box, a region (by its polygon, GiST-indexed) and a perpetrator. Shared by the attack list, the casualty totals and
/// the exports, so that they count the same attacks.
/// </summary>
public sealed record AttackFilter(
    Temporal Temporal,
    DateTimeOffset? From,
    DateTimeOffset? To,
    (double MinLon, double MinLat, double MaxLon, double MaxLat)? Bbox,
    string? Perpetrator,
    bool IncludeRetracted = false,
    string? RegionId = null)
{
    /// <summary>Parses the query parameters every attack read takes; errors name the parameter.</summary>
    public static bool TryParse(
        string? at, string? asOf, string? from, string? to, string? bbox, string? perpetrator, LedgerClock clock,
        out AttackFilter filter, IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        Temporal.TryParse(at, asOf, clock, out var temporal, out _);
        foreach (var (name, value) in new[] { ("at", at), ("asOf", asOf) })
        {
            Temporal.ParseBound(value, name, endOfDay: true, errors);
        }

        var fromValue = Temporal.ParseBound(from, "from", endOfDay: false, errors);
        var toValue = Temporal.ParseBound(to, "to", endOfDay: true, errors);
        if (fromValue > toValue)
        {
            errors["to"] = ["to must not be before from"];
        }

        var box = ParseBbox(bbox, errors);
        filter = new AttackFilter(temporal, fromValue, toValue, box, string.IsNullOrWhiteSpace(perpetrator) ? null : perpetrator.Trim());
        return errors.Count == 0;
    }

    private static (double, double, double, double)? ParseBbox(string? bbox, IDictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(bbox))
        {
            return null;
        }

        var parts = bbox.Split(',');
        var numbers = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) || !double.IsFinite(numbers[i]))
            {
                numbers = [];
                break;
            }
        }

        if (numbers.Length != 4
            || numbers[0] is < -180 or > 180 || numbers[2] is < -180 or > 180
            || numbers[1] is < -90 or > 90 || numbers[3] is < -90 or > 90
            || numbers[0] > numbers[2] || numbers[1] > numbers[3])
        {
            errors["bbox"] = ["bbox is minLon,minLat,maxLon,maxLat in WGS 84 degrees (e.g. 36.0,35.5,37.0,36.3)"];
            return null;
        }

        return (numbers[0], numbers[1], numbers[2], numbers[3]);
    }

    /// <summary>
    /// The WHERE clause over the timeline alias <c>t</c>: one text for every filter, each optional part a parameter
    /// that may be null. PostgreSQL plans an unnamed statement with its values, so the parts left null fold away.
    /// </summary>
    internal static string Where(string schema) =>
        "t.recorded_from <= @as_of and (t.recorded_until is null or t.recorded_until > @as_of) and t.occurred_from <= @at " +
        "and (@include_retracted or not t.retracted) " +
        "and (@from::timestamptz is null or t.occurred_from >= @from) " +
        "and (@to::timestamptz is null or t.occurred_from <= @to) " +
        "and (@min_lon::float8 is null or (t.longitude between @min_lon and @max_lon and t.latitude between @min_lat and @max_lat)) " +
        $"and (@region::text is null or ST_Intersects(t.location, {Territory.Regions.RegionTable.AreaAt(schema, "@region", "@as_of")})) " +
        $"and (@perpetrator::text is null or {PerpetratorKey("t.perpetrator")} = {PerpetratorKey("@perpetrator")})";

    /// <summary>A perpetrator's name as compared (<see cref="Common.Parties"/>): trimmed, without regard to case.</summary>
    internal static string PerpetratorKey(string name) => $"lower(btrim({name}))";

    /// <summary>Binds the parameters of <see cref="Where"/>.</summary>
    internal void Bind(NpgsqlCommand command)
    {
        TimelineQueries.Bind(command, "as_of", NpgsqlDbType.TimestampTz, Temporal.AsOf.ToUniversalTime());
        TimelineQueries.Bind(command, "at", NpgsqlDbType.TimestampTz, Temporal.At.ToUniversalTime());
        TimelineQueries.Bind(command, "include_retracted", NpgsqlDbType.Boolean, IncludeRetracted);
        TimelineQueries.Bind(command, "from", NpgsqlDbType.TimestampTz, From?.ToUniversalTime());
        TimelineQueries.Bind(command, "to", NpgsqlDbType.TimestampTz, To?.ToUniversalTime());
        TimelineQueries.Bind(command, "min_lon", NpgsqlDbType.Double, Bbox?.MinLon);
        TimelineQueries.Bind(command, "min_lat", NpgsqlDbType.Double, Bbox?.MinLat);
        TimelineQueries.Bind(command, "max_lon", NpgsqlDbType.Double, Bbox?.MaxLon);
        TimelineQueries.Bind(command, "max_lat", NpgsqlDbType.Double, Bbox?.MaxLat);
        TimelineQueries.Bind(command, "region", NpgsqlDbType.Text, RegionId);
        TimelineQueries.Bind(command, "perpetrator", NpgsqlDbType.Text, Perpetrator);
    }
}
