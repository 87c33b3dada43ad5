using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using Marten;
using Marten.Events;
using Npgsql;
using NpgsqlTypes;

namespace IdlibLedger.Attacks.Timeline;

/// <summary>An attack near a place: its id, perpetrator, description and position.</summary>
public sealed record NearbyAttack(Guid AttackId, string Perpetrator, string Description, double Longitude, double Latitude);

/// <summary>An attack inside an area, with the killed and injured of the version read.</summary>
public sealed record AttackInArea(Guid AttackId, string Perpetrator, DateTimeOffset OccurredFrom, string Description, Estimate Killed, Estimate Injured);

/// <summary>Of a chunk's stream ids, those already in the ledger, and among them those whose events have no timeline rows.</summary>
public sealed record StoredStreams(IReadOnlySet<Guid> Existing, IReadOnlyList<Guid> WithoutTimeline);

// The reads other slices make of the timeline: claims, ceasefires, the importer and the read-model check.
public sealed partial class TimelineQueries
{
    private readonly string _nearest;
    private readonly string _violations;
    private readonly string _storedStreams;
    private readonly string _reportedWithoutRows;

    /// <summary>The store's name for <see cref="AttackReported"/> in <c>mt_events.type</c>.</summary>
    private readonly string _reportedType;

    /// <summary>
    /// The nearest attack to (<paramref name="longitude"/>, <paramref name="latitude"/>) on the sphere (degrees of
    /// longitude and latitude are not the same length) that is not <paramref name="except"/>, not a claim, not
    /// retracted, known at <paramref name="asOf"/>, and whose occurrence window meets [from, until].
    /// </summary>
    public async Task<NearbyAttack?> NearestActivityAsync(
        Guid except, double longitude, double latitude, DateTimeOffset from, DateTimeOffset until, DateTimeOffset asOf, CancellationToken cancellation)
    {
        await using var command = _database.CreateCommand(_nearest);
        Bind(command, "as_of", NpgsqlDbType.TimestampTz, asOf.ToUniversalTime());
        Bind(command, "id", NpgsqlDbType.Uuid, except);
        Bind(command, "from", NpgsqlDbType.TimestampTz, from.ToUniversalTime());
        Bind(command, "until", NpgsqlDbType.TimestampTz, until.ToUniversalTime());
        Bind(command, "lon", NpgsqlDbType.Double, longitude);
        Bind(command, "lat", NpgsqlDbType.Double, latitude);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        return await reader.ReadAsync(cancellation)
            ? new NearbyAttack(reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? string.Empty : reader.GetString(2), reader.GetDouble(3), reader.GetDouble(4))
            : null;
    }

    /// <summary>
    /// The attacks by one of <paramref name="perpetrators"/> (compared as <see cref="Parties"/> says) inside <paramref name="areaGeoJson"/> that began from
    /// <paramref name="from"/> (and before <paramref name="until"/>, if any) and by <c>at</c>, not retracted, as known at
    /// <c>asOf</c>, in occurrence order.
    /// </summary>
    public async Task<IReadOnlyList<AttackInArea>> AttacksInAreaAsync(
        IReadOnlyList<string> perpetrators, string areaGeoJson, DateTimeOffset from, DateTimeOffset? until, Temporal temporal, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(perpetrators);
        ArgumentNullException.ThrowIfNull(temporal);
        await using var command = _database.CreateCommand(_violations);
        Bind(command, "as_of", NpgsqlDbType.TimestampTz, temporal.AsOf.ToUniversalTime());
        Bind(command, "at", NpgsqlDbType.TimestampTz, temporal.At.ToUniversalTime());
        Bind(command, "parties", NpgsqlDbType.Array | NpgsqlDbType.Text, perpetrators.Select(Parties.Key).ToArray());
        Bind(command, "area", NpgsqlDbType.Text, areaGeoJson);
        Bind(command, "from", NpgsqlDbType.TimestampTz, from.ToUniversalTime());
        Bind(command, "ends", NpgsqlDbType.TimestampTz, until?.ToUniversalTime());
        var attacks = new List<AttackInArea>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            attacks.Add(new AttackInArea(
                reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.IsDBNull(3) ? "" : reader.GetString(3),
                new Estimate((int)reader.GetInt64(4), (int)reader.GetInt64(5), (int)reader.GetInt64(6)),
                new Estimate((int)reader.GetInt64(7), (int)reader.GetInt64(8), (int)reader.GetInt64(9))));
        }

        return attacks;
    }

    /// <summary>
    /// For an import, in its transaction: which of <paramref name="ids"/> are streams already in the ledger, and which
    /// of those have no timeline rows (an import killed between a chunk's two commits).
    /// </summary>
    public async Task<StoredStreams> StoredStreamsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<Guid> ids, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var (existing, withoutTimeline) = (new HashSet<Guid>(), new List<Guid>());
        await using var command = new NpgsqlCommand(_storedStreams, connection, transaction);
        Bind(command, "ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid, ids.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            existing.Add(reader.GetGuid(0));
            if (!reader.GetBoolean(1))
            {
                withoutTimeline.Add(reader.GetGuid(0));
            }
        }

        return new StoredStreams(existing, withoutTimeline);
    }

    /// <summary>For start-up, in the caller's transaction: the attacks whose report committed without timeline rows.</summary>
    public async Task<IReadOnlyList<Guid>> ReportedWithoutTimelineAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellation)
    {
        var attacks = new List<Guid>();
        await using var command = new NpgsqlCommand(_reportedWithoutRows, connection, transaction);
        Bind(command, "type", NpgsqlDbType.Text, _reportedType);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            attacks.Add(reader.GetGuid(0));
        }

        return attacks;
    }

    /// <summary>
    /// The rows of a read-model table as a comparison of read models counts them (a relation for a <c>from</c>
    /// clause), or null for a table not compared on its own. The casualty cells are compared with their deltas folded
    /// in (<see cref="CasualtyCells.Folded"/>), whether the fold has run or not, and without cells whose sums are all
    /// zero: a version added and superseded in the same cell leaves such a cell when the two arrive in separate
    /// transactions, and none when one batch carries both, as a rebuild's does. The deltas are in that, so not compared.
    /// </summary>
    public static string? ComparedRows(string schema, string table) => table switch
    {
        CasualtyCells.TableName => CasualtyCells.Folded(schema),
        CasualtyCells.DeltasTableName => null,
        _ => $"{schema}.{table}",
    };

    private static (string Nearest, string Violations, string StoredStreams, string ReportedWithoutRows, string ReportedType) OtherStatements(IDocumentStore store)
    {
        var (schema, events) = (store.Options.DatabaseSchemaName, store.Options.Events.DatabaseSchemaName);
        var (timeline, casualties) = ($"{schema}.{AttackTimeline.TableName}", $"{schema}.{AttackTimeline.CasualtiesTableName}");
        return (
            "select t.attack_id, t.perpetrator, t.report -> 'facts' ->> 'description', t.longitude, t.latitude " +
            $"from {timeline} t " +
            "where t.recorded_from <= @as_of and (t.recorded_until is null or t.recorded_until > @as_of) and not t.retracted " +
            "and t.attack_id <> @id and t.report -> 'facts' ->> 'claimedBy' is null " +
            "and t.occurred_from <= @until and t.occurred_until >= @from " +
            "order by ST_DistanceSphere(t.location, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326)), t.attack_id limit 1",

            "select t.attack_id, t.perpetrator, t.occurred_from, t.report -> 'facts' ->> 'description', " +
            "coalesce(sum(c.killed_low), 0), coalesce(sum(c.killed_best), 0), coalesce(sum(c.killed_high), 0), " +
            "coalesce(sum(c.injured_low), 0), coalesce(sum(c.injured_best), 0), coalesce(sum(c.injured_high), 0) " +
            $"from {timeline} t left join {casualties} c on c.attack_id = t.attack_id and c.version = t.version " +
            "where t.recorded_from <= @as_of and (t.recorded_until is null or t.recorded_until > @as_of) and not t.retracted " +
            "and lower(btrim(t.perpetrator)) = any(@parties) and ST_Intersects(t.location, ST_GeomFromGeoJSON(@area)) " +
            "and t.occurred_from >= @from and (@ends::timestamptz is null or t.occurred_from < @ends) and t.occurred_from <= @at " +
            "group by t.attack_id, t.perpetrator, t.occurred_from, t.report order by t.occurred_from",

            $"select s.id, exists (select 1 from {timeline} t where t.attack_id = s.id) from {events}.mt_streams s where s.id = any(@ids)",

            $"select distinct e.stream_id from {events}.mt_events e where e.type = @type " +
            $"and not exists (select 1 from {timeline} t where t.attack_id = e.stream_id)",

            ((EventGraph)store.Options.Events).EventMappingFor(typeof(AttackReported)).EventTypeName);
    }
}
