using IdlibLedger.Infrastructure;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace IdlibLedger.Attacks.Timeline;

/// <summary>One version of a report as a row of <c>attack_timeline</c>; <see cref="RecordedUntil"/> is null while it is current.</summary>
internal sealed record VersionRow(AttackReport Report, DateTimeOffset RecordedFrom, DateTimeOffset? RecordedUntil, string Json)
{
    public (DateTimeOffset From, DateTimeOffset Until) Occurred { get; } = Report.Facts.Occurrence.Window();

    /// <summary>The version's sums over its casualty entries, in the order of <see cref="AttackTimeline.TotalColumns"/>.</summary>
    public IReadOnlyList<int> Totals { get; } =
    [
        Report.Facts.Casualties.Sum(c => c.KilledOrNone.Low), Report.Facts.Casualties.Sum(c => c.KilledOrNone.Best), Report.Facts.Casualties.Sum(c => c.KilledOrNone.High),
        Report.Facts.Casualties.Sum(c => c.InjuredOrNone.Low), Report.Facts.Casualties.Sum(c => c.InjuredOrNone.Best), Report.Facts.Casualties.Sum(c => c.InjuredOrNone.High),
    ];

    /// <summary>The version's casualty entries as rows of <c>attack_timeline_casualties</c>.</summary>
    public IEnumerable<CasualtyRow> Casualties => Report.Facts.Casualties.Select((casualty, position) => new CasualtyRow(Report.Id, Report.Version, position, casualty));
}

/// <summary>One casualty entry of a version as a row of <c>attack_timeline_casualties</c>.</summary>
internal sealed record CasualtyRow(Guid AttackId, int Version, int Position, CategoryCasualties Casualty)
{
    public string Category => Wire.Name(Casualty.Category ?? CasualtyCategory.Unknown);
}

/// <summary>
/// The bitemporal read model of attacks: one row per version of each report, valid in transaction time
/// over [recorded_from, recorded_until) and carrying the report's valid-time window. A query "at T as of K"
/// keeps the rows with recorded_from ≤ K &lt; recorded_until, which is exactly the state a replay of the
/// events recorded up to K gives. Kept inline, in the transaction that appends the events; imports write the same
/// rows with COPY (<see cref="CopyAsync"/>). Both writers take their columns from one list per table.
/// </summary>
public sealed class AttackTimeline : IProjection
{
    public const string TableName = "attack_timeline";
    public const string CasualtiesTableName = "attack_timeline_casualties";

    /// <summary>The version's sums of killed and injured (low, best, high) over its casualty entries.</summary>
    internal static readonly string[] TotalColumns = ["total_killed_low", "total_killed_best", "total_killed_high", "total_injured_low", "total_injured_best", "total_injured_high"];

    /// <summary>A version's columns, in the order both writers give them.</summary>
    internal static readonly Column<VersionRow>[] VersionColumns =
    [
        Column<VersionRow>.Of("attack_id", "uuid", NpgsqlDbType.Uuid, v => v.Report.Id),
        Column<VersionRow>.Of("version", "int", NpgsqlDbType.Integer, v => v.Report.Version),
        Column<VersionRow>.Of("recorded_from", "timestamptz", NpgsqlDbType.TimestampTz, v => v.RecordedFrom.ToUniversalTime()),
        Column<VersionRow>.Until("recorded_until", v => v.RecordedUntil?.ToUniversalTime()),
        Column<VersionRow>.Of("occurred_from", "timestamptz", NpgsqlDbType.TimestampTz, v => v.Occurred.From.ToUniversalTime()),
        Column<VersionRow>.Of("occurred_until", "timestamptz", NpgsqlDbType.TimestampTz, v => v.Occurred.Until.ToUniversalTime()),
        Column<VersionRow>.Of("perpetrator", "text", NpgsqlDbType.Varchar, v => v.Report.Facts.Perpetrator),
        Column<VersionRow>.Of("retracted", "boolean", NpgsqlDbType.Boolean, v => v.Report.Retracted),
        Column<VersionRow>.Of("longitude", "float8", NpgsqlDbType.Double, v => v.Report.Facts.Location.Longitude),
        Column<VersionRow>.Of("latitude", "float8", NpgsqlDbType.Double, v => v.Report.Facts.Location.Latitude),
        Column<VersionRow>.Of("report", "text", NpgsqlDbType.Jsonb, v => v.Json, selected: "report::jsonb"),
        .. TotalColumns.Select((name, i) => Column<VersionRow>.Of(name, "int", NpgsqlDbType.Integer, v => v.Totals[i])),
        Column<VersionRow>.Of(AnomalousColumn, "boolean", NpgsqlDbType.Boolean, v => v.Report.CountsRepairedFigures()),
    ];

    /// <summary>Whether the version counts figures repaired from a source row whose own figures disagreed (<see cref="AttackReport.CountsRepairedFigures"/>).</summary>
    internal const string AnomalousColumn = "anomalous";

    /// <summary>A casualty row's columns, in the order both writers give them.</summary>
    internal static readonly Column<CasualtyRow>[] CasualtyColumns =
    [
        Column<CasualtyRow>.Of("attack_id", "uuid", NpgsqlDbType.Uuid, c => c.AttackId),
        Column<CasualtyRow>.Of("version", "int", NpgsqlDbType.Integer, c => c.Version),
        Column<CasualtyRow>.Of("position", "int", NpgsqlDbType.Integer, c => c.Position),
        Column<CasualtyRow>.Of("category", "text", NpgsqlDbType.Varchar, c => c.Category),
        Column<CasualtyRow>.Of("party", "text", NpgsqlDbType.Varchar, c => c.Casualty.Party),
        Column<CasualtyRow>.Of("killed_low", "int", NpgsqlDbType.Integer, c => c.Casualty.KilledOrNone.Low),
        Column<CasualtyRow>.Of("killed_best", "int", NpgsqlDbType.Integer, c => c.Casualty.KilledOrNone.Best),
        Column<CasualtyRow>.Of("killed_high", "int", NpgsqlDbType.Integer, c => c.Casualty.KilledOrNone.High),
        Column<CasualtyRow>.Of("injured_low", "int", NpgsqlDbType.Integer, c => c.Casualty.InjuredOrNone.Low),
        Column<CasualtyRow>.Of("injured_best", "int", NpgsqlDbType.Integer, c => c.Casualty.InjuredOrNone.Best),
        Column<CasualtyRow>.Of("injured_high", "int", NpgsqlDbType.Integer, c => c.Casualty.InjuredOrNone.High),
    ];

    private readonly string _schema;
    private readonly CasualtyCells _cells;
    private readonly string _current;
    private readonly string _supersede;
    private readonly string _insertVersions;
    private readonly string _insertCasualties;
    private readonly string _copyVersions;
    private readonly string _copyCasualties;

    public AttackTimeline(string schema)
    {
        _schema = schema;
        _cells = new CasualtyCells(schema);
        var (timeline, casualties) = ($"{schema}.{TableName}", $"{schema}.{CasualtiesTableName}");
        _current = $"select report::text from {timeline} where attack_id = any(?) and recorded_until is null";
        _supersede = $"update {timeline} t set recorded_until = s.at from unnest(?::uuid[], ?::timestamptz[]) as s(id, at) where t.attack_id = s.id and t.recorded_until is null";
        _insertVersions = Column<VersionRow>.InsertSql(timeline, VersionColumns, _ => "?");
        _insertCasualties = Column<CasualtyRow>.InsertSql(casualties, CasualtyColumns, _ => "?");
        _copyVersions = Column<VersionRow>.CopySql(timeline, VersionColumns);
        _copyCasualties = Column<CasualtyRow>.CopySql(casualties, CasualtyColumns);
    }

    /// <summary>The tables this projection writes, for Marten's schema management.</summary>
    public IEnumerable<Table> SchemaObjects()
    {
        var timeline = new Table(new PostgresqlObjectName(_schema, TableName, SchemaUtils.IdentifierUsage.General));
        timeline.AddColumn<Guid>("attack_id").AsPrimaryKey();
        timeline.AddColumn<int>("version").AsPrimaryKey();
        timeline.AddColumn("recorded_from", "timestamptz").NotNull();
        timeline.AddColumn("recorded_until", "timestamptz").AllowNulls();
        timeline.AddColumn("occurred_from", "timestamptz").NotNull();
        timeline.AddColumn("occurred_until", "timestamptz").NotNull();
        timeline.AddColumn<string>("perpetrator").NotNull();
        timeline.AddColumn<bool>("retracted").NotNull();
        timeline.AddColumn<double>("longitude").NotNull();
        timeline.AddColumn<double>("latitude").NotNull();
        timeline.AddColumn("report", "jsonb").NotNull();
        // The version's casualty sums, so that totals need not join the casualty rows (null in rows written before
        // these columns existed: readers fall back to summing the casualty rows).
        foreach (var column in TotalColumns)
        {
            timeline.AddColumn<int>(column).AllowNulls();
        }

        // False in rows written before the column existed: their events carry no provenance, so a rebuild agrees.
        timeline.AddColumn<bool>(AnomalousColumn).NotNull().DefaultValueByExpression("false");
        timeline.AddColumn("location", "geometry(Point, 4326)").GeneratedAs("ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)");
        timeline.Indexes.Add(new IndexDefinition($"ix_{TableName}_recorded") { Columns = ["recorded_from", "recorded_until"] });

        // Covering indexes for the versions near a day boundary that casualty totals read (TimelineQueries): index-only scans.
        string[] band = ["attack_id", "version", "perpetrator", "occurred_from", "retracted", .. TotalColumns, AnomalousColumn];
        timeline.Indexes.Add(new IndexDefinition($"ix_{TableName}_occurred") { Columns = ["occurred_from"], IncludeColumns = [.. band.Where(c => c != "occurred_from"), "recorded_from", "recorded_until"] });
        timeline.Indexes.Add(new IndexDefinition($"ix_{TableName}_recorded_band") { Columns = ["recorded_from"], IncludeColumns = [.. band, "recorded_until"] });
        timeline.Indexes.Add(new IndexDefinition($"ix_{TableName}_superseded") { Columns = ["recorded_until"], IncludeColumns = band, Predicate = "recorded_until is not null" });
        timeline.Indexes.Add(new IndexDefinition($"ix_{TableName}_current") { Columns = ["occurred_from"], Predicate = "recorded_until is null" });
        timeline.Indexes.Add(new IndexDefinition($"ix_{TableName}_location") { Columns = ["location"], Method = IndexMethod.gist });
        yield return timeline;

        var casualties = new Table(new PostgresqlObjectName(_schema, CasualtiesTableName, SchemaUtils.IdentifierUsage.General));
        casualties.AddColumn<Guid>("attack_id").AsPrimaryKey();
        casualties.AddColumn<int>("version").AsPrimaryKey();
        casualties.AddColumn<int>("position").AsPrimaryKey();
        casualties.AddColumn<string>("category").NotNull();
        casualties.AddColumn<string>("party").AllowNulls();
        foreach (var column in new[] { "killed_low", "killed_best", "killed_high", "injured_low", "injured_best", "injured_high" })
        {
            casualties.AddColumn<int>(column).NotNull();
        }

        yield return casualties;
        foreach (var table in CasualtyCells.Schema(_schema))
        {
            yield return table;
        }
    }

    /// <summary>The events <see cref="ApplyAsync"/> reads (a rebuild fetches only these): those of <see cref="IsAttackEvent"/>.</summary>
    public static readonly Type[] Events = [typeof(AttackReported), typeof(AttackReportCorrected), typeof(AttackReportRetracted), typeof(AttackReportDisputed)];

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(events);

        // Every version this batch records, and the versions recorded before it that it supersedes; written with
        // one statement per table (unnest), so that a batch of a thousand reports is a few round trips, not thousands.
        var serializer = operations.DocumentStore.Options.Serializer();
        var versions = new List<VersionRow>();
        var superseded = new List<(Guid AttackId, DateTimeOffset At)>();
        var cells = new CasualtyCells.Changes();
        var streams = events.Where(IsAttackEvent).GroupBy(e => e.StreamId).ToList();
        // The current versions of the attacks this batch changes without reporting them, read in one query.
        var current = await CurrentAsync(operations, [.. streams.Where(s => s.First() is not IEvent<AttackReported>).Select(s => s.Key)], cancellation);
        foreach (var stream in streams)
        {
            int? previous = null;
            foreach (var e in stream)
            {
                var before = previous is { } index ? versions[index].Report : null;
                if (before is null && e is not IEvent<AttackReported>)
                {
                    // Once per stream: from then on the batch's own versions come first.
                    before = current.Remove(stream.Key, out var stored) ? stored : null;
                    if (before is not null)
                    {
                        superseded.Add((stream.Key, e.Timestamp));
                        cells.Add(before, e.Timestamp, -1);
                    }
                }

                var report = e switch
                {
                    IEvent<AttackReported> reported => AttackReport.Create(reported),
                    IEvent<AttackReportCorrected> corrected => before?.Apply(corrected),
                    IEvent<AttackReportRetracted> retracted => before?.Apply(retracted),
                    IEvent<AttackReportDisputed> disputed => before?.Apply(disputed),
                    _ => before,
                };

                if (report is null)
                {
                    continue;
                }

                if (previous is { } superseding)
                {
                    versions[superseding] = versions[superseding] with { RecordedUntil = e.Timestamp };
                    cells.Add(versions[superseding].Report, e.Timestamp, -1);
                }

                previous = versions.Count;
                versions.Add(new VersionRow(report, e.Timestamp, null, serializer.ToJson(report)));
                cells.Add(report, e.Timestamp, +1);
            }
        }

        if (superseded.Count > 0)
        {
            operations.QueueSqlCommand(_supersede, superseded.Select(s => s.AttackId).ToArray(), superseded.Select(s => s.At).ToArray());
        }

        if (versions.Count > 0)
        {
            operations.QueueSqlCommand(_insertVersions, Column<VersionRow>.Arrays(VersionColumns, versions));
        }

        var casualties = versions.SelectMany(v => v.Casualties).ToList();
        if (casualties.Count > 0)
        {
            operations.QueueSqlCommand(_insertCasualties, Column<CasualtyRow>.Arrays(CasualtyColumns, casualties));
        }

        _cells.Queue(operations, cells);
    }

    /// <summary>
    /// New attacks' first versions, made from their <see cref="AttackReported"/> events as <see cref="ApplyAsync"/>
    /// makes them, serialised and with their cell changes summed, ready for <see cref="CopyAsync"/>. Imports append
    /// with Marten's bulk append, which runs no inline projection: they write the timeline this way instead, and can
    /// prepare one batch while the database takes the one before.
    /// </summary>
    public sealed class NewAttacks
    {
        private NewAttacks(IReadOnlyList<VersionRow> versions, CasualtyCells.Changes cells) => (Versions, Cells) = (versions, cells);

        internal IReadOnlyList<VersionRow> Versions { get; }

        internal CasualtyCells.Changes Cells { get; }

        public int Count => Versions.Count;

        public static NewAttacks From(IEnumerable<IEvent> reported, ISerializer serializer)
        {
            ArgumentNullException.ThrowIfNull(reported);
            ArgumentNullException.ThrowIfNull(serializer);
            var cells = new CasualtyCells.Changes();
            var versions = new List<VersionRow>();
            foreach (var e in reported)
            {
                var report = e is IEvent<AttackReported> first
                    ? AttackReport.Create(first)
                    : throw new ArgumentException($"only new attacks (AttackReported) can be copied, not {e.EventTypeName}", nameof(reported));
                cells.Add(report, e.Timestamp, +1);
                versions.Add(new VersionRow(report, e.Timestamp, null, serializer.ToJson(report)));
            }

            return new NewAttacks(versions, cells);
        }
    }

    /// <summary>
    /// Writes new attacks' first versions, their casualty rows and cell changes with COPY, in the connection's
    /// transaction: the same rows <see cref="ApplyAsync"/> writes for the same events (a test rebuilds and compares).
    /// </summary>
    public async Task CopyAsync(NpgsqlConnection connection, NewAttacks attacks, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(attacks);
        if (attacks.Count == 0)
        {
            return;
        }

        await Column<VersionRow>.CopyAsync(connection, _copyVersions, VersionColumns, attacks.Versions, cancellation);
        await Column<CasualtyRow>.CopyAsync(connection, _copyCasualties, CasualtyColumns, [.. attacks.Versions.SelectMany(v => v.Casualties)], cancellation);
        await _cells.CopyAsync(connection, attacks.Cells, cancellation);
    }

    private static bool IsAttackEvent(IEvent e) => e.Data is AttackReported or AttackReportCorrected or AttackReportRetracted or AttackReportDisputed;

    private async Task<Dictionary<Guid, AttackReport>> CurrentAsync(IQuerySession session, Guid[] attackIds, CancellationToken cancellation)
    {
        var current = new Dictionary<Guid, AttackReport>();
        if (attackIds.Length == 0)
        {
            return current;
        }

        var serializer = session.DocumentStore.Options.Serializer();
        foreach (var row in await session.AdvancedSql.QueryAsync<string>(_current, cancellation, attackIds))
        {
            var report = serializer.FromJson<AttackReport>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(row)));
            current[report.Id] = report;
        }

        return current;
    }
}

/// <summary>
/// A column of a read-model table as both writers see it: its name, the element type of the array the inline writer
/// passes it in (unnest), the type COPY writes it as, and its value in a row. Adding a column is one line in a list.
/// </summary>
internal sealed class Column<TRow>
{
    // Arrays cannot carry nulls of timestamptz through every driver path; this instant stands for "still current".
    private static readonly DateTimeOffset Current = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    private readonly Func<IReadOnlyList<TRow>, object> _array;
    private readonly Func<NpgsqlBinaryImporter, TRow, CancellationToken, Task> _write;

    private Column(string name, string arrayType, string selected, Func<IReadOnlyList<TRow>, object> array, Func<NpgsqlBinaryImporter, TRow, CancellationToken, Task> write) =>
        (Name, ArrayType, Selected, _array, _write) = (name, arrayType, selected, array, write);

    public string Name { get; }

    /// <summary>The element type of the array the inline writer passes, e.g. <c>uuid</c>.</summary>
    public string ArrayType { get; }

    /// <summary>The value the inline writer inserts, over the unnest's column of that name.</summary>
    public string Selected { get; }

    /// <summary>A column whose value is written as it is (null as null); <paramref name="selected"/> converts the unnest's element.</summary>
    public static Column<TRow> Of<T>(string name, string arrayType, NpgsqlDbType type, Func<TRow, T> value, string? selected = null) => new(
        name, arrayType, selected ?? name,
        rows => rows.Select(value).ToArray(),
        (copy, row, cancellation) => value(row) is { } v ? copy.WriteAsync(v, type, cancellation) : copy.WriteNullAsync(cancellation));

    /// <summary>A timestamptz that is null while a version is current: the inline writer's array carries a far instant instead.</summary>
    public static Column<TRow> Until(string name, Func<TRow, DateTimeOffset?> value) => new(
        name, "timestamptz", $"nullif({name}, '9999-12-31T00:00:00Z'::timestamptz)",
        rows => rows.Select(row => value(row) ?? Current).ToArray(),
        (copy, row, cancellation) => value(row) is { } v ? copy.WriteAsync(v, NpgsqlDbType.TimestampTz, cancellation) : copy.WriteNullAsync(cancellation));

    /// <summary>The insert of rows given as one array per column; <paramref name="placeholder"/> names parameter i (1-based).</summary>
    public static string InsertSql(string table, IReadOnlyList<Column<TRow>> columns, Func<int, string> placeholder) =>
        $"insert into {table} ({string.Join(", ", columns.Select(c => c.Name))}) " +
        $"select {string.Join(", ", columns.Select(c => c.Selected))} " +
        $"from unnest({string.Join(", ", columns.Select((c, i) => $"{placeholder(i + 1)}::{c.ArrayType}[]"))}) as v({string.Join(", ", columns.Select(c => c.Name))})";

    public static string CopySql(string table, IReadOnlyList<Column<TRow>> columns) =>
        $"copy {table} ({string.Join(", ", columns.Select(c => c.Name))}) from stdin (format binary)";

    /// <summary>The rows as one array per column, in the order of <paramref name="columns"/>.</summary>
    public static object[] Arrays(IReadOnlyList<Column<TRow>> columns, IReadOnlyList<TRow> rows) => [.. columns.Select(c => c._array(rows))];

    public static async Task CopyAsync(NpgsqlConnection connection, string copySql, IReadOnlyList<Column<TRow>> columns, IReadOnlyList<TRow> rows, CancellationToken cancellation)
    {
        await using var copy = await connection.BeginBinaryImportAsync(copySql, cancellation);
        foreach (var row in rows)
        {
            await copy.StartRowAsync(cancellation);
            foreach (var column in columns)
            {
                await column._write(copy, row, cancellation);
            }
        }

        await copy.CompleteAsync(cancellation);
    }
}
