using Marten;
using NpgsqlTypes;

namespace IdlibLedger.Attacks.Timeline;

/// <summary>
/// One attack version as a change the ledger learnt: which version, what made it, when and by whose credentials it was
/// recorded, and the facts a page marks it by.
/// </summary>
public sealed record AttackChangeRow(
    Guid AttackId, int Version, string Change, DateTimeOffset RecordedAt, string? RecordedBy, string Perpetrator,
    DateTimeOffset OccurredFrom, DateTimeOffset OccurredUntil, double Longitude, double Latitude);

// The reads of what changed between two transaction times, and of the span the attacks cover: for the dashboard.
public sealed partial class TimelineQueries
{
    private readonly (string Page, string Count) _changes;

    /// <summary>
    /// Every version recorded in (<paramref name="since"/>, <paramref name="asOf"/>], a page of them in recording order
    /// (then attack id, then version), and how many there are in all: a range of <c>ix_attack_timeline_recorded_band</c>
    /// (which covers recorded_from, attack_id and version), then the page's rows by primary key.
    /// </summary>
    public async Task<(IReadOnlyList<AttackChangeRow> Items, long Total)> ChangesAsync(
        DateTimeOffset since, DateTimeOffset asOf, int page, int pageSize, CancellationToken cancellation)
    {
        await using var command = _database.CreateCommand(_changes.Page);
        Bind(command, "since", NpgsqlDbType.TimestampTz, since.ToUniversalTime());
        Bind(command, "as_of", NpgsqlDbType.TimestampTz, asOf.ToUniversalTime());
        Bind(command, "limit", NpgsqlDbType.Integer, pageSize);
        Bind(command, "offset", NpgsqlDbType.Bigint, (long)(page - 1) * pageSize);
        var items = new List<AttackChangeRow>();
        long total = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
        {
            while (await reader.ReadAsync(cancellation))
            {
                items.Add(new AttackChangeRow(
                    reader.GetGuid(0), reader.GetInt32(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5),
                    reader.GetFieldValue<DateTimeOffset>(6), reader.GetFieldValue<DateTimeOffset>(7), reader.GetDouble(8), reader.GetDouble(9)));
                total = reader.GetInt64(10);
            }
        }

        // Past the last page no row carries the count.
        return (items, items.Count == 0 && page > 1 ? await CountChangesAsync(since, asOf, cancellation) : total);
    }

    private async Task<long> CountChangesAsync(DateTimeOffset since, DateTimeOffset asOf, CancellationToken cancellation)
    {
        await using var command = _database.CreateCommand(_changes.Count);
        Bind(command, "since", NpgsqlDbType.TimestampTz, since.ToUniversalTime());
        Bind(command, "as_of", NpgsqlDbType.TimestampTz, asOf.ToUniversalTime());
        return (long)(await command.ExecuteScalarAsync(cancellation))!;
    }

    /// <summary>
    /// The page of versions recorded in (since, asOf]; each version's change is the history entry it added (reported,
    /// corrected, disputed, retracted: the events that make a version, <see cref="AttackTimeline"/>), its author the
    /// credentials that appended that event (the event at the stream's version, by the stream-and-version index).
    /// </summary>
    private static (string Page, string Count) ChangesSql(IDocumentStore store)
    {
        var (schema, events) = (store.Options.DatabaseSchemaName, store.Options.Events.DatabaseSchemaName);
        const string recorded = "t.recorded_from > @since and t.recorded_from <= @as_of";
        // The page is chosen from the covering index alone; only its rows are read from the table and the events.
        return ("select t.attack_id, t.version, t.report -> 'history' -> (t.version - 1) ->> 'change', t.recorded_from, e.user_name, " +
               "t.perpetrator, t.occurred_from, t.occurred_until, t.longitude, t.latitude, p.total " +
               $"from (select t.attack_id, t.version, t.recorded_from, count(*) over () as total from {schema}.{AttackTimeline.TableName} t " +
               $"where {recorded} order by t.recorded_from, t.attack_id, t.version limit @limit offset @offset) p " +
               $"join {schema}.{AttackTimeline.TableName} t on t.attack_id = p.attack_id and t.version = p.version " +
               $"left join {events}.mt_events e on e.stream_id = p.attack_id and e.version = p.version " +
               "order by p.recorded_from, p.attack_id, p.version",
            $"select count(*) from {schema}.{AttackTimeline.TableName} t where {recorded}");
    }

    /// <summary>
    /// SQL for the attacks' extent at <c>@as_of</c>, as one row (from, until, min lon, min lat, max lon, max lat,
    /// attacks, last recorded): over the versions held then that are not retracted; the last recording over every
    /// version recorded by then (a retraction is news too).
    /// </summary>
    public static string ExtentSql(string schema) =>
        "select min(t.occurred_from), max(t.occurred_until), min(t.longitude), min(t.latitude), max(t.longitude), max(t.latitude), count(*), " +
        $"(select max(r.recorded_from) from {schema}.{AttackTimeline.TableName} r where r.recorded_from <= @as_of) " +
        $"from {schema}.{AttackTimeline.TableName} t " +
        "where t.recorded_from <= @as_of and (t.recorded_until is null or t.recorded_until > @as_of) and not t.retracted";
}
