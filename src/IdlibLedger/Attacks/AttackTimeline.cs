using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
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
        var cells = new List<(CasualtyCells.Key, long[])>();
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
                        cells.AddRange(CasualtyCells.Deltas(before, e.Timestamp, -1));
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
                    cells.AddRange(CasualtyCells.Deltas(previous.Report, e.Timestamp, -1));
                }

                previous = new Version(report, e.Timestamp);
                versions.Add(previous);
                cells.AddRange(CasualtyCells.Deltas(report, e.Timestamp, +1));
            }
        }

        Record(operations, versions, superseded);
        CasualtyCells.Queue(operations, _schema, cells);
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
        operations.QueueSqlCommand(
            $"insert into {Table} (attack_id, version, recorded_from, recorded_until, occurred_from, occurred_until, perpetrator, retracted, longitude, latitude, report, {string.Join(", ", TotalColumns)}) " +
            "select id, version, recorded_from, nullif(recorded_until, '9999-12-31T00:00:00Z'::timestamptz), occurred_from, occurred_until, perpetrator, retracted, longitude, latitude, report::jsonb, " +
            "killed_low, killed_best, killed_high, injured_low, injured_best, injured_high " +
            "from unnest(?::uuid[], ?::int[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::text[], ?::boolean[], ?::float8[], ?::float8[], ?::text[], " +
            "?::int[], ?::int[], ?::int[], ?::int[], ?::int[], ?::int[]) " +
            "as v(id, version, recorded_from, recorded_until, occurred_from, occurred_until, perpetrator, retracted, longitude, latitude, report, killed_low, killed_best, killed_high, injured_low, injured_best, injured_high)",
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
            versions.Select(v => v.Report.Facts.Casualties.Sum(c => c.KilledOrNone.Low)).ToArray(),
            versions.Select(v => v.Report.Facts.Casualties.Sum(c => c.KilledOrNone.Best)).ToArray(),
            versions.Select(v => v.Report.Facts.Casualties.Sum(c => c.KilledOrNone.High)).ToArray(),
            versions.Select(v => v.Report.Facts.Casualties.Sum(c => c.InjuredOrNone.Low)).ToArray(),
            versions.Select(v => v.Report.Facts.Casualties.Sum(c => c.InjuredOrNone.Best)).ToArray(),
            versions.Select(v => v.Report.Facts.Casualties.Sum(c => c.InjuredOrNone.High)).ToArray());

        var casualties = versions.SelectMany(v => v.Report.Facts.Casualties.Select((c, position) => (v.Report, Position: position, Casualty: c))).ToArray();
        if (casualties.Length == 0)
        {
            return;
        }

        operations.QueueSqlCommand(
            $"insert into {CasualtiesTable} (attack_id, version, position, category, party, killed_low, killed_best, killed_high, injured_low, injured_best, injured_high) " +
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
