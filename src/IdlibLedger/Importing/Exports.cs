using System.Globalization;
using System.Text;
using System.Text.Json;
using IdlibLedger.Access;
using IdlibLedger.Attacks;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using IdlibLedger.Spatial;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace IdlibLedger.Importing;

/// <summary>The query string of the GeoJSON export; texts are parsed by the endpoint, so that a refusal names the parameter.</summary>
/// <param name="From">Occurrence window start ≥ this, ISO 8601 (a date alone means the start of that day, UTC); default none.</param>
/// <param name="To">Occurrence window start ≤ this, ISO 8601 (a date alone means the end of that day, UTC); not before `from`; default none.</param>
/// <param name="At">Valid time: the moment in the world the answer describes, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
/// <param name="AsOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
public sealed record AttackExportQuery(
    [FromQuery(Name = "from")] string? From = null,
    [FromQuery(Name = "to")] string? To = null,
    [FromQuery(Name = "at")] string? At = null,
    [FromQuery(Name = "asOf")] string? AsOf = null);

/// <summary>The query string of the CSV export; texts are parsed by the endpoint, so that a refusal names the parameter.</summary>
/// <param name="From">Occurrence window start ≥ this, ISO 8601 (a date alone means the start of that day, UTC); default none.</param>
/// <param name="To">Occurrence window start ≤ this, ISO 8601 (a date alone means the end of that day, UTC); not before `from`; default none.</param>
/// <param name="At">Valid time: the moment in the world the answer describes, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
/// <param name="AsOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
/// <param name="Bom">`true` starts the file with a UTF-8 byte order mark (EF BB BF), which spreadsheets need to read it as UTF-8; `false` (default) leaves it out.</param>
public sealed record AttackCsvExportQuery(
    [FromQuery(Name = "from")] string? From = null,
    [FromQuery(Name = "to")] string? To = null,
    [FromQuery(Name = "at")] string? At = null,
    [FromQuery(Name = "asOf")] string? AsOf = null,
    [FromQuery(Name = "bom")] string? Bom = null);

/// <summary>
/// Attacks back out, as known at <c>asOf</c> (and begun by <c>at</c>, between <c>from</c> and <c>to</c>): a CSV with
/// every UCDP GED column the ledger knows, which the importer reads back to the same totals and anomalies, and a
/// GeoJSON FeatureCollection. Both are written as the timeline is read, never whole in memory.
/// </summary>
public static class ExportEndpoints
{
    /// <summary>
    /// One column of the CSV: its GED name, whether GED defines it as a number (a cell of such a column that holds a
    /// number is a value, never escaped as a formula), and its cell for a report.
    /// </summary>
    private sealed record Column(string Name, bool Numeric, Func<Exported, string> Cell);

    private static string Whole(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Day(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The CSV's columns in the GED codebook's order, and <c>ledger_id</c> first. An imported report gives its GED
    /// columns back as the file had them; the columns its fields model come from the report as now corrected.
    /// </summary>
    private static readonly Column[] CsvColumns =
    [
        new("ledger_id", false, e => e.Report.Id.ToString()),
        // The UCDP id names the report's stream on import (StreamIds): re-imported, a row finds its report.
        new("id", true, e => e.Provenance?.UcdpId ?? e.Report.Id.ToString()),
        new("relid", false, e => e.Ged.Relid ?? string.Empty),
        new("year", true, e => e.Kept(e.Ged.Year, () => e.From.UtcDateTime.Year.ToString(CultureInfo.InvariantCulture))),
        new("active_year", true, e => e.Ged.ActiveYear ?? string.Empty),
        new("code_status", false, e => e.Ged.CodeStatus ?? string.Empty),
        // GED's 1 and 2 are both battles to the ledger: the source's code while it still says what the report does.
        new("type_of_violence", true, e => e.Ged.TypeOfViolence is { } code && code == "3" == e.OneSided ? code : e.OneSided ? "3" : "1"),
        new("conflict_dset_id", true, e => e.Ged.ConflictDsetId ?? string.Empty),
        new("conflict_new_id", true, e => e.Ged.ConflictNewId ?? string.Empty),
        new("conflict_name", false, e => e.Ged.ConflictName ?? string.Empty),
        new("dyad_dset_id", true, e => e.Ged.DyadDsetId ?? string.Empty),
        new("dyad_new_id", true, e => e.Ged.DyadNewId ?? string.Empty),
        new("dyad_name", false, e => e.Kept(e.Ged.DyadName, () => $"{e.Facts.Perpetrator} - {e.SideB}")),
        new("side_a_dset_id", true, e => e.Ged.SideADsetId ?? string.Empty),
        new("side_a_new_id", true, e => e.Ged.SideANewId ?? string.Empty),
        new("side_a", false, e => e.Facts.Perpetrator),
        new("side_b_dset_id", true, e => e.Ged.SideBDsetId ?? string.Empty),
        new("side_b_new_id", true, e => e.Ged.SideBNewId ?? string.Empty),
        new("side_b", false, e => e.SideB),
        new("number_of_sources", true, e => e.Kept(e.Ged.NumberOfSources, () => Whole(e.Facts.Sources.Count))),
        new("source_article", false, e => e.Ged.SourceArticle ?? string.Empty),
        new("source_office", false, e => e.Source.Outlet ?? string.Empty),
        new("source_date", false, e => e.SourceDate),
        new("source_headline", false, e => e.Source.Title ?? e.Facts.Description),
        new("source_original", false, e => e.Ged.SourceOriginal ?? string.Empty),
        new("where_prec", true, e => Whole((int)e.Facts.LocationPrecision)),
        new("where_coordinates", false, e => e.Ged.WhereCoordinates ?? string.Empty),
        new("where_description", false, e => e.Ged.WhereDescription ?? string.Empty),
        new("adm_1", false, e => e.Ged.Adm1 ?? string.Empty),
        new("adm_2", false, e => e.Ged.Adm2 ?? string.Empty),
        new("latitude", true, e => Number(e.Facts.Location.Latitude)),
        new("longitude", true, e => Number(e.Facts.Location.Longitude)),
        new("geom_wkt", false, e => $"POINT ({Number(e.Facts.Location.Longitude)} {Number(e.Facts.Location.Latitude)})"),
        new("priogrid_gid", true, e => e.Ged.PriogridGid ?? string.Empty),
        new("country", false, e => e.Ged.Country ?? string.Empty),
        new("country_id", true, e => e.Ged.CountryId ?? string.Empty),
        new("region", false, e => e.Ged.Region ?? string.Empty),
        new("event_clarity", true, e => e.Ged.EventClarity ?? string.Empty),
        new("date_prec", true, e => e.Facts.Occurrence.Precision switch
        {
            DatePrecision.Days => "2", DatePrecision.Week => "3", DatePrecision.Month => "4", DatePrecision.Year => "5", _ => "1",
        }),
        new("date_start", false, e => Day(e.From)),
        new("date_end", false, e => Day(e.Last)),
        new("deaths_a", true, e => Whole(e.Deaths.A)),
        new("deaths_b", true, e => Whole(e.Deaths.B)),
        new("deaths_civilians", true, e => Whole(e.Deaths.Civilians)),
        new("deaths_unknown", true, e => Whole(e.Deaths.Unknown)),
        new("low", true, e => Whole(e.Deaths.Low)),
        new("best", true, e => Whole(e.Deaths.Best)),
        new("high", true, e => Whole(e.Deaths.High)),
        new("gwnoa", true, e => e.Ged.Gwnoa ?? string.Empty),
        new("gwnob", true, e => e.Ged.Gwnob ?? string.Empty),
    ];

    /// <summary>The CSV's header: every UCDP GED column the ledger knows, and <c>ledger_id</c>.</summary>
    public static IReadOnlyList<string> Columns { get; } = [.. CsvColumns.Select(c => c.Name)];

    /// <summary>Export attacks as CSV</summary>

    /// <remarks>The attacks the list would show at (`at`, `asOf`), unpaged, as CSV (RFC 4180, CRLF line ends; one row per report) with every UCDP GED column the ledger knows: the ledger's id (`ledger_id`), the UCDP `id` of imported reports (the ledger id for others), and the GED columns an import kept. Text cells a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) start with an apostrophe, which the import takes away again. Named for download (`Content-Disposition: attachment`). Retracted reports are left out.</remarks>

    [WolverineGet("/api/exports/attacks.csv", OperationId = "ExportAttacksCsv")]
    [ForViewers]
    [Tags("Imports")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/csv")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static Results<PushStreamHttpResult, ProblemHttpResult> Csv(
        [AsParameters] AttackCsvExportQuery query, TimelineQueries timeline, LedgerClock clock, HttpResponse response, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(response);
        var errors = new Dictionary<string, string[]>();
        var bom = query.Bom?.Trim().ToLowerInvariant() switch
        {
            null or "" or "false" => false,
            "true" => true,
            _ => Refuse(errors, "bom", $"bom is true or false, not '{query.Bom}'"),
        };
        var (filter, refusal) = Filter(query.At, query.AsOf, query.From, query.To, clock, errors);
        if (filter is null)
        {
            return refusal!;
        }

        response.Headers.ContentDisposition = Attachment(filter, "csv");
        // Each row is written as it is read from the timeline: the file is never whole in memory.
        return TypedResults.Stream(async body =>
        {
            await using var csv = new StreamWriter(body, new UTF8Encoding(bom), 64 * 1024) { NewLine = "\r\n" };
            await csv.WriteLineAsync(string.Join(',', Columns));
            await foreach (var report in timeline.ReportsAsync(filter, cancellation))
            {
                await csv.WriteLineAsync(string.Join(',', Row(report).Select(Quote)));
            }
        }, "text/csv; charset=utf-8");
    }

    /// <summary>Export attacks as GeoJSON</summary>

    /// <remarks>The attacks the list would show at (`at`, `asOf`), unpaged, as a GeoJSON FeatureCollection of points (lon/lat, WGS 84) with the report's facts as properties, and for imported reports their provenance: `dataset`, `ucdpId`, the GED columns the import kept (by their GED names) and `anomaly` when the source's figures disagreed. Named for download (`Content-Disposition: attachment`).</remarks>

    [WolverineGet("/api/exports/attacks.geojson", OperationId = "ExportAttacksGeoJson")]
    [ForViewers]
    [Tags("Imports")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "application/geo+json")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static Results<PushStreamHttpResult, ProblemHttpResult> GeoJson(
        [AsParameters] AttackExportQuery query, TimelineQueries timeline, LedgerClock clock, HttpResponse response, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(response);
        var (filter, refusal) = Filter(query.At, query.AsOf, query.From, query.To, clock, new Dictionary<string, string[]>());
        if (filter is null)
        {
            return refusal!;
        }

        response.Headers.ContentDisposition = Attachment(filter, "geojson");
        return TypedResults.Stream(async body =>
        {
            await using var json = new Utf8JsonWriter(body);
            json.WriteStartObject();
            json.WriteString("type", "FeatureCollection");
            json.WriteStartArray("features");
            await foreach (var report in timeline.ReportsAsync(filter, cancellation))
            {
                WriteFeature(json, report);
                if (json.BytesPending > 64 * 1024)
                {
                    await json.FlushAsync(cancellation);
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
            await json.FlushAsync(cancellation);
        }, "application/geo+json");
    }

    /// <summary>One report as a GeoJSON Feature: its point, its facts, and its provenance when imported.</summary>
    private static void WriteFeature(Utf8JsonWriter json, AttackReport report)
    {
        var facts = report.Facts;
        var (from, until) = facts.Occurrence.Window();
        json.WriteStartObject();
        json.WriteString("type", "Feature");
        json.WritePropertyName("geometry");
        IdlibLedger.Spatial.GeoJson.ToJson(Wgs84.Point(facts.Location.Longitude, facts.Location.Latitude)).WriteTo(json);
        json.WriteStartObject("properties");
        json.WriteString("id", report.Id);
        json.WriteNumber("version", report.Version);
        json.WriteString("perpetrator", facts.Perpetrator);
        json.WriteString("eventType", Wire.Name(facts.EventType));
        json.WriteString("occurredFrom", from);
        json.WriteString("occurredUntil", until);
        json.WritePropertyName("killed");
        JsonSerializer.Serialize(json, facts.TotalKilled(), LedgerJson.Options);
        json.WritePropertyName("injured");
        JsonSerializer.Serialize(json, facts.TotalInjured(), LedgerJson.Options);
        json.WriteString("grading", Wire.Name(report.Grading));
        json.WriteString("description", facts.Description);
        if (facts.Provenance is { } provenance)
        {
            json.WriteString("dataset", provenance.Dataset);
            json.WriteString("ucdpId", provenance.UcdpId);
            foreach (var (column, kept) in UcdpGedMapping.GedColumns)
            {
                if (kept(provenance.Ged) is { } value)
                {
                    json.WriteString(column, value);
                }
            }

            if (provenance.Anomaly is { } anomaly)
            {
                json.WriteString("anomaly", string.Create(CultureInfo.InvariantCulture,
                    $"{string.Join("; ", anomaly.Reasons)}; counted as low {anomaly.Counted.Low}, best {anomaly.Counted.Best}, high {anomaly.Counted.High} ({anomaly.Rule})"));
            }
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>One report as a UCDP GED row, cell by cell in the order of <see cref="Columns"/>, text cells escaped as formulas.</summary>
    public static IReadOnlyList<string> Row(AttackReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var exported = new Exported(report);
        return [.. CsvColumns.Select(c => Escaped(c.Cell(exported), c.Numeric))];
    }

    /// <summary>
    /// OWASP's defence against CSV injection: a cell that a spreadsheet would run as a formula (starting with
    /// <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or CR) starts with an apostrophe, which the spreadsheet shows as
    /// text. A number in a numeric column (<c>-1.5</c>) is a value, not a formula, and stays as it is.
    /// </summary>
    public static string Escaped(string cell, bool numeric)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var number = numeric && double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value);
        return cell.Length > 0 && UcdpGedFile.FormulaStarts.Contains(cell[0]) && !number ? "'" + cell : cell;
    }

    /// <summary>RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.</summary>
    public static string Quote(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
    }

    /// <summary>The download's name, after the ledger and the transaction time it shows (ISO 8601 basic, UTC: no colons in file names).</summary>
    private static string Attachment(AttackFilter filter, string extension) =>
        $"attachment; filename=\"idlib-ledger-attacks-{filter.Temporal.AsOf.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.{extension}\"";

    private static bool Refuse(Dictionary<string, string[]> errors, string name, string reason)
    {
        errors[name] = [reason];
        return false;
    }

    /// <summary>The attacks the query asks for, or the refusal that names each parameter that is wrong (with those already in <paramref name="errors"/>).</summary>
    private static (AttackFilter? Filter, ProblemHttpResult? Refusal) Filter(
        string? at, string? asOf, string? from, string? to, LedgerClock clock, Dictionary<string, string[]> errors) =>
        AttackFilter.TryParse(at, asOf, from, to, null, null, clock, out var filter, errors) && errors.Count == 0
            ? (filter, null)
            : (null, TypedResults.Problem(LedgerProblems.Invalid(errors, "Fix the query parameters named under 'errors'.")));

    /// <summary>What a report's row is made of: its facts, its provenance, and the figures its GED columns carry.</summary>
    private sealed class Exported
    {
        public Exported(AttackReport report)
        {
            Report = report;
            Facts = report.Facts;
            Provenance = Facts.Provenance;
            Ged = Provenance?.Ged ?? NoColumns;
            SideB = Facts.Targets.Count > 0 ? Facts.Targets[0] : "unknown";
            OneSided = Facts.EventType == EventType.ViolenceAgainstCivilians;
            (From, var until) = Facts.Occurrence.Window();
            Last = until > From ? until.AddDays(-1) : From;
            Source = Facts.Sources.Count > 0 ? Facts.Sources[0] : new Source("unknown", null, null, null);
            var published = Source.PublishedAt?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? string.Empty;
            // GED's several dates while their first is still the report's source's.
            SourceDate = Ged.SourceDate is { } dates && dates.Split(';', StringSplitOptions.TrimEntries)[0] == published ? dates : published;
            Deaths = report.CountsRepairedFigures() && Provenance!.Anomaly is { } given
                // The source's figures as given: imported again, they are repaired again to the same estimate and warning.
                ? (given.DeathsA, given.DeathsB, given.DeathsCivilians, given.DeathsUnknown, given.Low, given.Best, given.High)
                : FromCasualties();
        }

        private static readonly UcdpGedColumns NoColumns = new();

        /// <summary>An imported report's GED cell as the file had it (empty stays empty, so that it imports back the same); for others, what the report says.</summary>
        public string Kept(string? imported, Func<string> derived) => Provenance is null ? derived() : imported ?? string.Empty;

        public AttackReport Report { get; }

        public AttackFacts Facts { get; }

        public Provenance? Provenance { get; }

        public UcdpGedColumns Ged { get; }

        public string SideB { get; }

        public bool OneSided { get; }

        public DateTimeOffset From { get; }

        public DateTimeOffset Last { get; }

        public Source Source { get; }

        public string SourceDate { get; }

        public (int A, int B, int Civilians, int Unknown, int Low, int Best, int High) Deaths { get; }

        /// <summary>The importer's mapping the other way round: military of side a and b, civilians, the rest unknown; the report's totals.</summary>
        private (int, int, int, int, int, int, int) FromCasualties()
        {
            var (facts, sideB, oneSided) = (Facts, SideB, OneSided);
            int Best(Func<CategoryCasualties, bool> which) => facts.Casualties.Where(which).Sum(c => c.KilledOrNone.Best);
            var deathsA = Best(c => c.Category == CasualtyCategory.Military && c.Party == facts.Perpetrator);
            var deathsB = oneSided ? 0 : Best(c => c.Category == CasualtyCategory.Military && c.Party == sideB);
            var civilians = Best(c => c.Category == CasualtyCategory.Civilian);
            var total = facts.TotalKilled();
            return (deathsA, deathsB, civilians, total.Best - deathsA - deathsB - civilians, total.Low, total.Best, total.High);
        }
    }
}
