using System.Reflection;
using System.Text.Json.Serialization;

namespace IdlibLedger.Infrastructure;

/// <summary>The wire (JSON) names of the ledger's enum values, as the contract spells them.</summary>
public static class Wire
{
    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum =>
        typeof(TEnum).GetField(value.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
        ?? value.ToString().ToLowerInvariant();

    public static IReadOnlyList<string> Names<TEnum>() where TEnum : struct, Enum =>
        [.. Enum.GetValues<TEnum>().Select(Name)];
}
