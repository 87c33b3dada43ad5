namespace IdlibLedger.Territory.Regions;

/// <summary>
/// The <c>region</c> query parameter of attack reads: resolved to a region id among the regions the ledger held at the
/// read's asOf, or an error naming it. The reads then measure against the region's area as known at that asOf
/// (<see cref="RegionTable.AreaAt"/>).
/// </summary>
public static class RegionFilter
{
    public static async Task<string?> ResolveAsync(
        string? region, DateTimeOffset asOf, RegionLookup regions, IDictionary<string, string[]> errors, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(region))
        {
            return null;
        }

        var found = await regions.FindAsync(region, asOf, cancellation);
        if (found is null)
        {
            errors["region"] = [$"no region '{region}' as of {asOf:O}; GET /api/regions lists them"];
        }

        return found?.Id;
    }
}
