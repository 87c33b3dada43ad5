using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text;
using Alba;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using IdlibLedger.Attacks;
using IdlibLedger.Ceasefires;
using IdlibLedger.Spatial;
using IdlibLedger.Territory.ControlChanges;
using IdlibLedger.Territory.ControlMap;
using IdlibLedger.Territory.Regions;
using IdlibLedger.Tests.Fixtures;
using IdlibLedger.Tests.Territory;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Geometries;
using Shouldly;

namespace IdlibLedger.Tests.TimeTravel;

/// <summary>
/// docs/domain.md, "Time": the answer at (<c>at</c>, <c>asOf</c>) must equal a naive full replay of the events recorded up to
/// <c>asOf</c>. A property test over random histories: each seed writes 8–15 random commands over HTTP at increasing
/// recording times (attack reports, late ones among them; corrections; retractions; stale commands the ledger refuses;
/// control changes, late ones among them; one or two ceasefires with collapses, extensions and reported violations),
/// then asks the read models at random (at, asOf) pairs — on and just before the recording instants and the valid-time
/// boundaries, and anywhere in between — and compares every answer with a replay of Marten's raw events whose timestamp
/// is at most <c>asOf</c>, folded with the domain's own aggregates (<see cref="AttackReport"/>, <see cref="Ceasefire"/>,
/// <see cref="ControlMap"/>). A failure names the seed, the request, what the replay expected and what the service
/// answered, and the history the seed wrote (the same seed writes the same history again).
/// </summary>
public sealed class time_travel_equals_a_naive_replay(LedgerFixture ledger) : LedgerTest(ledger)
{
    /// <summary>The actors: perpetrators of attacks, gainers of ground, parties to ceasefires.</summary>
    private static readonly string[] Actors = [GivenTerritory.Regime, GivenTerritory.Opposition, "Hay'at Tahrir al-Sham"];

    /// <summary>The OCHA governorate, when the shared data is loaded (LEDGER_SHARED_DATA).</summary>
    private const string Idlib = "idlib";

    /// <summary>Control shares are rounded to 0.001 km² by the service; the replay may differ by rounding only.</summary>
    private const double Km2Tolerance = 0.01;

    /// <summary>Seeds 1..200; LEDGER_TIME_TRAVEL_HISTORIES sets another number of histories.</summary>
    public static TheoryData<int> Seeds()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("LEDGER_TIME_TRAVEL_HISTORIES"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var given) && given > 0
            ? given
            : 200;
        var seeds = new TheoryData<int>();
        for (var seed = 1; seed <= count; seed++)
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.ForgetTestRegionsAsync();
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task every_read_at_and_as_of_equals_a_naive_replay_of_the_events_recorded_up_to_as_of(int seed)
    {
        try
        {
            var history = new History(seed, Host, Ledger.Clock);
            await history.WriteAsync();

            var events = await RawEventsAsync();
            var regions = events.Select(e => e.Data).OfType<RegionRegistered>()
                .Where(r => r.RegionId == history.RegionId || r.RegionId == Idlib)
                .ToDictionary(r => r.RegionId, r => GeoJson.FromJson(r.Area));
            regions.ShouldContainKey(history.RegionId, $"seed {seed}: the posted region is among the events");

            var mismatches = new List<string>();
            var random = history.Random;
            var probes = random.Next(5, 11);
            for (var probe = 0; probe < probes; probe++)
            {
                var (at, asOf) = Probe(random, events, history);
                var replay = Replay.Of(events, asOf);
                var said = $"probe {probe + 1}/{probes} at {Iso(at)} asOf {Iso(asOf)}";
                await CompareTotalsAsync(replay, at, asOf, said, mismatches);
                await CompareListAsync(replay, at, asOf, said, mismatches);
                foreach (var (region, area) in regions)
                {
                    await CompareSharesAsync(replay, region, area, at, asOf, said, mismatches);
                }

                foreach (var ceasefire in history.Ceasefires)
                {
                    await CompareCeasefireAsync(replay, ceasefire.Id, at, asOf, said, mismatches);
                }
            }

            mismatches.ShouldBeEmpty(
                $"seed {seed}: {mismatches.Count} answers differ from a naive replay of the events recorded up to asOf\n" +
                string.Join("\n", mismatches) + $"\n\nthe history of seed {seed}:\n{history.Log}");
        }
        finally
        {
            await Ledger.ForgetTestRegionsAsync();
        }
    }

    // ---- the probes ----------------------------------------------------------------------------------------------------

    /// <summary>
    /// An (at, asOf) pair. asOf: exactly a command's recording instant, a microsecond before one, or anywhere from a day
    /// before the history to two days after it. at: exactly a valid-time boundary the history wrote (an occurrence's start,
    /// a ceasefire's start, end or collapse), a microsecond before one, or anywhere in December 2019 to April 2020.
    /// </summary>
    private static (DateTimeOffset At, DateTimeOffset AsOf) Probe(Random random, IReadOnlyList<IEvent> events, History history)
    {
        var recorded = events.Where(e => e.Data is not RegionRegistered).Select(e => e.Timestamp).ToList();
        var roll = random.Next(100);
        var asOf = roll < 35 ? recorded[random.Next(recorded.Count)]
            : roll < 50 ? recorded[random.Next(recorded.Count)].AddTicks(-TimeSpan.TicksPerMicrosecond)
            : Between(random, history.Start.AddDays(-1), history.Now.AddDays(2));

        var boundaries = events.SelectMany(ValidTimeBoundaries).ToList();
        roll = random.Next(100);
        var at = roll < 35 && boundaries.Count > 0 ? boundaries[random.Next(boundaries.Count)]
            : roll < 45 && boundaries.Count > 0 ? boundaries[random.Next(boundaries.Count)].AddTicks(-TimeSpan.TicksPerMicrosecond)
            : Between(random, new DateTimeOffset(2019, 12, 20, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2020, 4, 30, 0, 0, 0, TimeSpan.Zero));
        return (at, asOf);
    }

    private static IEnumerable<DateTimeOffset> ValidTimeBoundaries(IEvent e) => e.Data switch
    {
        AttackReported reported => [reported.Facts.Occurrence.Window().From],
        AttackReportCorrected { Changes.Occurrence: { } occurrence } => [occurrence.Window().From],
        ControlChanged changed => [changed.Occurrence.Window().From],
        CeasefireDeclared declared => declared.EffectiveUntil is { } until ? [declared.EffectiveFrom, until] : [declared.EffectiveFrom],
        CeasefireExtended { EffectiveUntil: { } until } => [until],
        CeasefireCollapsed collapsed => [collapsed.EndedAt],
        CeasefireViolationReported violation => [violation.OccurredAt],
        _ => [],
    };

    private async Task CompareTotalsAsync(Replay replay, DateTimeOffset at, DateTimeOffset asOf, string said, List<string> mismatches)
    {
        var counted = replay.Counted(at);
        var expected = new JsonObject
        {
            ["killed"] = Json(counted.Aggregate(Estimate.None, (sum, r) => sum.Plus(r.Facts.TotalKilled()))),
            ["injured"] = Json(counted.Aggregate(Estimate.None, (sum, r) => sum.Plus(r.Facts.TotalInjured()))),
            ["attacks"] = counted.Count,
        };

        var url = $"/api/casualties/totals?at={Query(at)}&asOf={Query(asOf)}";
        var (status, body) = await GetAsync(url);
        var actual = status != HttpStatusCode.OK ? new JsonObject { ["status"] = (int)status, ["body"] = body }
            : new JsonObject { ["killed"] = Json(body!["killed"]!), ["injured"] = Json(body["injured"]!), ["attacks"] = body["attacks"]!.GetValue<long>() };
        Check(expected, actual, said, url, mismatches);

        // Grouped by perpetrator (read from the per-perpetrator cells): every group equals the replay's.
        var byPerpetrator = new JsonObject();
        foreach (var group in counted.GroupBy(r => r.Facts.Perpetrator).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            byPerpetrator[group.Key] = new JsonObject
            {
                ["killed"] = Json(group.Aggregate(Estimate.None, (sum, r) => sum.Plus(r.Facts.TotalKilled()))),
                ["attacks"] = group.Count(),
            };
        }

        url = $"/api/casualties/totals?at={Query(at)}&asOf={Query(asOf)}&groupBy=perpetrator";
        (status, body) = await GetAsync(url);
        var groups = new JsonObject();
        if (status == HttpStatusCode.OK)
        {
            foreach (var group in body!["groups"]!.AsArray().OrderBy(g => g!["key"]!.GetValue<string>(), StringComparer.Ordinal))
            {
                groups[group!["key"]!.GetValue<string>()] = new JsonObject { ["killed"] = Json(group["killed"]!), ["attacks"] = group["attacks"]!.GetValue<long>() };
            }
        }

        Check(byPerpetrator, status != HttpStatusCode.OK ? new JsonObject { ["status"] = (int)status, ["body"] = body } : groups, said, url, mismatches);
    }

    private async Task CompareListAsync(Replay replay, DateTimeOffset at, DateTimeOffset asOf, string said, List<string> mismatches)
    {
        var expected = Versions(replay.Counted(at).Select(r => (r.Id, r.Version)));

        var url = $"/api/attacks?at={Query(at)}&asOf={Query(asOf)}&pageSize=500";
        var (status, body) = await GetAsync(url);
        JsonNode actual = status != HttpStatusCode.OK
            ? new JsonObject { ["status"] = (int)status, ["body"] = body }
            : Versions(body!["items"]!.AsArray().Select(i => (i!["id"]!.GetValue<Guid>(), i["version"]!.GetValue<int>())));
        if (status == HttpStatusCode.OK && body!["totalItems"]!.GetValue<long>() != body["items"]!.AsArray().Count)
        {
            mismatches.Add($"{said}: GET {url}\n  totalItems {body["totalItems"]} but {body["items"]!.AsArray().Count} items");
        }

        Check(expected, actual, said, url, mismatches);
    }

    private async Task CompareSharesAsync(Replay replay, string region, Geometry area, DateTimeOffset at, DateTimeOffset asOf, string said, List<string> mismatches)
    {
        var expected = replay.MapAt(at).Within(area).ToDictionary(a => a.Actor, a => Metric.AreaKm2(a.Area), StringComparer.Ordinal);

        var url = $"/api/control-map/share?region={Uri.EscapeDataString(region)}&at={Query(at)}&asOf={Query(asOf)}";
        var (status, body) = await GetAsync(url);
        if (status != HttpStatusCode.OK)
        {
            mismatches.Add($"{said}: GET {url}\n  expected 200 with {Shares(expected)}\n  actual   {(int)status} {body?.ToJsonString()}");
            return;
        }

        var actual = body!["shares"]!.AsArray().ToDictionary(s => s!["actor"]!.GetValue<string>(), s => s!["areaKm2"]!.GetValue<double>(), StringComparer.Ordinal);
        var differ = expected.Keys.Union(actual.Keys)
            .Any(actor => Math.Abs(expected.GetValueOrDefault(actor) - actual.GetValueOrDefault(actor)) > Km2Tolerance);
        if (differ)
        {
            mismatches.Add($"{said}: GET {url}\n  expected {Shares(expected)}\n  actual   {Shares(actual)}");
        }
    }

    private async Task CompareCeasefireAsync(Replay replay, Guid id, DateTimeOffset at, DateTimeOffset asOf, string said, List<string> mismatches)
    {
        JsonObject expected;
        if (!replay.Ceasefires.TryGetValue(id, out var ceasefire))
        {
            expected = new JsonObject { ["status"] = 404 };
        }
        else
        {
            var area = GeoJson.FromJson(ceasefire.Declaration.Area);
            var ends = ceasefire.EndsAt;
            var detected = replay.Attacks.Values.Count(r =>
                !r.Retracted
                && ceasefire.Declaration.Parties.Contains(r.Facts.Perpetrator, StringComparer.Ordinal)
                && area.Intersects(Wgs84.Point(r.Facts.Location.Longitude, r.Facts.Location.Latitude))
                && r.Facts.Occurrence.Window().From >= ceasefire.Declaration.EffectiveFrom
                && (ends is null || r.Facts.Occurrence.Window().From < ends)
                && r.Facts.Occurrence.Window().From <= at);
            var reported = ceasefire.ReportedViolations.Count(v => v.OccurredAt <= at);
            expected = new JsonObject { ["violationCount"] = detected + reported, ["status"] = Wire.Name(ceasefire.StatusAt(at, detected + reported)) };
        }

        var url = $"/api/ceasefires/{id}?at={Query(at)}&asOf={Query(asOf)}";
        var (status, body) = await GetAsync(url);
        var actual = status == HttpStatusCode.OK
            ? new JsonObject { ["violationCount"] = body!["violationCount"]!.GetValue<int>(), ["status"] = body["status"]!.GetValue<string>() }
            : new JsonObject { ["status"] = (int)status };
        Check(expected, actual, said, url, mismatches);
    }

    private static void Check(JsonNode expected, JsonNode actual, string said, string url, List<string> mismatches)
    {
        if (!JsonNode.DeepEquals(expected, actual))
        {
            mismatches.Add($"{said}: GET {url}\n  expected {expected.ToJsonString()}\n  actual   {actual.ToJsonString()}");
        }
    }

    private async Task<(HttpStatusCode Status, JsonObject? Body)> GetAsync(string url)
    {
        using var client = Host.Client();
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text) as JsonObject);
    }

    private async Task<IReadOnlyList<IEvent>> RawEventsAsync()
    {
        await using var session = Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync();
    }

    private static JsonArray Versions(IEnumerable<(Guid Id, int Version)> versions) =>
        [.. versions.OrderBy(v => v.Id).Select(v => (JsonNode)new JsonArray(v.Id.ToString(), v.Version))];

    private static JsonObject Json(Estimate e) => new() { ["low"] = e.Low, ["best"] = e.Best, ["high"] = e.High };

    private static JsonObject Json(JsonNode estimate) => Json(new Estimate(
        estimate["low"]!.GetValue<int>(), estimate["best"]!.GetValue<int>(), estimate["high"]!.GetValue<int>()));

    private static string Shares(IReadOnlyDictionary<string, double> shares) =>
        "{" + string.Join(", ", shares.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key}: {s.Value:0.000} km²"))) + "}";

    private static string Iso(DateTimeOffset t) => t.ToString("O", CultureInfo.InvariantCulture);

    private static string Query(DateTimeOffset t) => Uri.EscapeDataString(Iso(t));

    /// <summary>A whole minute between the two instants.</summary>
    private static DateTimeOffset Between(Random random, DateTimeOffset from, DateTimeOffset until) =>
        from.AddMinutes(random.Next(0, Math.Max(1, (int)(until - from).TotalMinutes)));

    // ---- the naive replay ----------------------------------------------------------------------------------------------

    /// <summary>
    /// The events recorded up to asOf (Marten's timestamp ≤ asOf, in sequence order), folded with the domain's own
    /// aggregates: no read-model table, no SQL.
    /// </summary>
    private sealed class Replay
    {
        public Dictionary<Guid, AttackReport> Attacks { get; } = [];

        public List<IEvent<ControlChanged>> ControlChanges { get; } = [];

        public Dictionary<Guid, Ceasefire> Ceasefires { get; } = [];

        public static Replay Of(IReadOnlyList<IEvent> events, DateTimeOffset asOf)
        {
            var replay = new Replay();
            foreach (var e in events.Where(e => e.Timestamp <= asOf).OrderBy(e => e.Sequence))
            {
                switch (e)
                {
                    case IEvent<AttackReported> reported:
                        replay.Attacks[e.StreamId] = AttackReport.Create(reported);
                        break;
                    case IEvent<AttackReportCorrected> corrected:
                        replay.Attacks[e.StreamId] = replay.Attacks[e.StreamId].Apply(corrected);
                        break;
                    case IEvent<AttackReportRetracted> retracted:
                        replay.Attacks[e.StreamId] = replay.Attacks[e.StreamId].Apply(retracted);
                        break;
                    case IEvent<AttackReportDisputed> disputed:
                        replay.Attacks[e.StreamId] = replay.Attacks[e.StreamId].Apply(disputed);
                        break;
                    case IEvent<ControlChanged> changed:
                        replay.ControlChanges.Add(changed);
                        break;
                    case IEvent<CeasefireDeclared> declared:
                        replay.Ceasefires[e.StreamId] = Ceasefire.Create(declared);
                        break;
                    case IEvent<CeasefireExtended> extended:
                        replay.Ceasefires[e.StreamId] = replay.Ceasefires[e.StreamId].Apply(extended.Data);
                        break;
                    case IEvent<CeasefireCollapsed> collapsed:
                        replay.Ceasefires[e.StreamId] = replay.Ceasefires[e.StreamId].Apply(collapsed.Data);
                        break;
                    case IEvent<CeasefireViolationReported> violation:
                        replay.Ceasefires[e.StreamId] = replay.Ceasefires[e.StreamId].Apply(violation.Data);
                        break;
                }
            }

            return replay;
        }

        /// <summary>The attacks that count at valid time <paramref name="at"/>: not retracted, begun by then.</summary>
        public List<AttackReport> Counted(DateTimeOffset at) =>
            [.. Attacks.Values.Where(r => !r.Retracted && r.Facts.Occurrence.Window().From <= at)];

        /// <summary>The gains in force at <paramref name="at"/>, by valid time and then recording order, folded.</summary>
        public ControlMap MapAt(DateTimeOffset at) => ControlMap.From(
            ControlChanges
                .Where(c => c.Data.Occurrence.Window().From <= at)
                .OrderBy(c => c.Data.Occurrence.Window().From)
                .ThenBy(c => c.Sequence)
                .Select(c => (c.Data.Actor, GeoJson.FromJson(c.Data.Area))));
    }

    // ---- the random history --------------------------------------------------------------------------------------------

    private sealed class AttackState(Guid id, string perpetrator, DateTimeOffset occurredAt, string precision, bool range, double lon, double lat, string casualties)
    {
        public Guid Id { get; } = id;
        public int Version { get; set; } = 1;
        public bool Retracted { get; set; }
        public string Perpetrator { get; set; } = perpetrator;
        public DateTimeOffset OccurredAt { get; set; } = occurredAt;
        public string Precision { get; set; } = precision;
        public bool Range { get; set; } = range;
        public (double Lon, double Lat) Location { get; set; } = (lon, lat);
        public string Casualties { get; set; } = casualties;
    }

    private sealed class CeasefireState(Guid id, string[] parties, double[] box, DateTimeOffset from, DateTimeOffset? until)
    {
        public Guid Id { get; } = id;
        public string[] Parties { get; } = parties;
        public double[] Box { get; } = box;
        public DateTimeOffset From { get; } = from;
        public DateTimeOffset? Until { get; set; } = until;
        public DateTimeOffset? CollapsedAt { get; set; }

        public DateTimeOffset? EndsAt => CollapsedAt is { } collapsed && (Until is null || collapsed < Until) ? collapsed : Until;
    }

    /// <summary>
    /// Writes one random history through the API, keeping just enough state to send commands the ledger accepts (and,
    /// now and then, a stale one it must refuse without appending anything). Everything depends on the seed only.
    /// </summary>
    private sealed class History(int seed, IAlbaHost host, TestClock clock)
    {
        private static readonly DateTimeOffset January1 = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

        private static readonly string[] Precisions = ["exact", "day", "week", "month"];

        private readonly List<AttackState> _attacks = [];

        public Random Random { get; } = new(seed);

        public StringBuilder Log { get; } = new();

        public string RegionId { get; } = GivenTerritory.FreshRegionId();

        public List<CeasefireState> Ceasefires { get; } = [];

        public DateTimeOffset Start { get; private set; }

        public DateTimeOffset Now { get; private set; }

        public async Task WriteAsync()
        {
            Start = Now = new DateTimeOffset(2020, 1, 5, 0, 0, 0, TimeSpan.Zero).AddMinutes(Random.Next(0, 10 * 24 * 60));
            clock.Set(Now);
            var region = RandomBox(3, 8);
            await PostAsync("/api/regions", GivenTerritory.Region(RegionId, Box(region)), HttpStatusCode.Created);

            var commands = Random.Next(8, 16);
            var declarations = new HashSet<int>();
            var ceasefires = Random.Next(1, 3);
            while (declarations.Count < ceasefires)
            {
                declarations.Add(Random.Next(1, commands));
            }

            for (var step = 0; step < commands; step++)
            {
                Now = Now.AddMinutes(Random.Next(30, 5 * 24 * 60));
                clock.Set(Now);
                if (declarations.Contains(step))
                {
                    await DeclareCeasefireAsync();
                    continue;
                }

                var roll = step == 0 ? 0 : Random.Next(100);
                await (roll switch
                {
                    < 30 => ReportAsync(),
                    < 43 => CorrectAsync(),
                    < 49 => RetractAsync(),
                    < 53 => StaleCorrectionAsync(),
                    < 78 => ChangeControlAsync(),
                    _ => CeasefireFollowUpAsync(),
                });
            }
        }

        private async Task ReportAsync()
        {
            var perpetrator = Pick(Actors);
            var (lon, lat) = RandomPoint();
            var occurred = OccurredBefore(late: Random.Next(100) < 35);
            var roll = Random.Next(100);
            if (Ceasefires.Count > 0 && Random.Next(100) < 50)
            {
                // Aim at a ceasefire: a party, inside its area, around its period, so that violations are detected
                // (or just missed: a day before it starts, after it collapses or expires, exactly on its bounds).
                var ceasefire = Pick(Ceasefires);
                perpetrator = Random.Next(100) < 85 ? Pick(ceasefire.Parties) : perpetrator;
                (lon, lat) = Inside(ceasefire.Box);
                var earliest = Later(ceasefire.From.AddDays(-2), January1);
                var latest = Earlier((ceasefire.EndsAt ?? Now).AddDays(2), Now);
                DateTimeOffset[] bounds = ceasefire.EndsAt is { } ends ? [ceasefire.From, ends] : [ceasefire.From];
                var bound = Pick(bounds);
                if (Random.Next(100) < 25 && bound <= Now)
                {
                    (occurred, roll) = (bound, 20); // exactly on a bound, as an exact instant
                }
                else if (earliest < latest)
                {
                    occurred = Between(Random, earliest, latest);
                }
            }

            var (casualties, signature) = Casualties();
            var body = new JsonObject
            {
                ["perpetrator"] = perpetrator,
                ["targets"] = new JsonArray("civilians"),
                ["eventType"] = "explosions-remote-violence",
                ["subEventType"] = "shelling-artillery-missile-attack",
                ["location"] = GivenTerritory.Point(lon, lat),
                ["locationPrecision"] = "exact",
                ["description"] = $"Shelling by {perpetrator}",
                ["sources"] = new JsonArray(new JsonObject { ["outlet"] = "Syrian Observatory for Human Rights", ["title"] = "Shelling in Idlib" }),
                ["casualties"] = casualties,
                ["reportedBy"] = "desk-gaziantep",
            };
            var range = roll < 10;
            var precision = range ? "days" : roll < 35 ? "exact" : roll < 75 ? "day" : roll < 88 ? "week" : "month";
            if (range)
            {
                body["occurredFrom"] = Iso(occurred);
                body["occurredUntil"] = Iso(occurred.AddHours(Random.Next(2 * 24, (6 * 24) + 1))); // datePrecision days: 2 to 6 days
            }
            else
            {
                body["occurredAt"] = Iso(occurred);
            }

            body["datePrecision"] = precision;
            var receipt = await PostAsync("/api/attacks", body, HttpStatusCode.Created);
            _attacks.Add(new AttackState(receipt["id"]!.GetValue<Guid>(), perpetrator, occurred, precision, range, lon, lat, signature));
        }

        private async Task CorrectAsync()
        {
            if (Open() is not { } attack)
            {
                await ReportAsync();
                return;
            }

            var body = new JsonObject { ["expectedVersion"] = attack.Version, ["reason"] = "revised after new sources" };
            var fields = 0;
            while (fields == 0)
            {
                fields = Random.Next(16);
            }

            if ((fields & 1) != 0)
            {
                var (casualties, signature) = Casualties();
                while (signature == attack.Casualties)
                {
                    (casualties, signature) = Casualties();
                }

                body["casualties"] = casualties;
                attack.Casualties = signature;
            }

            if ((fields & 2) != 0)
            {
                DateTimeOffset occurred;
                string precision;
                do
                {
                    occurred = OccurredBefore(late: Random.Next(100) < 50);
                    precision = Pick(Precisions);
                }
                while (!attack.Range && occurred == attack.OccurredAt && precision == attack.Precision);

                body["occurredAt"] = Iso(occurred);
                body["datePrecision"] = precision;
                (attack.OccurredAt, attack.Precision, attack.Range) = (occurred, precision, false);
            }

            if ((fields & 4) != 0)
            {
                var location = RandomPoint();
                while (location == attack.Location)
                {
                    location = RandomPoint();
                }

                body["location"] = GivenTerritory.Point(location.Lon, location.Lat);
                attack.Location = location;
            }

            if ((fields & 8) != 0)
            {
                var perpetrator = Pick(Actors.Where(a => a != attack.Perpetrator).ToArray());
                body["perpetrator"] = perpetrator;
                attack.Perpetrator = perpetrator;
            }

            await PostAsync($"/api/attacks/{attack.Id}/corrections", body, HttpStatusCode.OK);
            attack.Version++;
        }

        private async Task RetractAsync()
        {
            if (Open() is not { } attack)
            {
                await ReportAsync();
                return;
            }

            await PostAsync($"/api/attacks/{attack.Id}/retraction", new JsonObject { ["expectedVersion"] = attack.Version, ["reason"] = "the source withdrew it" }, HttpStatusCode.OK);
            attack.Version++;
            attack.Retracted = true;
        }

        /// <summary>A correction naming a version the report is not at: refused (409), nothing appended.</summary>
        private async Task StaleCorrectionAsync()
        {
            if (_attacks.Count == 0)
            {
                await ReportAsync();
                return;
            }

            var attack = Pick(_attacks);
            var stale = attack.Version > 1 && Random.Next(2) == 0 ? Random.Next(1, attack.Version) : attack.Version + 1 + Random.Next(3);
            var body = new JsonObject { ["expectedVersion"] = stale, ["reason"] = "a stale correction", ["casualties"] = Casualties().Json };
            await PostAsync($"/api/attacks/{attack.Id}/corrections", body, HttpStatusCode.Conflict);
        }

        private async Task ChangeControlAsync()
        {
            var body = GivenTerritory.ControlChange(Pick(Actors), Box(RandomBox(2, 9)), Iso(OccurredBefore(late: Random.Next(100) < 50)));
            var roll = Random.Next(100);
            body["datePrecision"] = roll < 70 ? "day" : roll < 85 ? "exact" : "month";
            await PostAsync("/api/control-changes", body, HttpStatusCode.Created);
        }

        private async Task DeclareCeasefireAsync()
        {
            string[] parties = Random.Next(2) == 0 ? [Pick(Actors)] : [.. Actors.OrderBy(_ => Random.Next()).Take(2)];
            var box = RandomBox(4, 10);
            var from = Now.AddHours(Random.Next(-14 * 24, 3 * 24));
            DateTimeOffset? until = Random.Next(100) < 30 ? null : from.AddHours(Random.Next(2 * 24, 14 * 24));
            var body = new JsonObject
            {
                ["declaredBy"] = "Russian Federation and Republic of Turkey",
                ["parties"] = new JsonArray([.. parties.Select(p => (JsonNode)p)]),
                ["area"] = Box(box),
                ["effectiveFrom"] = Iso(from),
                ["terms"] = "Cessation of all military actions along the line of contact",
            };
            if (until is { } u)
            {
                body["effectiveUntil"] = Iso(u);
            }

            var receipt = await PostAsync("/api/ceasefires", body, HttpStatusCode.Created);
            Ceasefires.Add(new CeasefireState(receipt["id"]!.GetValue<Guid>(), parties, box, from, until));
        }

        /// <summary>A collapse, a reported violation or an extension of a ceasefire, when the rules allow one; else a report.</summary>
        private async Task CeasefireFollowUpAsync()
        {
            if (Ceasefires.Count == 0)
            {
                await ReportAsync();
                return;
            }

            var ceasefire = Pick(Ceasefires);
            var roll = Random.Next(100);
            if (roll < 40 && ceasefire.CollapsedAt is null && Now >= ceasefire.From)
            {
                var body = new JsonObject { ["reason"] = "shelling resumed along the line of contact" };
                var endedAt = Now;
                if (Random.Next(2) == 0)
                {
                    endedAt = Between(Random, ceasefire.From, Now);
                    body["endedAt"] = Iso(endedAt);
                }

                await PostAsync($"/api/ceasefires/{ceasefire.Id}/collapse", body, HttpStatusCode.OK);
                ceasefire.CollapsedAt = endedAt;
                return;
            }

            var end = ceasefire.EndsAt is { } ends && ends < Now ? ends : Now;
            if (roll < 80 && end > ceasefire.From)
            {
                var occurred = Between(Random, ceasefire.From, end);
                var body = new JsonObject
                {
                    ["by"] = Pick(ceasefire.Parties),
                    ["occurredAt"] = Iso(occurred),
                    ["description"] = "Ground incursion reported by the Joint Coordination Centre",
                    ["sources"] = new JsonArray(new JsonObject { ["outlet"] = "Anadolu Agency", ["title"] = "Ceasefire violated in Idlib" }),
                };
                await PostAsync($"/api/ceasefires/{ceasefire.Id}/violations", body, HttpStatusCode.OK);
                return;
            }

            if (ceasefire.CollapsedAt is null && ceasefire.Until is { } was && was > Now.AddMinutes(1))
            {
                // Later, or open-ended (an open-ended ceasefire is not given an end by an extension).
                DateTimeOffset? until = Random.Next(100) < 20 ? null : was.AddHours(Random.Next(24, 15 * 24));
                await PostAsync($"/api/ceasefires/{ceasefire.Id}/extension", new JsonObject
                {
                    ["effectiveUntil"] = until is { } u ? Iso(u) : null,
                    ["reason"] = "extended at the follow-up talks",
                }, HttpStatusCode.OK);
                ceasefire.Until = until;
                return;
            }

            await ReportAsync();
        }

        private AttackState? Open()
        {
            var open = _attacks.Where(a => !a.Retracted).ToList();
            return open.Count == 0 ? null : Pick(open);
        }

        private async Task<JsonObject> PostAsync(string url, JsonObject body, HttpStatusCode expected)
        {
            Log.Append(CultureInfo.InvariantCulture, $"  recorded {Iso(Now)}: POST {url} {body.ToJsonString()}");
            using var response = await host.PostJsonAsync(url, body);
            var text = await response.Content.ReadAsStringAsync();
            Log.Append(CultureInfo.InvariantCulture, $" -> {(int)response.StatusCode} {(text.Length > 200 ? text[..200] : text)}\n");
            response.StatusCode.ShouldBe(expected, $"seed {seed}: POST {url} {body.ToJsonString()}\nanswered {text}\nhistory:\n{Log}");
            return JsonNode.Parse(text)!.AsObject();
        }

        /// <summary>
        /// When an attack or a change happened: within the last three days, or (late) one to six weeks before it is
        /// recorded; never before 1 January 2020 and never after now (the ledger refuses the future).
        /// </summary>
        private DateTimeOffset OccurredBefore(bool late)
        {
            var occurred = Now.AddMinutes(-(late ? Random.Next(7 * 24 * 60, 45 * 24 * 60) : Random.Next(0, 3 * 24 * 60)));
            return occurred >= January1 ? occurred : January1.AddMinutes(Random.Next(0, 24 * 60));
        }

        /// <summary>0–2 casualty entries, and what they say (a bare number and low = best = high say the same).</summary>
        private (JsonArray Json, string Signature) Casualties()
        {
            var casualties = new JsonArray();
            var signature = new StringBuilder();
            var entries = Random.Next(0, 3);
            for (var i = 0; i < entries; i++)
            {
                var roll = Random.Next(3);
                var entry = new JsonObject { ["category"] = roll == 0 ? "civilian" : roll == 1 ? "military" : "unknown" };
                if (roll == 1)
                {
                    entry["party"] = Pick(Actors);
                }

                var (killed, killedSays) = Estimate();
                entry["killed"] = killed;
                var injuredSays = "none";
                if (Random.Next(2) == 0)
                {
                    (entry["injured"], injuredSays) = Estimate();
                }

                casualties.Add(entry);
                signature.Append(CultureInfo.InvariantCulture, $"{entry["category"]}/{entry["party"]}: killed {killedSays}, injured {injuredSays}; ");
            }

            return (casualties, signature.ToString());
        }

        /// <summary>low ≤ best ≤ high, or now and then a bare number (low = best = high).</summary>
        private (JsonNode Json, string Says) Estimate()
        {
            var low = Random.Next(0, 15);
            if (Random.Next(4) == 0)
            {
                return (JsonValue.Create(low), string.Create(CultureInfo.InvariantCulture, $"{low}/{low}/{low}"));
            }

            var best = low + Random.Next(0, 6);
            var high = best + Random.Next(0, 8);
            return (new JsonObject { ["low"] = low, ["best"] = best, ["high"] = high }, string.Create(CultureInfo.InvariantCulture, $"{low}/{best}/{high}"));
        }

        /// <summary>A point in lon 36.3–37.0, lat 35.5–36.1; a quarter of them on the 0.05° grid the boxes' edges lie on.</summary>
        private (double Lon, double Lat) RandomPoint() => Random.Next(4) == 0
            ? (Math.Round(36.3 + (0.05 * Random.Next(0, 15)), 2), Math.Round(35.5 + (0.05 * Random.Next(0, 13)), 2))
            : (Math.Round(36.3 + (0.7 * Random.NextDouble()), 4), Math.Round(35.5 + (0.6 * Random.NextDouble()), 4));

        private (double Lon, double Lat) Inside(double[] box) =>
            (Math.Round(box[0] + ((box[2] - box[0]) * Random.NextDouble()), 4), Math.Round(box[1] + ((box[3] - box[1]) * Random.NextDouble()), 4));

        /// <summary>A box on the 0.05° grid inside lon 36.3–37.0, lat 35.5–36.1, each side between the given numbers of cells.</summary>
        private double[] RandomBox(int minCells, int maxCells)
        {
            var width = Random.Next(minCells, Math.Min(maxCells, 14) + 1);
            var height = Random.Next(minCells, Math.Min(maxCells, 12) + 1);
            var west = Random.Next(0, 14 - width + 1);
            var south = Random.Next(0, 12 - height + 1);
            return
            [
                Math.Round(36.3 + (0.05 * west), 2), Math.Round(35.5 + (0.05 * south), 2),
                Math.Round(36.3 + (0.05 * (west + width)), 2), Math.Round(35.5 + (0.05 * (south + height)), 2),
            ];
        }

        private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

        private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

        private static JsonObject Box(double[] box) => GivenTerritory.Box(box[0], box[1], box[2], box[3]);

        private T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];
    }
}
