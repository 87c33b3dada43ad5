using System.Text.Json;
using IdlibLedger.Infrastructure;

namespace IdlibLedger.Common;

/// <summary>
/// What a correction changes, field by field: a field given replaces the current value, absent or null keeps it, and a
/// field given the value it already holds is no change. <see cref="Names"/> lists the wire names of those that change.
/// </summary>
public sealed class FieldChanges
{
    private readonly List<string> names = [];

    /// <summary>The wire names of the fields that change, in the order they were taken.</summary>
    public IReadOnlyList<string> Names => names;

    /// <summary>The value <paramref name="field"/> has after the correction.</summary>
    public T Take<T>(string field, T? given, T current) where T : class => TakeOptional(field, given, current)!;

    /// <summary>The value <paramref name="field"/> has after the correction (a value type).</summary>
    public T TakeValue<T>(string field, T? given, T current) where T : struct => TakeOptionalValue(field, given, current) ?? current;

    /// <summary>The value an optional <paramref name="field"/> has after the correction (given, a correction cannot clear it).</summary>
    public T? TakeOptional<T>(string field, T? given, T? current) where T : class
    {
        if (given is null || (current is not null && SameJson(given, current)))
        {
            return current;
        }

        names.Add(field);
        return given;
    }

    /// <summary>The value an optional <paramref name="field"/> (a value type) has after the correction.</summary>
    public T? TakeOptionalValue<T>(string field, T? given, T? current) where T : struct
    {
        if (given is not { } value || (current is { } was && SameJson(value, was)))
        {
            return current;
        }

        names.Add(field);
        return value;
    }

    /// <summary>Records <paramref name="field"/> as changed when <paramref name="changed"/> (a field whose value is worked out elsewhere).</summary>
    public void Mark(string field, bool changed)
    {
        if (changed)
        {
            names.Add(field);
        }
    }

    // Lists and JSON elements compare by reference in records; their JSON says whether the ledger would record anything new.
    public static bool SameJson<T>(T a, T b) =>
        JsonSerializer.Serialize(a, LedgerJson.Options) == JsonSerializer.Serialize(b, LedgerJson.Options);
}
