using System.Text.Json;
using IdlibLedger.Common;
using IdlibLedger.Spatial;
using IdlibLedger.Territory.ControlChanges;
using NetTopologySuite.Geometries;
using Npgsql;

namespace IdlibLedger.Territory.ControlMap;

/// <summary>
/// The control map after each current version of a control change (the versions no correction or retraction has
/// closed), in order of occurrence. A read at (at, asOf) folds exactly the versions the ledger held at asOf that had
/// occurred by at. Those agree with the current versions up to the first place where they differ: a current version
/// recorded after asOf, or an older version valid at asOf that a correction or retraction closed after it. The read
/// takes the map before that place and folds the rest, so a read at asOf = now, or before a few late changes and
/// corrections, folds few changes, not all of them. The maps are built in memory (per process) and built again when
/// the control-change table changes.
/// </summary>
public sealed class ControlMapSnapshots : IDisposable
{
    private readonly SemaphoreSlim _building = new(1, 1);
    private State? _state;

    public void Dispose() => _building.Dispose();

    /// <summary>One version of a change, valid in transaction time over [RecordedAt, SupersededAt).</summary>
    private sealed record Version(
        Guid ChangeId, int Number, long Seq, string Actor, Geometry Area, DateTimeOffset OccurredFrom, DateTimeOffset RecordedAt, DateTimeOffset? SupersededAt)
    {
        public bool ValidAt(DateTimeOffset asOf) => RecordedAt <= asOf && (SupersededAt is null || SupersededAt > asOf);
    }

    /// <summary>The order changes are applied in: valid time, then recording order (as the holder query orders them).</summary>
    private sealed class FoldOrder : IComparer<Version>
    {
        public static readonly FoldOrder Instance = new();

        public int Compare(Version? x, Version? y) =>
            x is null || y is null ? Comparer<Version?>.Default.Compare(x, y)
            : x.OccurredFrom != y.OccurredFrom ? x.OccurredFrom.CompareTo(y.OccurredFrom)
            : x.Seq != y.Seq ? x.Seq.CompareTo(y.Seq)
            : x.ChangeId != y.ChangeId ? x.ChangeId.CompareTo(y.ChangeId)
            : x.Number.CompareTo(y.Number);
    }

    /// <summary>
    /// <c>Current</c> in fold order with the map after each; <c>Closed</c>, the versions closed by a correction or a
    /// retraction; <c>BySeq</c>, every version in recording order (for the spelling of actors); <c>Key</c> names the table state.
    /// </summary>
    private sealed record State(string Key, IReadOnlyList<Version> Current, IReadOnlyList<ControlMap> After, IReadOnlyList<Version> Closed, IReadOnlyList<Version> BySeq);

    public async Task<ControlMap> AtAsync(NpgsqlDataSource database, string schema, DateTimeOffset at, DateTimeOffset asOf, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(database);
        var state = await CurrentAsync(database, schema, cancellation);
        var current = state.Current;
        var last = LastOccurredBy(current, at);

        // Where the versions held at asOf first part from the current ones.
        var split = last + 1;
        for (var i = 0; i <= last; i++)
        {
            if (current[i].RecordedAt > asOf)
            {
                split = i;
                break;
            }
        }

        var older = state.Closed.Where(v => v.OccurredFrom <= at && v.ValidAt(asOf)).ToList();
        foreach (var version in older)
        {
            split = Math.Min(split, FirstNotBefore(current, version));
        }

        var map = split == 0 ? new ControlMap() : state.After[split - 1].Copy();
        var rest = current.Skip(split).Take(last + 1 - split).Where(v => v.RecordedAt <= asOf).Concat(older).Order(FoldOrder.Instance);
        map.GainAll([.. rest.Select(v => (v.Actor, v.Area))]);

        return map.Named(Spellings(state.BySeq, map, asOf));
    }

    /// <summary>Each actor of the map under its first spelling recorded: that of the earliest change held at asOf naming it.</summary>
    private static Dictionary<string, string> Spellings(IReadOnlyList<Version> bySeq, ControlMap map, DateTimeOffset asOf)
    {
        var wanted = map.Held.Keys.Select(Parties.Key).ToHashSet(StringComparer.Ordinal);
        var spelling = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var version in bySeq)
        {
            if (spelling.Count == wanted.Count)
            {
                break;
            }

            var key = Parties.Key(version.Actor);
            if (wanted.Contains(key) && !spelling.ContainsKey(key) && version.ValidAt(asOf))
            {
                spelling[key] = version.Actor;
            }
        }

        return spelling;
    }

    /// <summary>The index of the last version that occurred by <paramref name="at"/>, or -1.</summary>
    private static int LastOccurredBy(IReadOnlyList<Version> versions, DateTimeOffset at)
    {
        var last = -1;
        var (low, high) = (0, versions.Count - 1);
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (versions[middle].OccurredFrom <= at)
            {
                last = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return last;
    }

    /// <summary>The index of the first version that does not come before <paramref name="version"/> in fold order.</summary>
    private static int FirstNotBefore(IReadOnlyList<Version> versions, Version version)
    {
        var (low, high) = (0, versions.Count);
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (FoldOrder.Instance.Compare(versions[middle], version) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private async Task<State> CurrentAsync(NpgsqlDataSource database, string schema, CancellationToken cancellation)
    {
        var key = await KeyAsync(database, schema, cancellation);
        if (_state is { } known && known.Key == key)
        {
            return known;
        }

        await _building.WaitAsync(cancellation);
        try
        {
            key = await KeyAsync(database, schema, cancellation);
            if (_state is { } built && built.Key == key)
            {
                return built;
            }

            var versions = new List<Version>();
            await using (var command = database.CreateCommand(
                $"select change_id, version, seq, actor, ST_AsGeoJSON(area), occurred_from, recorded_at, superseded_at from {schema}.{ControlChangeTable.Name}"))
            await using (var reader = await command.ExecuteReaderAsync(cancellation))
            {
                while (await reader.ReadAsync(cancellation))
                {
                    using var json = JsonDocument.Parse(reader.GetString(4));
                    versions.Add(new Version(
                        reader.GetGuid(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetString(3), GeoJson.FromJson(json.RootElement),
                        reader.GetFieldValue<DateTimeOffset>(5), reader.GetFieldValue<DateTimeOffset>(6),
                        reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7)));
                }
            }

            var current = versions.Where(v => v.SupersededAt is null).Order(FoldOrder.Instance).ToList();
            var after = new List<ControlMap>(current.Count);
            var map = new ControlMap();
            foreach (var version in current)
            {
                map = map.Copy();
                map.Gain(version.Actor, version.Area);
                after.Add(map);
            }

            var closed = versions.Where(v => v.SupersededAt is not null).ToList();
            var bySeq = versions.OrderBy(v => v.Seq).ThenBy(v => v.ChangeId).ThenBy(v => v.Number).ToList();
            _state = new State(key, current, after, closed, bySeq);
            return _state;
        }
        finally
        {
            _building.Release();
        }
    }

    /// <summary>What identifies the table's content: its versions, the changes they belong to, and which are closed when.</summary>
    private static async Task<string> KeyAsync(NpgsqlDataSource database, string schema, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            "select count(*)::text || ':' || count(superseded_at)::text || ':' || coalesce(sum(seq), 0)::text" +
            " || ':' || coalesce(sum(hashtext(change_id::text || '/' || version::text)::bigint), 0)::text" +
            " || ':' || coalesce(sum(extract(epoch from superseded_at)), 0)::text" +
            $" from {schema}.{ControlChangeTable.Name}");
        return (string)(await command.ExecuteScalarAsync(cancellation))!;
    }
}
