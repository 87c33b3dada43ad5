using System.Reflection;
using System.Text.Json.Serialization;

namespace IdlibLedger.Infrastructure;

/// <summary>The wire (JSON) names of the ledger's enum values, as the contract spells them.</summary>
public static class Wire
{
    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum =>
        typeof(TEnum).GetField(value.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
        ?? value.ToString().ToLowerInvariant();

    /// <summary>The wire names of an enum type's values.</summary>
    public static IReadOnlyList<string> Names(Type enumType)
    {
        ArgumentNullException.ThrowIfNull(enumType);
        return [.. enumType.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name.ToLowerInvariant())];
    }
}
