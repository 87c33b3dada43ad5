using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdlibLedger.Access;
using IdlibLedger.Spatial;
using IdlibLedger.Territory.ControlChanges;
using IdlibLedger.Tests.Fixtures;
using NetTopologySuite.Geometries;
using Shouldly;
using ControlMapModel = IdlibLedger.Territory.ControlMap.ControlMap;

namespace IdlibLedger.Tests.Territory;

/// <summary>
/// CorrectControlChange and RetractControlChange, and the control map, its shares and the holder of a point at two
/// asOf values: 1 March (before the revision, recorded on 5 March) and 6 March (after it). Actor A (the regime) gains
/// box 1 (lon 36.5–36.7) on 10 January 2020; actor B (the opposition) gains box 2 (lon 36.6–36.8) on 10 February;
/// both recorded on 11 February.
/// </summary>
public sealed class when_correcting_or_retracting_control_changes(LedgerFixture ledger) : LedgerTest(ledger)
{
    private const string A = GivenTerritory.Regime;
    private const string B = GivenTerritory.Opposition;
    private const string Before = "2020-03-01";
    private const string After = "2020-03-06";

    private Guid _b;

    private async Task TwoChangesAsync()
    {
        Ledger.Clock.Set(GivenTerritory.On(2, 11));
        await Host.RecordedControlChangeAsync(A, GivenTerritory.Box(36.5, 35.6, 36.7, 35.8), "2020-01-10");
        _b = await Host.RecordedControlChangeAsync(B, GivenTerritory.Box(36.6, 35.6, 36.8, 35.8), "2020-02-10");
        Ledger.Clock.Set(GivenTerritory.On(3, 5));
    }

    private static JsonObject Correction(Action<JsonObject> change, long expectedVersion = 1)
    {
        var body = new JsonObject { ["expectedVersion"] = expectedVersion, ["reason"] = "the front line as the desk's second source draws it" };
        change(body);
        return body;
    }

    private async Task<Dictionary<string, double>> AreasKm2Async(string at, string asOf) =>
        (await Host.GetJsonAsync($"/api/control-map?at={at}&asOf={asOf}"))["features"]!.AsArray()
            .Where(f => f!["properties"]!["kind"]!.GetValue<string>() == "control-area")
            .ToDictionary(f => f!["properties"]!["actor"]!.GetValue<string>(), f => f!["properties"]!["areaKm2"]!.GetValue<double>());

    private async Task<string?> HolderAsync(double lon, string at, string asOf) =>
        (await Host.GetJsonAsync(FormattableString.Invariant($"/api/control-map/holder?lon={lon}&lat=35.7&at={at}&asOf={asOf}")))["actor"]?.GetValue<string>();

    private async Task<Dictionary<string, double>> SharesKm2Async(string region, string at, string asOf) =>
        (await Host.GetJsonAsync($"/api/control-map/share?region={region}&at={at}&asOf={asOf}"))["shares"]!.AsArray()
            .ToDictionary(s => s!["actor"]!.GetValue<string>(), s => s!["areaKm2"]!.GetValue<double>());

    [Fact]
    public async Task a_correction_of_the_area_shows_in_the_map_shares_and_holder_as_of_after_it_and_not_before()
    {
        await TwoChangesAsync();

        var receipt = await Host.OkAsync($"/api/control-changes/{_b}/corrections", Correction(c => c["area"] = GivenTerritory.Box(36.65, 35.6, 36.8, 35.8)));

        receipt["version"]!.GetValue<int>().ShouldBe(2);
        var before = await AreasKm2Async("2020-02-20", Before);
        var after = await AreasKm2Async("2020-02-20", After);
        before[A].ShouldBe(GivenTerritory.BoxKm2(36.5, 35.6, 36.6, 35.8), 0.01);
        before[B].ShouldBe(GivenTerritory.BoxKm2(36.6, 35.6, 36.8, 35.8), 0.01);
        after[A].ShouldBe(GivenTerritory.BoxKm2(36.5, 35.6, 36.65, 35.8), 0.01);
        after[B].ShouldBe(GivenTerritory.BoxKm2(36.65, 35.6, 36.8, 35.8), 0.01);
        (await HolderAsync(36.62, "2020-02-20", Before)).ShouldBe(B);
        (await HolderAsync(36.62, "2020-02-20", After)).ShouldBe(A);
        (await SharesKm2Async("idlib", "2020-02-20", Before))[A].ShouldBe(before[A], 0.01);
        (await SharesKm2Async("idlib", "2020-02-20", After))[A].ShouldBe(after[A], 0.01);
    }

    [Fact]
    public async Task a_correction_of_the_occurrence_reorders_the_gains_as_of_after_it_and_not_before()
    {
        await TwoChangesAsync();

        // B took its box on 5 January, before A's gain of 10 January: A's gain then takes the overlap from B.
        await Host.OkAsync($"/api/control-changes/{_b}/corrections", Correction(c => c["occurredAt"] = "2020-01-05"));

        var before = await AreasKm2Async("2020-02-20", Before);
        var after = await AreasKm2Async("2020-02-20", After);
        before[A].ShouldBe(GivenTerritory.BoxKm2(36.5, 35.6, 36.6, 35.8), 0.01);
        after[A].ShouldBe(GivenTerritory.BoxKm2(36.5, 35.6, 36.7, 35.8), 0.01);
        after[B].ShouldBe(GivenTerritory.BoxKm2(36.7, 35.6, 36.8, 35.8), 0.01);
        (await AreasKm2Async("2020-01-07", Before)).ShouldBeEmpty();
        (await AreasKm2Async("2020-01-07", After)).Keys.ShouldBe([B]);
        (await HolderAsync(36.65, "2020-02-20", Before)).ShouldBe(B);
        (await HolderAsync(36.65, "2020-02-20", After)).ShouldBe(A);
        (await HolderAsync(36.75, "2020-01-07", After)).ShouldBe(B);
    }

    [Fact]
    public async Task a_retraction_takes_the_change_out_of_the_map_as_of_after_it_and_not_before()
    {
        await TwoChangesAsync();

        var receipt = await Host.OkAsync($"/api/control-changes/{_b}/retraction", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "the source withdrew its report" });

        receipt["version"]!.GetValue<int>().ShouldBe(2);
        (await AreasKm2Async("2020-02-20", Before)).Keys.Order(StringComparer.Ordinal).ShouldBe([A, B]);
        var after = await AreasKm2Async("2020-02-20", After);
        after.Keys.ShouldBe([A]);
        after[A].ShouldBe(GivenTerritory.BoxKm2(36.5, 35.6, 36.7, 35.8), 0.01);
        (await HolderAsync(36.75, "2020-02-20", Before)).ShouldBe(B);
        (await HolderAsync(36.75, "2020-02-20", After)).ShouldBeNull();
        (await SharesKm2Async("idlib", "2020-02-20", After)).Keys.ShouldBe([A]);
        var map = await Host.GetJsonAsync($"/api/control-map?at=2020-02-20&asOf={After}");
        map["features"]!.AsArray().ShouldNotContain(f => f!["properties"]!["kind"]!.GetValue<string>() == "front-line");
    }

    [Fact]
    public async Task the_change_reads_as_known_at_as_of_with_its_version_history_and_retraction()
    {
        await TwoChangesAsync();
        await Host.OkAsync($"/api/control-changes/{_b}/corrections", Correction(c => { c["actor"] = "Hay'at Tahrir al-Sham"; c["occurredAt"] = "2020-02-09"; }));
        Ledger.Clock.Set(GivenTerritory.On(3, 8));
        await Host.OkAsync($"/api/control-changes/{_b}/retraction", new JsonObject { ["expectedVersion"] = 2, ["reason"] = "duplicate" });

        var original = await Host.GetJsonAsync($"/api/control-changes/{_b}?asOf={Before}");
        var corrected = await Host.GetJsonAsync($"/api/control-changes/{_b}?asOf={After}");
        var retracted = await Host.GetJsonAsync($"/api/control-changes/{_b}");

        original["version"]!.GetValue<int>().ShouldBe(1);
        original["fact"]!["actor"]!.GetValue<string>().ShouldBe(B);
        original["retracted"]!.GetValue<bool>().ShouldBeFalse();
        corrected["version"]!.GetValue<int>().ShouldBe(2);
        corrected["fact"]!["actor"]!.GetValue<string>().ShouldBe("Hay'at Tahrir al-Sham");
        corrected["fact"]!["occurrence"]!["occurredAt"]!.GetValue<DateTimeOffset>().ShouldBe(new DateTimeOffset(2020, 2, 9, 0, 0, 0, TimeSpan.Zero));
        corrected["history"]![1]!["fields"]!.AsArray().Select(f => f!.GetValue<string>()).ShouldBe(["actor", "occurrence"]);
        corrected["history"]![1]!["by"]!.GetValue<string>().ShouldBe(Credentials.TestDesk);
        retracted["version"]!.GetValue<int>().ShouldBe(3);
        retracted["retracted"]!.GetValue<bool>().ShouldBeTrue();
        retracted["retractionReason"]!.GetValue<string>().ShouldBe("duplicate");
        retracted["history"]!.AsArray().Select(h => h!["change"]!.GetValue<string>()).ShouldBe(["recorded", "corrected", "retracted"]);
        retracted["recordedBy"]!.GetValue<string>().ShouldBe(Credentials.TestDesk);
        (await Host.GetJsonAsync($"/api/control-changes/{_b}?asOf=2020-02-10", expectedStatus: 404))["status"]!.GetValue<int>().ShouldBe(404);
    }

    [Fact]
    public async Task a_stale_version_a_retracted_change_and_an_unknown_id_are_refused_and_record_nothing()
    {
        await TwoChangesAsync();
        var occurred = Correction(c => c["occurredAt"] = "2020-02-09");
        await Host.OkAsync($"/api/control-changes/{_b}/corrections", occurred);

        (await Ledger.RefusedAsync($"/api/control-changes/{_b}/corrections", occurred, HttpStatusCode.Conflict))["detail"]!.GetValue<string>().ShouldContain("version 2");
        await Ledger.RefusedAsync($"/api/control-changes/{_b}/retraction", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "x" }, HttpStatusCode.Conflict);
        await Host.OkAsync($"/api/control-changes/{_b}/retraction", new JsonObject { ["expectedVersion"] = 2, ["reason"] = "duplicate" });
        (await Ledger.RefusedAsync($"/api/control-changes/{_b}/corrections", Correction(c => c["actor"] = A, 3), HttpStatusCode.Conflict))["detail"]!.GetValue<string>().ShouldContain("retracted");
        await Ledger.RefusedAsync($"/api/control-changes/{_b}/retraction", new JsonObject { ["expectedVersion"] = 3, ["reason"] = "again" }, HttpStatusCode.Conflict);
        await Ledger.RefusedAsync($"/api/control-changes/{Guid.CreateVersion7()}/corrections", occurred, HttpStatusCode.NotFound);
        await Ledger.RefusedAsync($"/api/control-changes/{Guid.CreateVersion7()}/retraction", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "x" }, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task another_client_than_the_one_that_recorded_it_gets_403_unless_it_is_an_admin()
    {
        await TwoChangesAsync();
        var before = await Ledger.AllEventCountAsync();

        using var analyst = Host.Client("desk-amman", Roles.Analyst);
        using var correction = await analyst.PostAsync($"/api/control-changes/{_b}/corrections",
            new StringContent(Correction(c => c["actor"] = A).ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        using var retraction = await analyst.PostAsync($"/api/control-changes/{_b}/retraction",
            new StringContent(new JsonObject { ["expectedVersion"] = 1, ["reason"] = "x" }.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));

        correction.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        retraction.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Ledger.AllEventCountAsync()).ShouldBe(before);
        using var admin = Host.Client("ops", Roles.Admin);
        using var byAdmin = await admin.PostAsync($"/api/control-changes/{_b}/retraction",
            new StringContent(new JsonObject { ["expectedVersion"] = 1, ["reason"] = "x" }.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        byAdmin.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_correction_that_changes_nothing_is_400_on_reason()
    {
        await TwoChangesAsync();

        var problem = await Ledger.RefusedAsync($"/api/control-changes/{_b}/corrections",
            Correction(c => { c["actor"] = B; c["area"] = GivenTerritory.Box(36.6, 35.6, 36.8, 35.8); }), HttpStatusCode.BadRequest);

        problem.ShouldNameField("reason", "changes nothing");
    }

    public static TheoryData<string, string> BadCorrections => new()
    {
        { """{"expectedVersion": 1, "reason": "x", "area": {"type": "Polygon", "coordinates": [[[36.4, 35.8], [36.6, 36.0], [36.6, 35.8], [36.4, 36.0], [36.4, 35.8]]]}}""", "area" },
        { """{"expectedVersion": 1, "reason": "x", "area": {"type": "Point", "coordinates": [36.5, 35.7]}}""", "area.type" },
        { """{"expectedVersion": 1, "reason": "x", "actor": ""}""", "actor" },
        { """{"expectedVersion": 1, "reason": "x", "sources": []}""", "sources" },
        { """{"expectedVersion": 1, "reason": "x", "reportedBy": " "}""", "reportedBy" },
        { """{"expectedVersion": 1, "reason": "x", "occurredAt": "2030-01-01"}""", "occurredAt" },
        { """{"expectedVersion": 1, "reason": "x", "occurredFrom": "2020-02-01"}""", "occurredUntil" },
        { """{"expectedVersion": 1, "reason": "x", "occurredFrom": "2020-02-05", "occurredUntil": "2020-02-01"}""", "occurredUntil" },
        { """{"expectedVersion": 1, "reason": "x", "datePrecision": "days"}""", "datePrecision" },
        { """{"expectedVersion": 0, "reason": "x", "actor": "y"}""", "expectedVersion" },
        { """{"expectedVersion": 1, "actor": "y"}""", "reason" },
    };

    [Theory]
    [MemberData(nameof(BadCorrections))]
    public async Task a_bad_field_is_400_naming_it_and_records_nothing(string body, string field)
    {
        await TwoChangesAsync();

        var problem = await Ledger.RefusedAsync(HttpMethod.Post, $"/api/control-changes/{_b}/corrections", body, HttpStatusCode.BadRequest, field);

        problem.ShouldNameField(field, null, body);
        (await Host.GetJsonAsync($"/api/control-changes/{_b}"))["version"]!.GetValue<int>().ShouldBe(1);
    }

    [Fact]
    public async Task a_bad_retraction_is_400_naming_the_field()
    {
        await TwoChangesAsync();

        (await Ledger.RefusedAsync($"/api/control-changes/{_b}/retraction", new JsonObject { ["expectedVersion"] = 1 }, HttpStatusCode.BadRequest)).ShouldNameField("reason");
        (await Ledger.RefusedAsync($"/api/control-changes/{_b}/retraction", new JsonObject { ["expectedVersion"] = 0, ["reason"] = "x" }, HttpStatusCode.BadRequest)).ShouldNameField("expectedVersion");
    }

    [Fact]
    public async Task two_spellings_of_an_actor_are_one_actor_shown_as_first_recorded()
    {
        Ledger.Clock.Set(GivenTerritory.On(2, 11));
        await Host.RecordedControlChangeAsync("Syrian government", GivenTerritory.Box(36.5, 35.6, 36.7, 35.8), "2020-01-10");
        await Host.RecordedControlChangeAsync("syrian government", GivenTerritory.Box(36.7, 35.6, 36.8, 35.8), "2020-02-10");
        await Host.RecordedControlChangeAsync(B, GivenTerritory.Box(36.3, 35.6, 36.5, 35.8), "2020-02-01");

        var areas = await AreasKm2Async("2020-02-20", After);

        areas.Keys.Order(StringComparer.Ordinal).ShouldBe([B, "Syrian government"]);
        areas["Syrian government"].ShouldBe(GivenTerritory.BoxKm2(36.5, 35.6, 36.8, 35.8), 0.01);
        (await HolderAsync(36.75, "2020-02-20", After)).ShouldBe("Syrian government");
        (await SharesKm2Async("idlib", "2020-02-20", After)).Keys.Order(StringComparer.Ordinal).ShouldBe([B, "Syrian government"]);
        var map = await Host.GetJsonAsync($"/api/control-map?at=2020-02-20&asOf={After}");
        var front = map["features"]!.AsArray().Where(f => f!["properties"]!["kind"]!.GetValue<string>() == "front-line").ShouldHaveSingleItem()!;
        front["properties"]!["between"]!.AsArray().Select(a => a!.GetValue<string>()).Order(StringComparer.Ordinal).ShouldBe([B, "Syrian government"]);
    }

    [Fact]
    public async Task the_map_at_every_at_and_as_of_equals_a_fold_of_the_versions_the_ledger_held_then()
    {
        // Changes recorded over days, some late, corrected and retracted at other times: the snapshots' shortcut
        // (the current versions' maps, then a fold of the rest) must give what a fold of every version valid at asOf gives.
        var boxes = new[] { (36.3, 36.6), (36.5, 36.8), (36.4, 36.7), (36.6, 36.9), (36.2, 36.5), (36.45, 36.75) };
        var ids = new List<Guid>();
        for (var i = 0; i < boxes.Length; i++)
        {
            Ledger.Clock.Set(GivenTerritory.On(2, 1 + (2 * i)));
            var occurred = $"2020-01-{(i % 2 == 0 ? 10 + i : 25 - i):00}";
            ids.Add(await Host.RecordedControlChangeAsync(i % 3 == 0 ? A : i % 3 == 1 ? B : "Hay'at Tahrir al-Sham",
                GivenTerritory.Box(boxes[i].Item1, 35.6, boxes[i].Item2, 35.8), occurred));
        }

        Ledger.Clock.Set(GivenTerritory.On(2, 14));
        await Host.OkAsync($"/api/control-changes/{ids[1]}/corrections", Correction(c => c["occurredAt"] = "2020-01-02"));
        Ledger.Clock.Set(GivenTerritory.On(2, 16));
        await Host.OkAsync($"/api/control-changes/{ids[3]}/retraction", new JsonObject { ["expectedVersion"] = 1, ["reason"] = "duplicate" });
        Ledger.Clock.Set(GivenTerritory.On(2, 18));
        await Host.OkAsync($"/api/control-changes/{ids[1]}/corrections", Correction(c => c["area"] = GivenTerritory.Box(36.55, 35.65, 36.85, 35.75), 2));
        await Host.OkAsync($"/api/control-changes/{ids[0]}/corrections", Correction(c => c["actor"] = B));

        var versions = await VersionsAsync();
        foreach (var asOf in new[] { 2, 4, 8, 12, 15, 17, 19 }.Select(d => GivenTerritory.On(2, d)))
        {
            foreach (var at in new[] { 3, 9, 12, 14, 18, 22, 31 }.Select(d => new DateTimeOffset(2020, 1, d, 12, 0, 0, TimeSpan.Zero)))
            {
                var expected = ControlMapModel.From(versions
                        .Where(v => v.RecordedAt <= asOf && (v.SupersededAt is null || v.SupersededAt > asOf) && v.OccurredFrom <= at)
                        .OrderBy(v => v.OccurredFrom).ThenBy(v => v.Seq).Select(v => (v.Actor, v.Area)))
                    .Held.ToDictionary(h => h.Key, h => Metric.AreaKm2(h.Value));
                var got = await AreasKm2Async(Uri.EscapeDataString(at.ToString("O")), Uri.EscapeDataString(asOf.ToString("O")));

                got.Keys.Order(StringComparer.Ordinal).ShouldBe(expected.Keys.Order(StringComparer.Ordinal), $"at {at:O} as of {asOf:O}");
                foreach (var (actor, km2) in expected)
                {
                    got[actor].ShouldBe(km2, 0.01, $"{actor} at {at:O} as of {asOf:O}");
                }
            }
        }
    }

    private sealed record Version(string Actor, Geometry Area, DateTimeOffset OccurredFrom, long Seq, DateTimeOffset RecordedAt, DateTimeOffset? SupersededAt);

    private async Task<List<Version>> VersionsAsync()
    {
        var versions = new List<Version>();
        await using var connection = new Npgsql.NpgsqlConnection(Ledger.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            $"select actor, ST_AsGeoJSON(area), occurred_from, seq, recorded_at, superseded_at from {LedgerFixture.Schema}.{ControlChangeTable.Name}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            using var json = JsonDocument.Parse(reader.GetString(1));
            versions.Add(new Version(reader.GetString(0), GeoJson.FromJson(json.RootElement.Clone()), reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetInt64(3), reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
        }

        versions.Count.ShouldBe(6 + 3);
        return versions;
    }
}
