using IdlibLedger.Common;
using IdlibLedger.Spatial;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Linemerge;
using NetTopologySuite.Operation.Overlay;
using NetTopologySuite.Operation.OverlayNG;

namespace IdlibLedger.Territory.ControlMap;

/// <summary>
/// Who holds what: one area per actor, never overlapping. Built by applying gains in order — an actor gaining an
/// area adds it to its own and takes it from every other actor. Pure and deterministic: the same changes in the
/// same order give the same map. Actors are compared as parties are (<see cref="Parties"/>: "Syrian government" and
/// "syrian government" are one actor), under the spelling the map met first unless <see cref="Named"/> says otherwise.
/// </summary>
public sealed class ControlMap
{
    private readonly SortedDictionary<string, Geometry> _held = new(Parties.Comparer);

    public IReadOnlyDictionary<string, Geometry> Held => _held;

    public static ControlMap From(IEnumerable<(string Actor, Geometry Area)> gainsInOrder)
    {
        ArgumentNullException.ThrowIfNull(gainsInOrder);
        var map = new ControlMap();
        foreach (var (actor, area) in gainsInOrder)
        {
            map.Gain(actor, area);
        }

        return map;
    }

    public ControlMap Copy()
    {
        var copy = new ControlMap();
        foreach (var (actor, area) in _held)
        {
            copy._held[actor] = area;
        }

        return copy;
    }

    public void Gain(string actor, Geometry area)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor = actor.Trim();
        foreach (var other in _held.Keys.Where(a => !Parties.Comparer.Equals(a, actor)).ToList())
        {
            var left = OverlayNGRobust.Overlay(_held[other], area, SpatialFunction.Difference);
            if (left.IsEmpty || left.Area <= 0)
            {
                _held.Remove(other);
            }
            else
            {
                _held[other] = Polygonal(left);
            }
        }

        if (_held.TryGetValue(actor, out var had))
        {
            // Keep the spelling already held: the dictionary's key stays the one added first.
            _held[_held.Keys.First(a => Parties.Comparer.Equals(a, actor))] = Polygonal(OverlayNGRobust.Overlay(had, area, SpatialFunction.Union));
        }
        else
        {
            _held[actor] = Polygonal(area);
        }
    }

    /// <summary>
    /// Applies the gains in order with the result <see cref="Gain"/> would give one by one — each point goes to the
    /// actor of the last gain covering it, or stays with its holder when none does — but overlays each held area once
    /// rather than once a gain: the gains are first settled among themselves from the last back, each keeping what the
    /// later ones do not cover, and then the held areas lose what the gains cover and their actors gain what they kept.
    /// The gains are small next to the held areas, which grow to thousands of vertices, so a read that folds a few
    /// hundred gains onto a map costs a few hundred small overlays and a few large ones. An actor the map does not hold
    /// yet is keyed by its first spelling among the gains.
    /// </summary>
    public void GainAll(IReadOnlyList<(string Actor, Geometry Area)> gains)
    {
        ArgumentNullException.ThrowIfNull(gains);
        if (gains.Count < 2)
        {
            foreach (var (actor, area) in gains)
            {
                Gain(actor, area);
            }

            return;
        }

        var kept = new Dictionary<string, List<Geometry>>(Parties.Comparer);
        Geometry? covered = null;
        for (var i = gains.Count - 1; i >= 0; i--)
        {
            var (actor, area) = gains[i];
            var left = covered is null ? area : OverlayNGRobust.Overlay(area, covered, SpatialFunction.Difference);
            if (!left.IsEmpty && left.Area > 0)
            {
                var key = actor.Trim();
                if (!kept.TryGetValue(key, out var pieces))
                {
                    kept[key] = pieces = [];
                }

                pieces.Add(left);
            }

            covered = covered is null ? area : OverlayNGRobust.Overlay(covered, area, SpatialFunction.Union);
        }

        foreach (var holder in _held.Keys.ToList())
        {
            var left = OverlayNGRobust.Overlay(_held[holder], covered!, SpatialFunction.Difference);
            if (left.IsEmpty || left.Area <= 0)
            {
                _held.Remove(holder);
            }
            else
            {
                _held[holder] = Polygonal(left);
            }
        }

        foreach (var actor in gains.Select(g => g.Actor.Trim()).Distinct(Parties.Comparer))
        {
            if (!kept.TryGetValue(actor, out var pieces))
            {
                continue;
            }

            var won = OverlayNGRobust.Union(Wgs84.Factory.BuildGeometry(pieces));
            if (_held.Keys.FirstOrDefault(a => Parties.Comparer.Equals(a, actor)) is { } held)
            {
                _held[held] = Polygonal(OverlayNGRobust.Overlay(_held[held], won, SpatialFunction.Union));
            }
            else
            {
                _held[actor] = Polygonal(won);
            }
        }
    }

    /// <summary>The same map with each actor under the spelling <paramref name="spelling"/> gives for it (by <see cref="Parties.Key"/>), if any.</summary>
    public ControlMap Named(IReadOnlyDictionary<string, string> spelling)
    {
        ArgumentNullException.ThrowIfNull(spelling);
        var named = new ControlMap();
        foreach (var (actor, area) in _held)
        {
            named._held[spelling.TryGetValue(Parties.Key(actor), out var name) ? name : actor] = area;
        }

        return named;
    }

    /// <summary>Each actor's area inside the region (no region: everything).</summary>
    public IReadOnlyList<(string Actor, Geometry Area)> Within(Geometry? region) =>
    [
        .. _held
            .Select(h => (h.Key, Area: region is null ? h.Value : Polygonal(OverlayNGRobust.Overlay(h.Value, region, SpatialFunction.Intersection))))
            .Where(h => !h.Area.IsEmpty && h.Area.Area > 0),
    ];

    /// <summary>The front lines: where two actors' areas touch, as lines, one entry per pair.</summary>
    public static IReadOnlyList<(string A, string B, Geometry Line)> FrontLines(IReadOnlyList<(string Actor, Geometry Area)> areas)
    {
        ArgumentNullException.ThrowIfNull(areas);
        var lines = new List<(string, string, Geometry)>();
        for (var i = 0; i < areas.Count; i++)
        {
            for (var j = i + 1; j < areas.Count; j++)
            {
                var shared = OverlayNGRobust.Overlay(areas[i].Area.Boundary, areas[j].Area.Boundary, SpatialFunction.Intersection);
                var merger = new LineMerger();
                merger.Add(shared);
                var merged = merger.GetMergedLineStrings().OfType<LineString>().ToArray();
                if (merged.Length > 0)
                {
                    lines.Add((areas[i].Actor, areas[j].Actor, merged.Length == 1 ? merged[0] : Wgs84.Factory.CreateMultiLineString(merged)));
                }
            }
        }

        return lines;
    }

    /// <summary>Areas in km² of each actor within the region, and each one's share of the region.</summary>
    public static IReadOnlyList<ActorShare> Shares(IReadOnlyList<(string Actor, Geometry Area)> areas, double regionKm2) =>
    [
        .. areas
            .Select(a => (a.Actor, Km2: Metric.AreaKm2(a.Area)))
            .OrderByDescending(a => a.Km2)
            .Select(a => new ActorShare(a.Actor, Math.Round(a.Km2, 3), regionKm2 > 0 ? Math.Round(a.Km2 / regionKm2, 6) : 0)),
    ];

    /// <summary>The polygonal part of an overlay result, as a MultiPolygon with SRID 4326.</summary>
    public static Geometry Polygonal(Geometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var polygons = Enumerable.Range(0, geometry.NumGeometries).Select(geometry.GetGeometryN)
            .SelectMany(g => g is MultiPolygon m ? Enumerable.Range(0, m.NumGeometries).Select(m.GetGeometryN) : [g])
            .OfType<Polygon>().Where(p => !p.IsEmpty).ToArray();
        return Wgs84.Factory.CreateMultiPolygon(polygons);
    }
}

/// <summary>One actor's part of a region.</summary>
/// <param name="Actor">The actor.</param>
/// <param name="AreaKm2">Area it held, km².</param>
/// <param name="Share">Its share of the region, 0 to 1.</param>
public sealed record ActorShare(string Actor, double AreaKm2, double Share);
