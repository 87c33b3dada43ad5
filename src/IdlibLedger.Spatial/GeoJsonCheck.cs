using System.Globalization;
using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Valid;
using static System.FormattableString;

namespace IdlibLedger.Spatial;

/// <summary>
/// The checked reading behind <see cref="GeoJson.Read"/>: walks the JSON itself so that every defect has its exact path,
/// builds the NetTopologySuite geometry only when the JSON is sound, then lets <see cref="IsValidOp"/> say where the
/// topology is wrong. Nothing is closed, reordered or repaired on the way.
/// </summary>
internal sealed class GeoJsonCheck
{
    /// <summary>A geometry off by a projection has thousands of wrong positions; the first ones say what is wrong.</summary>
    internal const int MaxDefectsListed = 100;

    private static readonly (string Name, GeometryKinds Kind)[] Kinds =
    [
        ("Point", GeometryKinds.Point),
        ("LineString", GeometryKinds.LineString),
        ("MultiLineString", GeometryKinds.MultiLineString),
        ("Polygon", GeometryKinds.Polygon),
        ("MultiPolygon", GeometryKinds.MultiPolygon),
    ];

    private readonly GeometryRules _rules;
    private readonly List<GeometryDefect> _defects = [];
    private int _unlisted;
    private int _positions;
    private bool _hasAltitude;

    private GeoJsonCheck(GeometryRules rules) => _rules = rules;

    public static GeometryReading Read(JsonElement geometry, GeometryKinds allowed, GeometryRules rules) =>
        new GeoJsonCheck(rules).Run(geometry, allowed);

    private GeometryReading Run(JsonElement json, GeometryKinds allowed)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            Add("", $"a geometry is a GeoJSON object with \"type\" and \"coordinates\", not {Describe(json)}");
            return Refused();
        }

        var kind = ReadType(json, allowed);
        object? shape = null;
        if (!json.TryGetProperty("coordinates", out var coordinates))
        {
            Add("coordinates", "is required");
        }
        else if (kind is { } known)
        {
            shape = known switch
            {
                GeometryKinds.Point => ReadPoint(coordinates, "coordinates"),
                GeometryKinds.LineString => ReadLine(coordinates, "coordinates"),
                GeometryKinds.MultiLineString => ReadMany(coordinates, "coordinates", "line string", ReadLine),
                GeometryKinds.Polygon => ReadPolygon(coordinates, "coordinates"),
                _ => ReadMany(coordinates, "coordinates", "polygon", ReadPolygon),
            };
        }
        else if (coordinates.ValueKind != JsonValueKind.Array)
        {
            Add("coordinates", $"must be an array, not {Describe(coordinates)}");
        }

        if (_positions > _rules.MaxVertices)
        {
            _defects.Add(new GeometryDefect("coordinates", Invariant($"the geometry has {_positions} positions; at most {_rules.MaxVertices} are allowed")));
        }

        if (_unlisted > 0)
        {
            _defects.Add(new GeometryDefect("", Invariant($"{_unlisted} more defects are not listed (the first {MaxDefectsListed} are)")));
        }

        if (_defects.Count > 0 || shape is null || kind is null)
        {
            return Refused();
        }

        var built = Build(kind.Value, shape);
        var error = new IsValidOp(built).ValidationError;
        if (error is not null)
        {
            var at = error.Coordinate is { } c ? Invariant($" at or near point ({c.X} {c.Y})") : "";
            _defects.Add(new GeometryDefect("", $"{error.Message}{at}"));
            return Refused();
        }

        return new GeometryReading(built, []);
    }

    private GeometryKinds? ReadType(JsonElement json, GeometryKinds allowed)
    {
        var expected = Expected(allowed);
        if (!json.TryGetProperty("type", out var type))
        {
            Add("type", $"is required: {expected}");
            return null;
        }

        if (type.ValueKind != JsonValueKind.String)
        {
            Add("type", $"must be a string, {expected}; not {Describe(type)}");
            return null;
        }

        var name = type.GetString()!;
        foreach (var (known, kind) in Kinds)
        {
            if (string.Equals(name, known, StringComparison.Ordinal))
            {
                if (!allowed.HasFlag(kind))
                {
                    // Its coordinates are still checked: whoever fixes the type should not meet a second round of defects.
                    Add("type", $"a {name} is not accepted here: {expected}");
                }

                return kind;
            }
        }

        Add("type", $"\"{Shorten(name)}\" is not a GeoJSON geometry type accepted here (names are case-sensitive): {expected}");
        return null;
    }

    private static string Expected(GeometryKinds allowed)
    {
        var names = Kinds.Where(k => allowed.HasFlag(k.Kind)).Select(k => k.Name).ToList();
        return names.Count == 1 ? $"expected {names[0]}" : $"expected one of {string.Join(", ", names)}";
    }

    private double[]? ReadPoint(JsonElement coordinates, string path)
    {
        _positions++;
        return ReadPosition(coordinates, path);
    }

    /// <summary>A LineString's positions (at least 2).</summary>
    private List<double[]?>? ReadLine(JsonElement json, string path)
    {
        var positions = ReadPositions(json, path);
        if (positions is not null && positions.Count < 2)
        {
            Add(path, Invariant($"a line string has at least 2 positions, not {positions.Count}"));
        }

        return positions;
    }

    /// <summary>A Polygon's rings: the outer ring, then its holes; each closed, of at least 4 positions.</summary>
    private List<List<double[]?>?>? ReadPolygon(JsonElement json, string path) => ReadMany(json, path, "ring", ReadRing);

    private List<double[]?>? ReadRing(JsonElement json, string path)
    {
        var positions = ReadPositions(json, path);
        if (positions is null)
        {
            return null;
        }

        if (positions.Count < 4)
        {
            Add(path, Invariant($"a polygon ring has at least 4 positions, the last repeating the first, not {positions.Count}"));
        }

        if (positions.Count >= 2 && positions[0] is { } first && positions[^1] is { } last && !first.SequenceEqual(last))
        {
            Add(path, $"ring is not closed: first position {Format(first)} differs from last {Format(last)}");
        }

        return positions;
    }

    /// <summary>An array of parts (rings, line strings, polygons), at least one.</summary>
    private List<T?>? ReadMany<T>(JsonElement json, string path, string part, Func<JsonElement, string, T?> read)
        where T : class
    {
        if (json.ValueKind != JsonValueKind.Array)
        {
            Add(path, $"must be an array of {part}s, not {Describe(json)}");
            return null;
        }

        if (json.GetArrayLength() == 0)
        {
            Add(path, $"must hold at least one {part}");
            return null;
        }

        return [.. json.EnumerateArray().Select((element, i) => read(element, Index(path, i)))];
    }

    /// <summary>An array of positions; null when it is not one, or holds something else than positions (nesting too shallow).</summary>
    private List<double[]?>? ReadPositions(JsonElement json, string path)
    {
        if (json.ValueKind != JsonValueKind.Array)
        {
            Add(path, $"must be an array of positions, not {Describe(json)}");
            return null;
        }

        var positions = new List<double[]?>(json.GetArrayLength());
        var shaped = true;
        foreach (var element in json.EnumerateArray())
        {
            _positions++;
            shaped &= element.ValueKind == JsonValueKind.Array;
            positions.Add(ReadPosition(element, Index(path, positions.Count)));
        }

        return shaped ? positions : null;
    }

    /// <summary>One position: numbers only, then <see cref="PositionRules"/>, then the area of interest.</summary>
    private double[]? ReadPosition(JsonElement json, string path)
    {
        if (json.ValueKind != JsonValueKind.Array)
        {
            Add(path, $"a position is an array [longitude, latitude], not {Describe(json)}");
            return null;
        }

        var values = new double[json.GetArrayLength()];
        var numbers = true;
        var axis = 0;
        foreach (var element in json.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.Number)
            {
                // A literal too large for a double (1e999) reads as an infinity, which PositionRules refuses by its axis.
                values[axis] = element.TryGetDouble(out var value) ? value : double.Parse(element.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
            }
            else
            {
                Add(Index(path, axis), $"must be a number, not {Describe(element)}");
                numbers = false;
            }

            axis++;
        }

        if (!numbers)
        {
            return null;
        }

        if (PositionRules.Check(values) is { } defect)
        {
            Add(defect.Axis < 0 ? path : Index(path, defect.Axis), defect.Message);
            return null;
        }

        if (PositionRules.CheckInArea(values, _rules) is { } outside)
        {
            Add(path, outside.Message);
            return null;
        }

        _hasAltitude |= values.Length == 3;
        return values;
    }

    private Geometry Build(GeometryKinds kind, object shape)
    {
        var factory = Wgs84.Factory;
        return kind switch
        {
            GeometryKinds.Point => factory.CreatePoint(ToCoordinate((double[])shape)),
            GeometryKinds.LineString => factory.CreateLineString(ToCoordinates((List<double[]?>)shape)),
            GeometryKinds.MultiLineString => factory.CreateMultiLineString(
                [.. ((List<List<double[]?>?>)shape).Select(line => factory.CreateLineString(ToCoordinates(line!)))]),
            GeometryKinds.Polygon => ToPolygon((List<List<double[]?>?>)shape),
            _ => factory.CreateMultiPolygon([.. ((List<List<List<double[]?>?>?>)shape).Select(polygon => ToPolygon(polygon!))]),
        };
    }

    private Polygon ToPolygon(List<List<double[]?>?> rings) =>
        Wgs84.Factory.CreatePolygon(
            Wgs84.Factory.CreateLinearRing(ToCoordinates(rings[0]!)),
            [.. rings.Skip(1).Select(hole => Wgs84.Factory.CreateLinearRing(ToCoordinates(hole!)))]);

    private Coordinate[] ToCoordinates(List<double[]?> positions) => [.. positions.Select(p => ToCoordinate(p!))];

    /// <summary>Altitudes are kept; in a geometry where some positions have one, the others get NaN (unknown).</summary>
    private Coordinate ToCoordinate(double[] position) => _hasAltitude
        ? new CoordinateZ(position[0], position[1], position.Length == 3 ? position[2] : double.NaN)
        : new Coordinate(position[0], position[1]);

    private void Add(string path, string message)
    {
        if (_defects.Count < MaxDefectsListed)
        {
            _defects.Add(new GeometryDefect(path, message));
        }
        else
        {
            _unlisted++;
        }
    }

    private GeometryReading Refused() => new(null, _defects);

    private static string Index(string path, int index) => Invariant($"{path}[{index}]");

    private static string Format(double[] position) => $"({string.Join(' ', position.Select(v => v.ToString(CultureInfo.InvariantCulture)))})";

    private static string Describe(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{Shorten(json.GetString()!)}\"",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "no value at all",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}
