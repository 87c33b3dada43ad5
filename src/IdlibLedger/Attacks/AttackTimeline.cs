using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace IdlibLedger.Attacks;

/// <summary>
/// The bitemporal read model of attacks: one row per version of each report, valid in transaction time
/// over [recorded_from, recorded_until) and carrying the report's valid-time window. A query "at T as of K"
/// keeps the rows with recorded_from ≤ K &lt; recorded_until, which is exactly the state a replay of the
/// events recorded up to K gives. Kept inline, in the transaction that appends the events.
/// </summary>
public sealed class AttackTimeline : IProjection
{
    public const string TableName = "attack_timeline";
    public const string CasualtiesTableName = "attack_timeline_casualties";

    /// <summary>The version's sums of killed and injured (low, best, high) over its casualty entries.</summary>
    public static readonly string[] TotalColumns = ["total_killed_low", "total_killed_best", "total_killed_high", "total_injured_low", "total_injured_best", "total_injured_high"];

    /// <summary>The columns a version's row is written with, in the order both writers (insert and COPY) give them.</summary>
    private static readonly string VersionColumns =
        $"attack_id, version, recorded_from, recorded_until, occurred_from, occurred_until, perpetrator, retracted, longitude, latitude, report, {string.Join(", ", TotalColumns)}";

    /// <summary>The columns a casualty row is written with, in the order both writers give them.</summary>
    private const string CasualtyColumns = "attack_id, version, position, category, party, killed_low, killed_best, killed_high, injured_low, injured_best, injured_high";

    private readonly string _schema;

    public AttackTimeline(string schema) => _schema = schema;

    public string Table => $"{_schema}.{TableName}";

    public string CasualtiesTable => $"{_schema}.{CasualtiesTableName}";

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

        timeline.AddColumn("location", "geometry(Point, 4326)").GeneratedAs("ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)");
        timeline.Indexes.Add(new IndexDefinition($"ix_{TableName}_recorded") { Columns = ["recorded_from", "recorded_until"] });

        // Covering indexes for the versions near a day boundary that casualty totals read (CellTotals): index-only scans.
        string[] band = ["attack_id", "version", "perpetrator", "occurred_from", "retracted", .. TotalColumns];
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
        yield return CasualtyCells.Schema(_schema);
    }

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(events);

        // Every version this batch records, and the versions recorded before it that it supersedes; written with
        // one statement per table (unnest), so that a batch of a thousand reports is a few round trips, not thousands.
        var versions = new List<Version>();
        var superseded = new List<(Guid AttackId, DateTimeOffset At)>();
        var cells = new CasualtyCells.Changes();
        foreach (var stream in events.Where(IsAttackEvent).GroupBy(e => e.StreamId))
        {
            Version? previous = null;
            foreach (var e in stream)
            {
                var before = previous?.Report;
                if (before is null && e is not IEvent<AttackReported>)
                {
                    before = await CurrentAsync(operations, stream.Key, cancellation);
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

                if (previous is not null)
                {
                    previous.RecordedUntil = e.Timestamp;
                    cells.Add(previous.Report, e.Timestamp, -1);
                }

                previous = new Version(report, e.Timestamp);
                versions.Add(previous);
                cells.Add(report, e.Timestamp, +1);
            }
        }

        Record(operations, versions, superseded);
        CasualtyCells.Queue(operations, _schema, cells);
    }

    /// <summary>
    /// New attacks' first versions, made from their <see cref="AttackReported"/> events as <see cref="ApplyAsync"/>
    /// makes them, serialised and with their cell changes summed, ready for <see cref="CopyAsync"/>. Imports append
    /// with Marten's bulk append, which runs no inline projection: they write the timeline this way instead, and can
    /// prepare one batch while the database takes the one before.
    /// </summary>
    public sealed class NewAttacks
    {
        private NewAttacks(IReadOnlyList<(AttackReport Report, DateTimeOffset RecordedFrom, string Json)> versions, CasualtyCells.Changes cells) =>
            (Versions, Cells) = (versions, cells);

        internal IReadOnlyList<(AttackReport Report, DateTimeOffset RecordedFrom, string Json)> Versions { get; }

        internal CasualtyCells.Changes Cells { get; }

        public int Count => Versions.Count;

        public static NewAttacks From(IEnumerable<IEvent> reported, ISerializer serializer)
        {
            ArgumentNullException.ThrowIfNull(reported);
            ArgumentNullException.ThrowIfNull(serializer);
            var cells = new CasualtyCells.Changes();
            var versions = new List<(AttackReport, DateTimeOffset, string)>();
            foreach (var e in reported)
            {
                var report = e is IEvent<AttackReported> first
                    ? AttackReport.Create(first)
                    : throw new ArgumentException($"only new attacks (AttackReported) can be copied, not {e.EventTypeName}", nameof(reported));
                cells.Add(report, e.Timestamp, +1);
                versions.Add((report, e.Timestamp, serializer.ToJson(report)));
            }

            return new NewAttacks(versions, cells);
        }
    }

    /// <summary>
    /// Writes new attacks' first versions, their casualty rows and cell changes with COPY, in the connection's
    /// transaction: the same rows <see cref="ApplyAsync"/> writes for the same events (a test rebuilds and compares).
    /// </summary>
    public async Task CopyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, NewAttacks attacks, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(attacks);
        if (attacks.Count == 0)
        {
            return;
        }

        await using (var timeline = await connection.BeginBinaryImportAsync(
            $"copy {Table} ({VersionColumns}) from stdin (format binary)", cancellation))
        {
            foreach (var (report, recordedFrom, json) in attacks.Versions)
            {
                var window = report.Facts.Occurrence.Window();
                await timeline.StartRowAsync(cancellation);
                await timeline.WriteAsync(report.Id, NpgsqlDbType.Uuid, cancellation);
                await timeline.WriteAsync(report.Version, NpgsqlDbType.Integer, cancellation);
                await timeline.WriteAsync(recordedFrom.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellation);
                await timeline.WriteNullAsync(cancellation);
                await timeline.WriteAsync(window.From.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellation);
                await timeline.WriteAsync(window.Until.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellation);
                await timeline.WriteAsync(report.Facts.Perpetrator, NpgsqlDbType.Varchar, cancellation);
                await timeline.WriteAsync(report.Retracted, NpgsqlDbType.Boolean, cancellation);
                await timeline.WriteAsync(report.Facts.Location.Longitude, NpgsqlDbType.Double, cancellation);
                await timeline.WriteAsync(report.Facts.Location.Latitude, NpgsqlDbType.Double, cancellation);
                await timeline.WriteAsync(json, NpgsqlDbType.Jsonb, cancellation);
                foreach (var total in Totals(report))
                {
                    await timeline.WriteAsync(total, NpgsqlDbType.Integer, cancellation);
                }
            }

            await timeline.CompleteAsync(cancellation);
        }

        await using (var casualties = await connection.BeginBinaryImportAsync(
            $"copy {CasualtiesTable} ({CasualtyColumns}) from stdin (format binary)",
            cancellation))
        {
            foreach (var (report, _, _) in attacks.Versions)
            {
                for (var position = 0; position < report.Facts.Casualties.Count; position++)
                {
                    var casualty = report.Facts.Casualties[position];
                    await casualties.StartRowAsync(cancellation);
                    await casualties.WriteAsync(report.Id, NpgsqlDbType.Uuid, cancellation);
                    await casualties.WriteAsync(report.Version, NpgsqlDbType.Integer, cancellation);
                    await casualties.WriteAsync(position, NpgsqlDbType.Integer, cancellation);
                    await casualties.WriteAsync(Infrastructure.Wire.Name(casualty.Category ?? CasualtyCategory.Unknown), NpgsqlDbType.Varchar, cancellation);
                    if (casualty.Party is { } party)
                    {
                        await casualties.WriteAsync(party, NpgsqlDbType.Varchar, cancellation);
                    }
                    else
                    {
                        await casualties.WriteNullAsync(cancellation);
                    }

                    foreach (var figure in new[] { casualty.KilledOrNone.Low, casualty.KilledOrNone.Best, casualty.KilledOrNone.High, casualty.InjuredOrNone.Low, casualty.InjuredOrNone.Best, casualty.InjuredOrNone.High })
                    {
                        await casualties.WriteAsync(figure, NpgsqlDbType.Integer, cancellation);
                    }
                }
            }

            await casualties.CompleteAsync(cancellation);
        }

        await CasualtyCells.UpsertAsync(connection, transaction, _schema, attacks.Cells, cancellation);
    }

    /// <summary>The version's sums over its casualty entries, in the order of <see cref="TotalColumns"/>.</summary>
    private static int[] Totals(AttackReport report)
    {
        var totals = new int[TotalColumns.Length];
        foreach (var casualty in report.Facts.Casualties)
        {
            totals[0] += casualty.KilledOrNone.Low;
            totals[1] += casualty.KilledOrNone.Best;
            totals[2] += casualty.KilledOrNone.High;
            totals[3] += casualty.InjuredOrNone.Low;
            totals[4] += casualty.InjuredOrNone.Best;
            totals[5] += casualty.InjuredOrNone.High;
        }

        return totals;
    }

    /// <summary>A version of a report as this batch records it; superseded within the batch, it gets its end.</summary>
    private sealed class Version(AttackReport report, DateTimeOffset recordedFrom)
    {
        public AttackReport Report { get; } = report;

        public DateTimeOffset RecordedFrom { get; } = recordedFrom;

        public DateTimeOffset? RecordedUntil { get; set; }
    }

    private static bool IsAttackEvent(IEvent e) => e.Data is AttackReported or AttackReportCorrected or AttackReportRetracted or AttackReportDisputed;

    private async Task<AttackReport?> CurrentAsync(IQuerySession session, Guid attackId, CancellationToken cancellation)
    {
        var rows = await session.AdvancedSql.QueryAsync<string>(
            $"select report::text from {Table} where attack_id = ? and recorded_until is null", cancellation, attackId);
        return rows.Count == 0 ? null : session.DocumentStore.Options.Serializer().FromJson<AttackReport>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(rows[0])));
    }

    // Arrays cannot carry nulls of timestamptz through every driver path; this instant stands for "still current".
    private static readonly DateTimeOffset Current = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    private void Record(IDocumentOperations operations, List<Version> versions, List<(Guid AttackId, DateTimeOffset At)> superseded)
    {
        if (superseded.Count > 0)
        {
            operations.QueueSqlCommand(
                $"update {Table} t set recorded_until = s.at from unnest(?::uuid[], ?::timestamptz[]) as s(id, at) where t.attack_id = s.id and t.recorded_until is null",
                superseded.Select(s => s.AttackId).ToArray(), superseded.Select(s => s.At).ToArray());
        }

        if (versions.Count == 0)
        {
            return;
        }

        var serializer = operations.DocumentStore.Options.Serializer();
        var windows = versions.Select(v => v.Report.Facts.Occurrence.Window()).ToArray();
        var totals = versions.Select(v => Totals(v.Report)).ToArray();
        object[] columns =
        [
            versions.Select(v => v.Report.Id).ToArray(),
            versions.Select(v => v.Report.Version).ToArray(),
            versions.Select(v => v.RecordedFrom).ToArray(),
            versions.Select(v => v.RecordedUntil ?? Current).ToArray(),
            windows.Select(w => w.From.ToUniversalTime()).ToArray(),
            windows.Select(w => w.Until.ToUniversalTime()).ToArray(),
            versions.Select(v => v.Report.Facts.Perpetrator).ToArray(),
            versions.Select(v => v.Report.Retracted).ToArray(),
            versions.Select(v => v.Report.Facts.Location.Longitude).ToArray(),
            versions.Select(v => v.Report.Facts.Location.Latitude).ToArray(),
            versions.Select(v => serializer.ToJson(v.Report)).ToArray(),
            .. Enumerable.Range(0, TotalColumns.Length).Select(i => totals.Select(t => t[i]).ToArray()),
        ];
        operations.QueueSqlCommand(
            $"insert into {Table} ({VersionColumns}) " +
            "select id, version, recorded_from, nullif(recorded_until, '9999-12-31T00:00:00Z'::timestamptz), occurred_from, occurred_until, perpetrator, retracted, longitude, latitude, report::jsonb, " +
            "killed_low, killed_best, killed_high, injured_low, injured_best, injured_high " +
            "from unnest(?::uuid[], ?::int[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::text[], ?::boolean[], ?::float8[], ?::float8[], ?::text[], " +
            "?::int[], ?::int[], ?::int[], ?::int[], ?::int[], ?::int[]) " +
            "as v(id, version, recorded_from, recorded_until, occurred_from, occurred_until, perpetrator, retracted, longitude, latitude, report, killed_low, killed_best, killed_high, injured_low, injured_best, injured_high)",
            columns);

        var casualties = versions.SelectMany(v => v.Report.Facts.Casualties.Select((c, position) => (v.Report, Position: position, Casualty: c))).ToArray();
        if (casualties.Length == 0)
        {
            return;
        }

        operations.QueueSqlCommand(
            $"insert into {CasualtiesTable} ({CasualtyColumns}) " +
            "select * from unnest(?::uuid[], ?::int[], ?::int[], ?::text[], ?::text[], ?::int[], ?::int[], ?::int[], ?::int[], ?::int[], ?::int[])",
            casualties.Select(c => c.Report.Id).ToArray(),
            casualties.Select(c => c.Report.Version).ToArray(),
            casualties.Select(c => c.Position).ToArray(),
            casualties.Select(c => Infrastructure.Wire.Name(c.Casualty.Category ?? CasualtyCategory.Unknown)).ToArray(),
            casualties.Select(c => c.Casualty.Party).ToArray(),
            casualties.Select(c => c.Casualty.KilledOrNone.Low).ToArray(),
            casualties.Select(c => c.Casualty.KilledOrNone.Best).ToArray(),
            casualties.Select(c => c.Casualty.KilledOrNone.High).ToArray(),
            casualties.Select(c => c.Casualty.InjuredOrNone.Low).ToArray(),
            casualties.Select(c => c.Casualty.InjuredOrNone.Best).ToArray(),
            casualties.Select(c => c.Casualty.InjuredOrNone.High).ToArray());
    }
}
