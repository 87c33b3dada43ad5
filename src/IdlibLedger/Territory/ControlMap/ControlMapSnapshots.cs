using System.Text.Json;
using IdlibLedger.Spatial;
using IdlibLedger.Territory.ControlChanges;
using NetTopologySuite.Geometries;
using Npgsql;

namespace IdlibLedger.Territory.ControlMap;

/// <summary>
/// The control map after each control change, in order of occurrence, for the changes recorded so far: a read at
/// (at, asOf) takes the map after the last change that occurred by <c>at</c>, unless a change before it was recorded
/// after <c>asOf</c>; then it takes the map before the first such change and applies the changes after it that were
/// recorded by <c>asOf</c>. Changes are mostly recorded soon after they occur, so a read folds few changes, not all of
/// them. The maps are built in memory (per process) and built again when the control-change table changes.
/// </summary>
public sealed class ControlMapSnapshots : IDisposable
{
    private readonly SemaphoreSlim _building = new(1, 1);
    private State? _state;

    public void Dispose() => _building.Dispose();

    private sealed record Change(string Actor, Geometry Area, DateTimeOffset OccurredFrom, DateTimeOffset RecordedAt);

    /// <summary>The changes in order of occurrence, and the map after each of them; <c>Key</c> names the table state.</summary>
    private sealed record State(string Key, IReadOnlyList<Change> Changes, IReadOnlyList<ControlMap> After);

    public async Task<ControlMap> AtAsync(NpgsqlDataSource database, string schema, DateTimeOffset at, DateTimeOffset asOf, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(database);
        var state = await CurrentAsync(database, schema, cancellation);
        var changes = state.Changes;
        var last = -1;
        var (low, high) = (0, changes.Count - 1);
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (changes[middle].OccurredFrom <= at)
            {
                last = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        var firstUnknown = -1;
        for (var i = 0; i <= last; i++)
        {
            if (changes[i].RecordedAt > asOf)
            {
                firstUnknown = i;
                break;
            }
        }

        if (firstUnknown < 0)
        {
            return last < 0 ? new ControlMap() : state.After[last].Copy();
        }

        var map = firstUnknown == 0 ? new ControlMap() : state.After[firstUnknown - 1].Copy();
        for (var i = firstUnknown + 1; i <= last; i++)
        {
            if (changes[i].RecordedAt <= asOf)
            {
                map.Gain(changes[i].Actor, changes[i].Area);
            }
        }

        return map;
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

            var changes = new List<Change>();
            await using (var command = database.CreateCommand(
                $"select actor, ST_AsGeoJSON(area), occurred_from, recorded_at from {schema}.{ControlChangeTable.Name} order by occurred_from, seq, change_id"))
            await using (var reader = await command.ExecuteReaderAsync(cancellation))
            {
                while (await reader.ReadAsync(cancellation))
                {
                    using var json = JsonDocument.Parse(reader.GetString(1));
                    changes.Add(new Change(reader.GetString(0), GeoJson.FromJson(json.RootElement), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3)));
                }
            }

            var after = new List<ControlMap>(changes.Count);
            var map = new ControlMap();
            foreach (var change in changes)
            {
                map = map.Copy();
                map.Gain(change.Actor, change.Area);
                after.Add(map);
            }

            _state = new State(key, changes, after);
            return _state;
        }
        finally
        {
            _building.Release();
        }
    }

    /// <summary>What identifies the table's content: the number of changes and their recording sequence numbers.</summary>
    private static async Task<string> KeyAsync(NpgsqlDataSource database, string schema, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"select count(*)::text || ':' || coalesce(max(seq), 0)::text || ':' || coalesce(sum(seq), 0)::text || ':' || coalesce(sum(hashtext(change_id::text)::bigint), 0)::text from {schema}.{ControlChangeTable.Name}");
        return (string)(await command.ExecuteScalarAsync(cancellation))!;
    }
}
