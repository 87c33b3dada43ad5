namespace IdlibLedger.Infrastructure;

/// <summary>A page of a list: the items and where they sit in the whole.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, long TotalItems)
{
    public long TotalPages => PageSize == 0 ? 0 : (TotalItems + PageSize - 1) / PageSize;
}

/// <summary>Page numbers start at 1; page sizes are capped so one request cannot pull the whole ledger.</summary>
public static class Paging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public static bool TryParse(int? page, int? pageSize, IDictionary<string, string[]> errors, out int pageNumber, out int size)
    {
        ArgumentNullException.ThrowIfNull(errors);
        pageNumber = page ?? 1;
        size = pageSize ?? DefaultPageSize;
        if (pageNumber < 1)
        {
            errors["page"] = ["page starts at 1"];
        }

        if (size is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [$"pageSize is between 1 and {MaxPageSize}"];
        }

        return errors.Count == 0;
    }
}
