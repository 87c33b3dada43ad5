using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdlibLedger.Importing;
using IdlibLedger.Tests.Casualties;
using IdlibLedger.Tests.Fixtures;
using nietras.SeparatedValues;
using Shouldly;

namespace IdlibLedger.Tests.Importing;

/// <summary>
/// The CSV export: streamed, every GED column the ledger knows with the UCDP id beside the ledger id, formula cells
/// escaped, CRLF, a BOM on request, a named download; and what it exports imports back to the same ledger.
/// </summary>
public sealed class exporting_attacks_as_csv(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static string SampleFile => Path.Combine(
        LedgerFixture.SharedData ?? throw new InvalidOperationException("the UCDP GED slice of ../shared/data is needed (set LEDGER_SHARED_DATA)"),
        "ucdp_ged_syria_idlib_2019-09_to_2019-11.csv");

    /// <summary>The export's rows as cells by column (Sep, as the importer reads them), with the text as sent (a BOM as U+FEFF).</summary>
    private async Task<(string Text, List<Dictionary<string, string>> Rows)> ExportAsync(string query = "")
    {
        using var client = Host.Client();
        // As sent: ReadAsStringAsync would take a BOM away.
        var text = Encoding.UTF8.GetString(await client.GetByteArrayAsync("/api/exports/attacks.csv" + query));
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true }).FromText(text.TrimStart('\uFEFF'));
        var names = reader.Header.ColNames;
        var rows = new List<Dictionary<string, string>>();
        foreach (var row in reader)
        {
            var cells = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in names)
            {
                cells[name] = row[name].ToString();
            }

            rows.Add(cells);
        }

        return (text, rows);
    }

    [Fact]
    public async Task the_file_is_streamed_without_a_length_known_beforehand_and_holds_every_row()
    {
        var rows = Enumerable.Range(0, 300).Select(i => GedFile.Row($"x{i}", ("date_start", $"2019-{1 + (i % 12):00}-01"), ("date_end", $"2019-{1 + (i % 12):00}-01"))).ToArray();
        using var client = Host.Client();
        (await client.PostAsync("/api/imports/ucdp-ged", GedFile.Content(GedFile.Of(rows)))).EnsureSuccessStatusCode();

        using var response = await client.GetAsync("/api/exports/attacks.csv", HttpCompletionOption.ResponseHeadersRead);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        // A body built first would be sent with its length; a streamed one cannot know it.
        response.Content.Headers.ContentLength.ShouldBeNull();
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(301);
        lines[0].ShouldStartWith("ledger_id,id,relid,year,active_year,code_status,type_of_violence");
        var dateStart = lines[0].Split(',').ToList().IndexOf("date_start");
        lines.Skip(1).Select(l => l.Split(',')[dateStart]).ShouldBeInOrder();
    }

    [Fact]
    public async Task lines_end_with_crlf_the_download_is_named_after_as_of_and_a_bom_starts_it_only_when_asked()
    {
        await Host.ImportedAsync(GedFile.Of(GedFile.Row("801"), GedFile.Row("802", ("source_headline", "\"Two lines:\nclashes near Tah\""))));
        using var client = Host.Client();

        using var plain = await client.GetAsync("/api/exports/attacks.csv?asOf=2030-05-01T10:20:30Z");
        var bytes = await plain.Content.ReadAsByteArrayAsync();
        plain.Content.Headers.ContentDisposition!.ToString().ShouldBe("attachment; filename=\"idlib-ledger-attacks-20300501T102030Z.csv\"");
        bytes.Take(3).ShouldNotBe(Encoding.UTF8.Preamble.ToArray());
        var text = Encoding.UTF8.GetString(bytes);
        text.ShouldEndWith("\r\n");
        // Every line ends with CRLF; a line break inside a quoted cell stays as it was.
        text.Replace("\r\n", string.Empty, StringComparison.Ordinal).Count(c => c == '\r').ShouldBe(0);
        text.Split("\r\n").Length.ShouldBe(4);
        text.ShouldContain("\"Two lines:\nclashes near Tah\"");

        using var withBom = await client.GetAsync("/api/exports/attacks.csv?bom=true");
        (await withBom.Content.ReadAsByteArrayAsync()).Take(3).ShouldBe(Encoding.UTF8.Preamble.ToArray());
    }

    [Fact]
    public async Task a_bom_other_than_true_or_false_is_a_400_naming_it()
    {
        var problem = await Ledger.RefusedAsync(HttpMethod.Get, "/api/exports/attacks.csv?bom=yes", null, HttpStatusCode.BadRequest, "bom=yes");

        problem["errors"]!["bom"]![0]!.GetValue<string>().ShouldContain("true or false");
    }

    [Fact]
    public async Task a_filter_that_does_not_read_is_still_a_400_before_anything_is_written()
    {
        await Ledger.RefusedAsync(HttpMethod.Get, "/api/exports/attacks.csv?from=yesterday", null, HttpStatusCode.BadRequest, "from=yesterday");
    }

    [Fact]
    public async Task imported_rows_keep_their_ucdp_id_beside_the_ledger_id_and_reports_posted_over_http_give_their_ledger_id()
    {
        await Host.ImportedAsync(GedFile.Of(GedFile.Row("307096")));
        var posted = await Host.ReportedAttackAsync();

        var (_, rows) = await ExportAsync();

        var imported = rows.Single(r => r["id"] == "307096");
        imported["ledger_id"].ShouldBe(UcdpGedMapping.StreamId("307096").ToString());
        var http = rows.Single(r => r["ledger_id"] == posted.ToString());
        http["id"].ShouldBe(posted.ToString());
        http["dyad_name"].ShouldBe("Syrian Arab Army - Turkish Armed Forces");
        http["year"].ShouldBe("2020");
        http["adm_1"].ShouldBeEmpty();
    }

    [Fact]
    public async Task text_cells_a_spreadsheet_would_run_as_formulas_start_with_an_apostrophe_numbers_do_not_and_the_import_takes_it_away()
    {
        string[] header = [.. GedFile.Header, "adm_1", "conflict_name", "country", "where_coordinates"];
        var row = GedFile.Row("901", ("side_a", "\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\""), ("side_b", "+Syrian insurgents"), ("source_headline", "-2 killed near Tah"),
            ("source_office", "@SOHR")) + ",\"@SUM(A1:A9)\",\"\tSyria: Government\",-1.5,=1+1";
        await Host.ImportedAsync(string.Join('\n', [string.Join(',', header), row]) + "\n");

        var (_, rows) = await ExportAsync();

        var cells = rows.Single();
        cells["side_a"].ShouldBe("'=HYPERLINK(\"http://evil\",\"x\")");
        cells["side_b"].ShouldBe("'+Syrian insurgents");
        cells["source_headline"].ShouldBe("'-2 killed near Tah");
        cells["source_office"].ShouldBe("'@SOHR");
        cells["adm_1"].ShouldBe("'@SUM(A1:A9)");
        cells["dyad_name"].ShouldBe("Government of Syria - Syrian insurgents");
        // A text column holding a number is still text; the importer trims the tab it was given.
        cells["country"].ShouldBe("'-1.5");
        cells["where_coordinates"].ShouldBe("'=1+1");
        cells["conflict_name"].ShouldBe("Syria: Government");
        cells["latitude"].ShouldBe("35.54318");
        ExportEndpoints.Escaped("-1.5", numeric: true).ShouldBe("-1.5");
        ExportEndpoints.Escaped("-1.5", numeric: false).ShouldBe("'-1.5");
        ExportEndpoints.Escaped("-NaN", numeric: true).ShouldBe("'-NaN");
        ExportEndpoints.Escaped("\rx", numeric: false).ShouldBe("'\rx");

        var (text, _) = await ExportAsync();
        await Ledger.ResetAsync();
        await Host.ImportedAsync(text);
        var facts = (await Host.GetJsonAsync($"/api/attacks/{UcdpGedMapping.StreamId("901")}"))["report"]!["facts"]!;
        facts["perpetrator"]!.GetValue<string>().ShouldBe("=HYPERLINK(\"http://evil\",\"x\")");
        facts["targets"]![0]!.GetValue<string>().ShouldBe("+Syrian insurgents");
        facts["provenance"]!["ged"]!["adm1"]!.GetValue<string>().ShouldBe("@SUM(A1:A9)");
        facts["provenance"]!["ged"]!["country"]!.GetValue<string>().ShouldBe("-1.5");
    }

    [Fact]
    public async Task exported_with_a_bom_and_imported_into_an_empty_ledger_it_gives_the_same_totals_anomalies_and_provenance()
    {
        await Host.ImportedAsync(await File.ReadAllTextAsync(SampleFile));
        await Host.ImportedAsync(counting_source_anomalies.Csv);
        var before = await Host.GetJsonAsync("/api/casualties/totals?groupBy=category");
        before["attacks"]!.GetValue<long>().ShouldBe(122);
        before["anomalousReports"]!.GetValue<long>().ShouldBe(4);
        var provenance = await ProvenanceAsync();
        provenance.Count.ShouldBe(122);
        provenance[UcdpGedMapping.StreamId("307096")]!["ged"]!["adm1"]!.GetValue<string>().ShouldBe("Idlib Governorate");
        var (exported, rows) = await ExportAsync("?bom=true");
        exported.ShouldStartWith("\uFEFF");
        rows.Select(r => r["id"]).ShouldContain("307096");

        await Ledger.ResetAsync();
        var report = await Host.ImportedAsync(exported);

        report["imported"]!.GetValue<long>().ShouldBe(122, report.ToJsonString());
        report["rejectedCount"]!.GetValue<long>().ShouldBe(0);
        report["warningCount"]!.GetValue<long>().ShouldBe(4);
        var after = await Host.GetJsonAsync("/api/casualties/totals?groupBy=category");
        after["killed"]!.ToJsonString().ShouldBe(before["killed"]!.ToJsonString());
        after["anomalousReports"]!.GetValue<long>().ShouldBe(4);
        after["groups"]!.ToJsonString().ShouldBe(before["groups"]!.ToJsonString());
        // The UCDP ids name the streams again, so every report has its ledger id and its provenance back.
        var again = await ProvenanceAsync();
        again.Keys.Order().ShouldBe(provenance.Keys.Order());
        foreach (var (id, kept) in provenance)
        {
            again[id]!.ToJsonString().ShouldBe(kept!.ToJsonString(), id.ToString());
        }
    }

    [Fact]
    public async Task the_geojson_export_carries_the_provenance_and_is_named_for_download()
    {
        string[] header = [.. GedFile.Header, "adm_1", "country"];
        await Host.ImportedAsync(string.Join('\n', [string.Join(',', header), GedFile.Row("801", ("high", "1")) + ",Idlib Governorate,Syria"]) + "\n");
        await Host.ReportedAttackAsync();
        using var client = Host.Client();

        using var response = await client.GetAsync("/api/exports/attacks.geojson?asOf=2030-05-01");

        response.Content.Headers.ContentDisposition!.ToString().ShouldBe("attachment; filename=\"idlib-ledger-attacks-20300501T235959Z.geojson\"");
        var features = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["features"]!.AsArray();
        features.Count.ShouldBe(2);
        var imported = features.Single(f => f!["properties"]!["ucdpId"] is not null)!["properties"]!;
        imported["dataset"]!.GetValue<string>().ShouldBe("ucdp-ged");
        imported["ucdpId"]!.GetValue<string>().ShouldBe("801");
        imported["adm_1"]!.GetValue<string>().ShouldBe("Idlib Governorate");
        imported["country"]!.GetValue<string>().ShouldBe("Syria");
        imported["anomaly"]!.GetValue<string>().ShouldStartWith("low/best/high: 2 ≤ 2 ≤ 1 does not hold; counted as low 2, best 2, high 2");
        features.Single(f => f!["properties"]!["ucdpId"] is null)!["properties"]!["perpetrator"]!.GetValue<string>().ShouldBe("Syrian Arab Army");
    }

    /// <summary>Every attack's provenance (facts.provenance of the list), by ledger id.</summary>
    private async Task<Dictionary<Guid, JsonNode?>> ProvenanceAsync()
    {
        var list = await Host.GetJsonAsync("/api/attacks?pageSize=500");
        return list["items"]!.AsArray().ToDictionary(a => a!["id"]!.GetValue<Guid>(), a => a!["facts"]!["provenance"]?.DeepClone());
    }
}
