namespace IdlibLedger.Common;

/// <summary>
/// How the ledger compares the names of parties and actors (perpetrators, claimants, disputing parties, addressees,
/// signatories, control-map actors, ceasefire parties): trimmed, case-insensitive, ordinal. "Syrian government" and
/// "syrian Government " name the same party; the first spelling recorded is the one shown.
/// </summary>
public static class Parties
{
    public static readonly StringComparer Comparer = StringComparer.OrdinalIgnoreCase;

    public static bool Same(string? a, string? b) => string.Equals(a?.Trim(), b?.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>The form used as a key (dictionaries, SQL grouping): trimmed and lower-cased, culture-invariant.</summary>
    public static string Key(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant();
    }

    /// <summary>No two of <paramref name="names"/> name the same party (blank names are left to the rules that refuse them).</summary>
    public static bool NoneTwice(IEnumerable<string?>? names) =>
        names is null || names.Where(n => !string.IsNullOrWhiteSpace(n)).GroupBy(n => Key(n!)).All(same => same.Count() == 1);
}
