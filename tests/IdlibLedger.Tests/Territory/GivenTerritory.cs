using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.Json;
using Alba;
using IdlibLedger.Tests.Fixtures;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using NetTopologySuite;
using Shouldly;

namespace IdlibLedger.Tests.Territory;

/// <summary>
/// Territory request bodies and "given" states, built through the API as an integrating system would. Areas are boxes
/// (minLon, minLat, maxLon, maxLat) inside the governorate of Idleb (lon 36.2–37.1, lat 35.4–36.3).
/// </summary>
public static class GivenTerritory
{
    public const string Regime = "Syrian Arab Army";
    public const string Opposition = "Syrian National Army";
    public const string Russia = "Russian Federation";
    public const string Turkey = "Republic of Turkey";
    public const string Iran = "Islamic Republic of Iran";

    // ---- geometry as GeoJSON --------------------------------------------------------------------------------------

    /// <summary>A rectangle as a GeoJSON Polygon, its outer ring counter-clockwise from the south-west corner.</summary>
    public static JsonObject Box(double minLon, double minLat, double maxLon, double maxLat) =>
        Polygon((minLon, minLat), (maxLon, minLat), (maxLon, maxLat), (minLon, maxLat), (minLon, minLat));

    /// <summary>A Polygon of one ring with the positions exactly as given (nothing is closed for you).</summary>
    public static JsonObject Polygon(params (double Lon, double Lat)[] ring) =>
        new() { ["type"] = "Polygon", ["coordinates"] = new JsonArray(Positions(ring)) };

    public static JsonObject Point(double lon, double lat) =>
        new() { ["type"] = "Point", ["coordinates"] = new JsonArray(lon, lat) };

    public static JsonObject Line(params (double Lon, double Lat)[] positions) =>
        new() { ["type"] = "LineString", ["coordinates"] = Positions(positions) };

    /// <summary>A bow-tie: its first and third edges cross at (36.5 35.9).</summary>
    public static JsonObject BowTie() => Polygon((36.4, 35.8), (36.6, 36.0), (36.6, 35.8), (36.4, 36.0), (36.4, 35.8));

    /// <summary>Four positions, the last not repeating the first.</summary>
    public static JsonObject UnclosedRing() => Polygon((36.4, 35.8), (36.6, 35.8), (36.6, 36.0), (36.4, 36.0));

    /// <summary>A box whose second position has the longitude 200 (at <c>coordinates[0][1][0]</c>).</summary>
    public static JsonObject OutOfRange() => Polygon((36.4, 35.8), (200, 35.8), (36.6, 36.0), (36.4, 36.0), (36.4, 35.8));

    /// <summary>A box whose second position has the longitude "NaN", a JSON string where a number belongs (at <c>coordinates[0][1][0]</c>).</summary>
    public static JsonObject WithNaN()
    {
        var box = Box(36.4, 35.8, 36.6, 36.0);
        box["coordinates"]![0]![1]![0] = "NaN";
        return box;
    }

    /// <summary>A longitude that JSON can carry but a double cannot: see <see cref="NonFinite"/>.</summary>
    public const double Marker = 36.987654321;

    /// <summary>A box whose second position's longitude is <see cref="Marker"/>, for <see cref="NonFinite"/> to replace.</summary>
    public static JsonObject Marked() => Polygon((36.4, 35.8), (Marker, 35.8), (36.6, 36.0), (36.4, 36.0), (36.4, 35.8));

    /// <summary>The body's text with the <see cref="Marker"/> written as 1e999 (no JsonNode can hold an infinity).</summary>
    public static string NonFinite(JsonNode body) =>
        body.ToJsonString().Replace(Marker.ToString(CultureInfo.InvariantCulture), "1e999", StringComparison.Ordinal);

    /// <summary>
    /// A valid polygon of exactly <paramref name="positions"/> positions (counting the closing one): a circle of
    /// radius 0.1° around (36.6, 35.8), coordinates rounded to 5 decimals so the body stays small.
    /// </summary>
    public static JsonObject PolygonOf(int positions)
    {
        var ring = new (double, double)[positions];
        for (var i = 0; i < positions - 1; i++)
        {
            var angle = 2 * Math.PI * i / (positions - 1);
            ring[i] = (Math.Round(36.6 + (0.1 * Math.Cos(angle)), 5), Math.Round(35.8 + (0.1 * Math.Sin(angle)), 5));
        }

        ring[^1] = ring[0];
        return Polygon(ring);
    }

    private static JsonArray Positions((double Lon, double Lat)[] positions) =>
        [.. positions.Select(p => (JsonNode)new JsonArray(p.Lon, p.Lat))];

    // ---- geometry as NetTopologySuite (WKT), for the pure tests and for expected figures ------------------------

    private static readonly NtsGeometryServices InWgs84 = new(IdlibLedger.Spatial.Wgs84.Factory.PrecisionModel, IdlibLedger.Spatial.Wgs84.Srid);

    /// <summary>A WKT literal as a WGS 84 geometry (SRID 4326).</summary>
    public static Geometry Wkt(string wkt) => new WKTReader(InWgs84).Read(wkt);

    public static Geometry BoxWkt(double minLon, double minLat, double maxLon, double maxLat) => Wkt(string.Create(
        CultureInfo.InvariantCulture,
        $"POLYGON (({minLon} {minLat}, {maxLon} {minLat}, {maxLon} {maxLat}, {minLon} {maxLat}, {minLon} {minLat}))"));

    /// <summary>The area in km² the service computes (UTM 37N), for a box.</summary>
    public static double BoxKm2(double minLon, double minLat, double maxLon, double maxLat) =>
        IdlibLedger.Spatial.Metric.AreaKm2(BoxWkt(minLon, minLat, maxLon, maxLat));

    /// <summary>A GeoJSON geometry of an answer, read back into NetTopologySuite.</summary>
    public static Geometry Read(JsonNode geometry)
    {
        using var document = JsonDocument.Parse(geometry.ToJsonString());
        return IdlibLedger.Spatial.GeoJson.FromJson(document.RootElement.Clone());
    }

    // ---- command bodies -------------------------------------------------------------------------------------------

    private static JsonArray Sources(string outlet = "Daily Sabah") =>
        [new JsonObject { ["outlet"] = outlet, ["title"] = "Turkey expects Russia to halt regime attacks" }];

    /// <summary>A Sochi-like memorandum: the de-escalation zone left to the opposition, a demilitarised strip, a line.</summary>
    public static JsonObject Agreement(Action<JsonObject>? change = null)
    {
        var body = new JsonObject
        {
            ["name"] = "Memorandum on Stabilization of the Situation in the Idlib De-escalation Area (Sochi)",
            ["signedOn"] = "2018-09-17",
            ["parties"] = new JsonArray(Russia, Turkey),
            ["zones"] = new JsonArray(
                new JsonObject { ["name"] = "Idlib de-escalation zone", ["kind"] = "de-escalation", ["heldBy"] = Opposition, ["area"] = Box(36.3, 35.5, 36.9, 36.2) },
                new JsonObject { ["name"] = "Demilitarised strip", ["kind"] = "demilitarised", ["area"] = Box(36.5, 35.5, 36.9, 35.65) }),
            ["lines"] = new JsonArray(new JsonObject { ["name"] = "Sochi line", ["line"] = Line((36.3, 35.5), (36.9, 35.5)) }),
            ["sources"] = Sources("TASS"),
        };
        change?.Invoke(body);
        return body;
    }

    public static JsonObject ControlChange(string actor, JsonNode area, string occurredAt) => new()
    {
        ["actor"] = actor,
        ["area"] = area,
        ["occurredAt"] = occurredAt,
        ["datePrecision"] = "day",
        ["sources"] = Sources(),
        ["reportedBy"] = "desk-gaziantep",
    };

    public static JsonObject ObservationPost(string name = "Morek", double lon = 36.68, double lat = 35.37) => new()
    {
        ["operator"] = "Turkish Armed Forces",
        ["name"] = name,
        ["location"] = Point(lon, lat),
    };

    public static JsonObject Negotiation(Action<JsonObject>? change = null)
    {
        var body = new JsonObject
        {
            ["name"] = "Turkish-Russian talks on Idlib",
            ["place"] = "Ankara",
            ["parties"] = new JsonArray(Turkey, Russia),
            ["delegations"] = new JsonArray(
                new JsonObject { ["party"] = Turkey, ["composition"] = new JsonArray("military", "intelligence") },
                new JsonObject { ["party"] = Russia, ["composition"] = new JsonArray("military", "intelligence", "diplomatic") }),
            ["agenda"] = new JsonArray("Idlib de-escalation zone", "observation posts"),
            ["heldOn"] = "2020-02-26",
        };
        change?.Invoke(body);
        return body;
    }

    /// <summary>Russia's map, addressed to Turkey: the regime gets the southern box (south of the M4, around the M5).</summary>
    public static JsonObject Proposal(Action<JsonObject>? change = null)
    {
        var body = new JsonObject
        {
            ["proposer"] = Russia,
            ["addressedTo"] = new JsonArray(Turkey),
            ["areas"] = new JsonArray(new JsonObject { ["actor"] = Regime, ["area"] = Box(36.5, 35.6, 36.8, 35.8) }),
            ["summary"] = "Lines moved north of the M4 and M5 highways",
        };
        change?.Invoke(body);
        return body;
    }

    public static JsonObject Answer(string party, string reason = "the map is unacceptable") => new() { ["party"] = party, ["reason"] = reason };

    public static JsonObject Region(string id, JsonNode area) => new() { ["id"] = id, ["name"] = $"Test region {id}", ["area"] = area };

    /// <summary>
    /// A region id no earlier run used: posted regions are reference data the fixture keeps across tests (and runs),
    /// so a fixed id would already be registered the second time.
    /// </summary>
    public static string FreshRegionId() => $"test-{Guid.NewGuid():N}";

    /// <summary>
    /// Removes the regions earlier tests posted (ids <c>test-…</c>): the fixture's reset keeps every region, so without
    /// this each run would add its test polygons to the reference data the other tests measure against.
    /// </summary>
    public static Task ForgetTestRegionsAsync(this LedgerFixture ledger)
    {
        const string schema = LedgerFixture.Schema;
        return ledger.ExecuteAsync(
            $"delete from {schema}.mt_events where type in ('region_registered', 'region_corrected', 'region_retracted') and data ->> 'regionId' like 'test-%'; " +
            $"delete from {schema}.mt_streams s where not exists (select 1 from {schema}.mt_events e where e.stream_id = s.id); " +
            $"delete from {schema}.{IdlibLedger.Territory.Regions.RegionTable.Name} where id like 'test-%'; " +
            $"delete from {schema}.{IdlibLedger.Territory.Regions.RegionTable.VersionsName} where id like 'test-%'");
    }

    // ---- given states, through the API ----------------------------------------------------------------------------

    /// <summary>Posts the body and returns the new stream's id; fails the test unless the answer is 201.</summary>
    public static async Task<Guid> CreatedAsync(this IAlbaHost host, string url, JsonNode body)
    {
        using var response = await host.PostJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, $"POST {url}: {text}");
        return JsonNode.Parse(text)!["id"]!.GetValue<Guid>();
    }

    /// <summary>Posts the body and returns the answer's JSON; fails the test unless the answer is 200.</summary>
    public static async Task<JsonObject> OkAsync(this IAlbaHost host, string url, JsonNode body)
    {
        using var response = await host.PostJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"POST {url}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static Task<Guid> RegisteredAgreementAsync(this IAlbaHost host, JsonObject? body = null) =>
        host.CreatedAsync("/api/agreements", body ?? Agreement());

    public static Task<Guid> RecordedControlChangeAsync(this IAlbaHost host, string actor, JsonNode area, string occurredAt) =>
        host.CreatedAsync("/api/control-changes", ControlChange(actor, area, occurredAt));

    /// <summary>Registers a box of southern Idlib as the region <paramref name="id"/> (a <see cref="FreshRegionId"/>); fails the test unless the answer is 201.</summary>
    public static async Task CreatedRegionAsync(this IAlbaHost host, string id)
    {
        using var response = await host.PostJsonAsync("/api/regions", Region(id, Box(36.5, 35.6, 36.7, 35.8)));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    public static Task<Guid> EstablishedPostAsync(this IAlbaHost host, JsonObject? body = null) =>
        host.CreatedAsync("/api/observation-posts", body ?? ObservationPost());

    public static Task<Guid> OpenedRoundAsync(this IAlbaHost host, JsonObject? body = null) =>
        host.CreatedAsync("/api/negotiations", body ?? Negotiation());

    public static Task<Guid> TabledProposalAsync(this IAlbaHost host, JsonObject? body = null) =>
        host.CreatedAsync("/api/proposals", body ?? Proposal());

    // ---- refusals -------------------------------------------------------------------------------------------------

    /// <summary>The problem names <paramref name="field"/> under <c>errors</c>, with a message containing <paramref name="says"/>.</summary>
    public static void ShouldNameField(this JsonObject problem, string field, string? says = null, string? @case = null)
    {
        var said = $"{@case}: {problem.ToJsonString()}";
        var errors = problem["errors"].ShouldBeOfType<JsonObject>(said);
        errors.ShouldContainKey(field, said);
        var messages = errors[field]!.AsArray().Select(m => m!.GetValue<string>()).ToList();
        messages.ShouldNotBeEmpty(said);
        if (says is not null)
        {
            string.Join(" ", messages).ShouldContain(says, Case.Insensitive, said);
        }
    }

    /// <summary>The ledger's clock on a day of 2020 at noon UTC.</summary>
    public static DateTimeOffset On(int month, int day, int year = 2020) => new(year, month, day, 12, 0, 0, TimeSpan.Zero);
}
