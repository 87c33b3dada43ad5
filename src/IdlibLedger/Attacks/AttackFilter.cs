using System.Globalization;
using System.Text;
using IdlibLedger.Infrastructure;
using Npgsql;

namespace IdlibLedger.Attacks;

/// <summary>
/// Which attack versions a read sees: those current as of <c>asOf</c> (transaction time), that had begun by
/// <c>at</c> (valid time), optionally inside [from, to] (by the start of their occurrence window), a bounding
/// box, a region (by its polygon, GiST-indexed) and a perpetrator. Shared by the attack list and the casualty totals so both count the same attacks.
/// </summary>
public sealed record AttackFilter(
    Temporal Temporal,
    DateTimeOffset? From,
    DateTimeOffset? To,
    (double MinLon, double MinLat, double MaxLon, double MaxLat)? Bbox,
    string? Perpetrator,
    bool IncludeRetracted = false,
    string? RegionId = null)
{
    /// <summary>Parses the query parameters every attack read takes; errors name the parameter.</summary>
    public static bool TryParse(
        string? at, string? asOf, string? from, string? to, string? bbox, string? perpetrator, LedgerClock clock,
        out AttackFilter filter, IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        Temporal.TryParse(at, asOf, clock, out var temporal, out _);
        foreach (var (name, value) in new[] { ("at", at), ("asOf", asOf) })
        {
            Temporal.ParseBound(value, name, endOfDay: true, errors);
        }

        var fromValue = Temporal.ParseBound(from, "from", endOfDay: false, errors);
        var toValue = Temporal.ParseBound(to, "to", endOfDay: true, errors);
        if (fromValue > toValue)
        {
            errors["to"] = ["to must not be before from"];
        }

        var box = ParseBbox(bbox, errors);
        filter = new AttackFilter(temporal, fromValue, toValue, box, string.IsNullOrWhiteSpace(perpetrator) ? null : perpetrator.Trim());
        return errors.Count == 0;
    }

    private static (double, double, double, double)? ParseBbox(string? bbox, IDictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(bbox))
        {
            return null;
        }

        var parts = bbox.Split(',');
        var numbers = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) || !double.IsFinite(numbers[i]))
            {
                numbers = [];
                break;
            }
        }

        if (numbers.Length != 4
            || numbers[0] is < -180 or > 180 || numbers[2] is < -180 or > 180
            || numbers[1] is < -90 or > 90 || numbers[3] is < -90 or > 90
            || numbers[0] > numbers[2] || numbers[1] > numbers[3])
        {
            errors["bbox"] = ["bbox is minLon,minLat,maxLon,maxLat in WGS 84 degrees (e.g. 36.0,35.5,37.0,36.3)"];
            return null;
        }

        return (numbers[0], numbers[1], numbers[2], numbers[3]);
    }

    /// <summary>Writes the WHERE clause over the timeline alias <paramref name="t"/> and binds its parameters.</summary>
    public string Where(NpgsqlCommand command, string schema, string t = "t")
    {
        ArgumentNullException.ThrowIfNull(command);
        var sql = new StringBuilder();
        sql.Append(CultureInfo.InvariantCulture, $"{t}.recorded_from <= @as_of and ({t}.recorded_until is null or {t}.recorded_until > @as_of) and {t}.occurred_from <= @at");
        command.Parameters.AddWithValue("as_of", Temporal.AsOf);
        command.Parameters.AddWithValue("at", Temporal.At);
        if (!IncludeRetracted)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and not {t}.retracted");
        }

        if (From is { } from)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and {t}.occurred_from >= @from");
            command.Parameters.AddWithValue("from", from);
        }

        if (To is { } to)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and {t}.occurred_from <= @to");
            command.Parameters.AddWithValue("to", to);
        }

        if (Bbox is { } box)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and {t}.longitude between @min_lon and @max_lon and {t}.latitude between @min_lat and @max_lat");
            command.Parameters.AddWithValue("min_lon", box.MinLon);
            command.Parameters.AddWithValue("min_lat", box.MinLat);
            command.Parameters.AddWithValue("max_lon", box.MaxLon);
            command.Parameters.AddWithValue("max_lat", box.MaxLat);
        }

        if (RegionId is { } region)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and ST_Intersects({t}.location, (select r.area from {schema}.regions r where r.id = @region))");
            command.Parameters.AddWithValue("region", region);
        }

        if (Perpetrator is { } perpetrator)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and {t}.perpetrator = @perpetrator");
            command.Parameters.AddWithValue("perpetrator", perpetrator);
        }

        return sql.ToString();
    }
}
