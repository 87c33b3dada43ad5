using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;

namespace IdlibLedger.Infrastructure;

/// <summary>The wire (JSON) names of the ledger's enum values, as the contract spells them.</summary>
public static class Wire
{
    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum =>
        NameCache<TEnum>.Names.TryGetValue(value, out var name) ? name : value.ToString().ToLowerInvariant();

    /// <summary>The names of one enum type, read once (reflection per call cost imports a tenth of their time).</summary>
    private static class NameCache<TEnum> where TEnum : struct, Enum
    {
        public static readonly FrozenDictionary<TEnum, string> Names = Enum.GetValues<TEnum>().Distinct().ToFrozenDictionary(
            value => value,
            value => typeof(TEnum).GetField(value.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? value.ToString().ToLowerInvariant());
    }

    /// <summary>The wire names of an enum type's values.</summary>
    public static IReadOnlyList<string> Names(Type enumType)
    {
        ArgumentNullException.ThrowIfNull(enumType);
        return [.. enumType.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name.ToLowerInvariant())];
    }
}
