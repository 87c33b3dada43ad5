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
        timeline.AddColumn("location", "geometry(Point, 4326)").GeneratedAs("ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)");
        timeline.Indexes.Add(new IndexDefinition($"ix_{TableName}_recorded") { Columns = ["recorded_from", "recorded_until"] });
        timeline.Indexes.Add(new IndexDefinition($"ix_{TableName}_occurred") { Columns = ["occurred_from"] });
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
    }

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(events);

        foreach (var stream in events.Where(IsAttackEvent).GroupBy(e => e.StreamId))
        {
            AttackReport? report = null;
            foreach (var e in stream)
            {
                report = e switch
                {
                    IEvent<AttackReported> reported => AttackReport.Create(reported),
                    IEvent<AttackReportCorrected> corrected => (report ?? await CurrentAsync(operations, stream.Key, cancellation))?.Apply(corrected),
                    IEvent<AttackReportRetracted> retracted => (report ?? await CurrentAsync(operations, stream.Key, cancellation))?.Apply(retracted),
                    IEvent<AttackReportDisputed> disputed => (report ?? await CurrentAsync(operations, stream.Key, cancellation))?.Apply(disputed),
                    _ => report,
                };

                if (report is not null)
                {
                    Record(operations, report, e.Timestamp);
                }
            }
        }
    }

    private static bool IsAttackEvent(IEvent e) => e.Data is AttackReported or AttackReportCorrected or AttackReportRetracted or AttackReportDisputed;

    private async Task<AttackReport?> CurrentAsync(IQuerySession session, Guid attackId, CancellationToken cancellation)
    {
        var rows = await session.AdvancedSql.QueryAsync<string>(
            $"select report::text from {Table} where attack_id = ? and recorded_until is null", cancellation, attackId);
        return rows.Count == 0 ? null : session.DocumentStore.Options.Serializer().FromJson<AttackReport>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(rows[0])));
    }

    private void Record(IDocumentOperations operations, AttackReport report, DateTimeOffset recordedAt)
    {
        var (from, until) = report.Facts.Occurrence.Window();
        operations.QueueSqlCommand(
            $"update {Table} set recorded_until = ? where attack_id = ? and recorded_until is null",
            recordedAt, report.Id);
        operations.QueueSqlCommand(
            $"insert into {Table} (attack_id, version, recorded_from, recorded_until, occurred_from, occurred_until, perpetrator, retracted, longitude, latitude, report) " +
            "values (?, ?, ?, null, ?, ?, ?, ?, ?, ?, ?::jsonb)",
            report.Id, report.Version, recordedAt, from, until, report.Facts.Perpetrator, report.Retracted,
            report.Facts.Location.Longitude, report.Facts.Location.Latitude, operations.DocumentStore.Options.Serializer().ToJson(report));

        var position = 0;
        foreach (var c in report.Facts.Casualties)
        {
            var killed = c.KilledOrNone;
            var injured = c.InjuredOrNone;
            operations.QueueSqlCommand(
                $"insert into {CasualtiesTable} (attack_id, version, position, category, party, killed_low, killed_best, killed_high, injured_low, injured_best, injured_high) " +
                "values (?, ?, ?, ?, ?::text, ?, ?, ?, ?, ?, ?)",
                report.Id, report.Version, position++, Infrastructure.Wire.Name(c.Category ?? CasualtyCategory.Unknown), (object?)c.Party ?? DBNull.Value,
                killed.Low, killed.Best, killed.High, injured.Low, injured.Best, injured.High);
        }
    }
}
