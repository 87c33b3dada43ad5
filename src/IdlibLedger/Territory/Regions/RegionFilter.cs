namespace IdlibLedger.Territory.Regions;

/// <summary>The <c>region</c> query parameter of attack reads: resolved to a region id, or an error naming it.</summary>
public static class RegionFilter
{
    public static async Task<string?> ResolveAsync(string? region, RegionLookup regions, IDictionary<string, string[]> errors, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(region))
        {
            return null;
        }

        var found = await regions.FindAsync(region, cancellation);
        if (found is null)
        {
            errors["region"] = [$"no region '{region}'; GET /api/regions lists them"];
        }

        return found?.Id;
    }
}
