using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Importing;
using IdlibLedger.Tests.Fixtures;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shouldly;

namespace IdlibLedger.Tests.Importing;

public sealed class importing_ucdp_ged(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static string GedFile => Path.Combine(
        LedgerFixture.SharedData ?? throw new InvalidOperationException("the UCDP GED slice of ../shared/data is needed (set LEDGER_SHARED_DATA)"),
        "ucdp_ged_syria_idlib_2019-09_to_2019-11.csv");

    private Task<JsonObject> ImportAsync(string csv) => Host.ImportedAsync(csv);

    [Fact]
    public async Task a_retried_import_writes_the_read_models_of_rows_whose_events_committed_without_them()
    {
        var csv = await File.ReadAllTextAsync(GedFile);
        await ImportAsync(csv);
        var totals = await Host.GetJsonAsync("/api/casualties/totals?groupBy=category");
        // A chunk's events and its read-model rows commit one after the other: a kill between the two leaves the
        // events alone. On an empty ledger that state is: every event of the import, no read-model row.
        await Ledger.ExecuteAsync(
            LedgerFixture.HoldingTheCellFold + $"truncate {LedgerFixture.Schema}.{AttackTimeline.TableName}, {LedgerFixture.Schema}.{AttackTimeline.CasualtiesTableName}, {LedgerFixture.Schema}.{CasualtyCells.TableName}, {LedgerFixture.Schema}.{CasualtyCells.DeltasTableName}");
        (await Host.GetJsonAsync("/api/audit/read-models"))["ok"]!.GetValue<bool>().ShouldBeFalse();

        var retry = await ImportAsync(csv);

        retry["imported"]!.GetValue<long>().ShouldBe(0);
        retry["alreadyPresent"]!.GetValue<long>().ShouldBe(116);
        var after = await Host.GetJsonAsync("/api/casualties/totals?groupBy=category");
        after["groups"]!.ToJsonString().ShouldBe(totals["groups"]!.ToJsonString());
        after["killed"]!.ToJsonString().ShouldBe(totals["killed"]!.ToJsonString());
        var verified = await Host.GetJsonAsync("/api/audit/read-models");
        verified["ok"]!.GetValue<bool>().ShouldBeTrue(verified.ToJsonString());
    }

    [Fact]
    public async Task at_start_up_the_service_writes_the_read_models_of_imported_rows_whose_events_committed_without_them()
    {
        await ImportAsync(await File.ReadAllTextAsync(GedFile));
        // The state a kill between a chunk's two commits leaves: the events, no read-model rows, an unfinished import.
        await Ledger.ExecuteAsync(
            LedgerFixture.HoldingTheCellFold + $"truncate {LedgerFixture.Schema}.{AttackTimeline.TableName}, {LedgerFixture.Schema}.{AttackTimeline.CasualtiesTableName}, {LedgerFixture.Schema}.{CasualtyCells.TableName}, {LedgerFixture.Schema}.{CasualtyCells.DeltasTableName}; " +
            $"update {LedgerFixture.Schema}.{ImportLog.ImportsTable} set finished_at = null");

        var recovery = Host.Services.GetServices<IHostedService>().OfType<ImportRecovery>().Single();
        await recovery.StartAsync(CancellationToken.None);

        (await Host.GetJsonAsync("/api/casualties/totals"))["attacks"]!.GetValue<long>().ShouldBe(116);
        var verified = await Host.GetJsonAsync("/api/audit/read-models");
        verified["ok"]!.GetValue<bool>().ShouldBeTrue(verified.ToJsonString());
    }

    [Fact]
    public async Task an_imported_report_shows_its_provenance_by_id_and_a_report_posted_over_http_has_none()
    {
        await ImportAsync(await File.ReadAllTextAsync(GedFile));
        var posted = await Host.ReportedAttackAsync();

        var provenance = (await Host.GetJsonAsync($"/api/attacks/{UcdpGedMapping.StreamId("307096")}"))["report"]!["facts"]!["provenance"]!;

        provenance["dataset"]!.GetValue<string>().ShouldBe("ucdp-ged");
        provenance["ucdpId"]!.GetValue<string>().ShouldBe("307096");
        provenance["anomaly"].ShouldBeNull();
        var ged = provenance["ged"]!;
        (ged["adm1"]!.GetValue<string>(), ged["adm2"]!.GetValue<string>(), ged["country"]!.GetValue<string>(), ged["conflictName"]!.GetValue<string>())
            .ShouldBe(("Idlib Governorate", "Maarat al-Numaan district", "Syria", "Syria: Government"));
        (ged["year"]!.GetValue<string>(), ged["region"]!.GetValue<string>(), ged["priogridGid"]!.GetValue<string>(), ged["whereCoordinates"]!.GetValue<string>())
            .ShouldBe(("2019", "Middle East", "181154", "Tah village"));
        (ged["dyadNewId"]!.GetValue<string>(), ged["sideANewId"]!.GetValue<string>(), ged["sideBNewId"]!.GetValue<string>(), ged["countryId"]!.GetValue<string>())
            .ShouldBe(("11973", "118", "4456", "652"));
        ged["gwnob"].ShouldBeNull();
        (await Host.GetJsonAsync($"/api/attacks/{posted}"))["report"]!["facts"]!.AsObject().ContainsKey("provenance").ShouldBeFalse();
    }

    [Fact]
    public async Task the_idlib_slice_gives_116_attacks_with_the_checked_fatality_sums_and_a_second_import_adds_nothing()
    {
        var csv = await File.ReadAllTextAsync(GedFile);

        var first = await ImportAsync(csv);
        first["imported"]!.GetValue<long>().ShouldBe(116, first.ToJsonString());
        first["rejected"]!.AsArray().ShouldBeEmpty();
        var totals = await Host.GetJsonAsync("/api/casualties/totals?groupBy=category");
        totals["attacks"]!.GetValue<long>().ShouldBe(116);
        totals["killed"]!.Estimate().ShouldBe((411, 426, 452));
        totals["groups"]!.AsArray().Single(g => g!["key"]!.GetValue<string>() == "civilian")!["killed"]!["best"]!.GetValue<int>().ShouldBe(150);
        var events = await Ledger.EventCountAsync();

        var again = await ImportAsync(csv);
        again["imported"]!.GetValue<long>().ShouldBe(0);
        again["alreadyPresent"]!.GetValue<long>().ShouldBe(116);
        (await Ledger.EventCountAsync()).ShouldBe(events);
    }

    [Fact]
    public async Task bulk_appended_rows_are_chained_recorded_by_the_client_and_projected_as_a_rebuild_would()
    {
        await Ledger.ChainCaughtUpAsync();
        using var client = Host.Client("ucdp-desk");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/imports/ucdp-ged") { Content = new StringContent(await File.ReadAllTextAsync(GedFile), Encoding.UTF8, "text/csv") };
        (await client.SendAsync(request)).EnsureSuccessStatusCode();
        var asOf = "asOf=" + Uri.EscapeDataString(Ledger.Clock.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture)) + "&at=2020-01-01";
        var reads = new[] { $"/api/casualties/totals?groupBy=party&{asOf}", $"/api/casualties/totals?groupBy=month&bbox=35,35,38,37&{asOf}", $"/api/attacks?pageSize=500&{asOf}" };
        var before = new List<string>();
        foreach (var read in reads)
        {
            before.Add((await Host.GetJsonAsync(read)).ToJsonString());
        }

        var tables = await ReadModelTablesAsync();
        tables[0].ShouldContain("perpetrator");

        // The import wrote the read models with COPY, without Marten's inline projections; a rebuild from the events
        // writes the same rows, and the answers agree.
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        using (var daemon = await store.BuildProjectionDaemonAsync())
        {
            await daemon.RebuildProjectionAsync(nameof(AttackTimeline), TimeSpan.FromMinutes(1), CancellationToken.None);
        }

        (await ReadModelTablesAsync()).ShouldBe(tables);
        for (var i = 0; i < reads.Length; i++)
        {
            (await Host.GetJsonAsync(reads[i])).ToJsonString().ShouldBe(before[i], reads[i]);
        }

        // The hash chain covers them, and each says who recorded it.
        await Ledger.ChainCaughtUpAsync();
        var verify = await Host.GetJsonAsync("/api/audit/verify");
        verify["ok"]!.GetValue<bool>().ShouldBeTrue(verify.ToJsonString());
        using var events = await client.GetAsync("/api/audit/events?type=attack_reported&limit=500");
        var lines = (await events.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        lines.Count.ShouldBe(116);
        lines.ShouldAllBe(l => l["recordedBy"]!.GetValue<string>() == "ucdp-desk");
    }

    /// <summary>The timeline's rows, their casualty rows and the cells that are not zero (deltas folded in), each as one text.</summary>
    private async Task<string[]> ReadModelTablesAsync()
    {
        var schema = LedgerFixture.Schema;
        return
        [
            (string)(await Ledger.ScalarAsync($"select string_agg(t::text, E'\\n' order by attack_id, version) from {schema}.{AttackTimeline.TableName} t"))!,
            (string)(await Ledger.ScalarAsync($"select string_agg(c::text, E'\\n' order by attack_id, version, position) from {schema}.{AttackTimeline.CasualtiesTableName} c"))!,
            (string)(await Ledger.ScalarAsync(
                $"select string_agg(k::text, E'\\n' order by grain, level, occurred_day, recorded_day, key, perpetrator) from {CasualtyCells.Folded(schema)} k"))!,
        ];
    }

    [Fact]
    public async Task every_imported_point_falls_in_its_ocha_district()
    {
        await ImportAsync(await File.ReadAllTextAsync(GedFile));

        var byDistrict = await Host.GetJsonAsync("/api/casualties/totals?groupBy=district");

        var attacks = byDistrict["groups"]!.AsArray().ToDictionary(g => g!["key"]!.GetValue<string>(), g => g!["attacks"]!.GetValue<long>());
        attacks.ShouldBe(new Dictionary<string, long> { ["Al Ma'ra"] = 72, ["Ariha"] = 15, ["Jisr-Ash-Shugur"] = 13, ["Idleb"] = 12, ["Harim"] = 4 }, ignoreOrder: true);
    }

    [Fact]
    public async Task a_file_overlapping_an_earlier_import_adds_only_its_new_rows_and_a_repeated_id_once()
    {
        var lines = (await File.ReadAllTextAsync(GedFile)).TrimEnd('\n').Split('\n');
        lines.Length.ShouldBe(117);

        // The first 40 rows, then the whole file with its row 10 repeated at the end: 76 new, 40 + 1 present.
        var first = await ImportAsync(string.Join('\n', lines.Take(41)));
        first["imported"]!.GetValue<long>().ShouldBe(40, first.ToJsonString());
        var second = await ImportAsync(string.Join('\n', [.. lines, lines[10]]));
        second["imported"]!.GetValue<long>().ShouldBe(76, second.ToJsonString());
        second["alreadyPresent"]!.GetValue<long>().ShouldBe(41);
        (await Ledger.EventCountAsync()).ShouldBe(116);

        // The timeline, casualty rows and cells of the overlapping import are those of one import of the whole file.
        var totals = await Host.GetJsonAsync("/api/casualties/totals?groupBy=category");
        totals["attacks"]!.GetValue<long>().ShouldBe(116);
        totals["killed"]!.Estimate().ShouldBe((411, 426, 452));
        totals["groups"]!.AsArray().Single(g => g!["key"]!.GetValue<string>() == "civilian")!["killed"]!["best"]!.GetValue<int>().ShouldBe(150);
        var scan = await Host.GetJsonAsync("/api/casualties/totals?groupBy=category&bbox=-180,-90,180,90");
        scan["groups"]!.ToJsonString().ShouldBe(totals["groups"]!.ToJsonString());
    }

    [Fact]
    public async Task broken_rows_are_reported_by_line_and_the_good_ones_imported()
    {
        var lines = (await File.ReadAllTextAsync(GedFile)).Split('\n');
        var header = lines[0];
        string Row(int index, string column, string value)
        {
            var fields = SplitCsv(lines[index]);
            fields[Array.IndexOf(SplitCsv(header), column)] = value;
            return string.Join(',', fields.Select(f => f.Contains(',', StringComparison.Ordinal) || f.Contains('"', StringComparison.Ordinal) || f.Contains('\n', StringComparison.Ordinal) ? "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : f));
        }

        const string Headline = "Shelling on Kafr Nabl,\nthe \"second\" line";
        var csv = string.Join('\n',
            header,
            Row(1, "source_headline", Headline),       // lines 2-3: good, a quoted field with a comma, a line break and quotes
            Row(2, "date_start", "2019-13-45"),        // line 4: bad date
            Row(3, "low", "999"),                      // line 5: low > best
            Row(4, "where_prec", "9"),                 // line 6: unknown precision
            Row(5, "latitude", ""),                    // line 7: missing coordinates
            lines[6]);                                 // line 8: good

        // Strictly, so that low > best is refused too (by default it is repaired: importing_source_anomalies).
        var report = await Host.ImportedAsync(csv, "?anomalies=reject");

        report["imported"]!.GetValue<long>().ShouldBe(2, report.ToJsonString());
        var rejected = report["rejected"]!.AsArray().ToDictionary(r => r!["line"]!.GetValue<long>(), r => string.Join("; ", r!["reasons"]!.AsArray().Select(x => x!.GetValue<string>())));
        rejected.Keys.Order().ShouldBe([4L, 5L, 6L, 7L]);
        rejected[4].ShouldContain("date_start");
        rejected[5].ShouldContain("low/best/high");
        rejected[6].ShouldContain("where_prec");
        rejected[7].ShouldContain("latitude");
        (await Ledger.EventCountAsync()).ShouldBe(2);
        var attacks = await Host.GetJsonAsync("/api/attacks");
        attacks["items"]!.AsArray().ShouldContain(a => a!["facts"]!["description"]!.GetValue<string>() == Headline, attacks.ToJsonString());
    }

    [Fact]
    public async Task an_export_imported_into_an_empty_ledger_gives_the_same_totals()
    {
        await ImportAsync(await File.ReadAllTextAsync(GedFile));
        var before = await Host.GetJsonAsync("/api/casualties/totals?groupBy=category");
        using var client = Host.Client();
        var exported = await client.GetStringAsync("/api/exports/attacks.csv");
        var geojson = JsonNode.Parse(await client.GetStringAsync("/api/exports/attacks.geojson"))!;
        geojson["features"]!.AsArray().Count.ShouldBe(116);

        await Ledger.ResetAsync();
        (await Host.GetJsonAsync("/api/casualties/totals"))["attacks"]!.GetValue<long>().ShouldBe(0);
        var report = await ImportAsync(exported);

        report["imported"]!.GetValue<long>().ShouldBe(116, report.ToJsonString());
        var after = await Host.GetJsonAsync("/api/casualties/totals?groupBy=category");
        after["killed"]!.Estimate().ShouldBe(before["killed"]!.Estimate());
        after["attacks"]!.GetValue<long>().ShouldBe(before["attacks"]!.GetValue<long>());
        after["groups"]!.ToJsonString().ShouldBe(before["groups"]!.ToJsonString());
    }

    [Fact]
    public async Task a_body_that_is_not_csv_is_415_and_records_nothing()
    {
        await Ledger.RefusedAsync(HttpMethod.Post, "/api/imports/ucdp-ged", "{}", HttpStatusCode.UnsupportedMediaType, "json body");
    }

    /// <summary>A CSV line split by the RFC 4180 rules (quotes, doubled quotes), for building broken rows.</summary>
    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                field.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c != '\r')
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }
}
