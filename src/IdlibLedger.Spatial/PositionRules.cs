using System.Globalization;

namespace IdlibLedger.Spatial;

/// <summary>What is wrong with a GeoJSON position, if anything.</summary>
public sealed record PositionDefect(int Axis, string Message);

/// <summary>The rules every position obeys (docs/domain.md, "Geometry"): finite, in range, lon/lat order.</summary>
public static class PositionRules
{
    /// <summary>Checks a GeoJSON position ([lon, lat] or [lon, lat, alt]); returns the first defect or null.</summary>
    public static PositionDefect? Check(IReadOnlyList<double> position)
    {
        ArgumentNullException.ThrowIfNull(position);
        if (position.Count is < 2 or > 3)
        {
            return new PositionDefect(-1, string.Create(CultureInfo.InvariantCulture, $"a position has 2 or 3 numbers [longitude, latitude(, altitude)], not {position.Count}"));
        }

        for (var axis = 0; axis < position.Count; axis++)
        {
            if (!double.IsFinite(position[axis]))
            {
                return new PositionDefect(axis, "coordinates must be finite numbers");
            }
        }

        if (position[0] is < -180 or > 180)
        {
            return new PositionDefect(0, string.Create(CultureInfo.InvariantCulture, $"longitude {position[0]} is outside [-180, 180]"));
        }

        if (position[1] is < -90 or > 90)
        {
            return new PositionDefect(1, string.Create(CultureInfo.InvariantCulture, $"latitude {position[1]} is outside [-90, 90]"));
        }

        return null;
    }

    /// <summary>
    /// Checks that a valid position lies in the area of interest of <paramref name="rules"/>; returns the defect
    /// (axis -1: the position as a whole, since a swapped lon/lat is the usual cause) or null.
    /// </summary>
    public static PositionDefect? CheckInArea(IReadOnlyList<double> position, GeometryRules rules)
    {
        ArgumentNullException.ThrowIfNull(position);
        ArgumentNullException.ThrowIfNull(rules);
        if (position[0] >= rules.MinLongitude && position[0] <= rules.MaxLongitude && position[1] >= rules.MinLatitude && position[1] <= rules.MaxLatitude)
        {
            return null;
        }

        return new PositionDefect(-1, string.Create(
            CultureInfo.InvariantCulture,
            $"position ({string.Join(' ', position.Select(v => v.ToString(CultureInfo.InvariantCulture)))}) is outside the area of interest: longitude {rules.MinLongitude} to {rules.MaxLongitude}, latitude {rules.MinLatitude} to {rules.MaxLatitude}"));
    }
}
