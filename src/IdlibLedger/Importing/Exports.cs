using System.Globalization;
using System.Text;
using IdlibLedger.Access;
using IdlibLedger.Attacks;
using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Infrastructure;
using IdlibLedger.Common;
using IdlibLedger.Spatial;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetTopologySuite.Geometries;
using Wolverine.Http;

namespace IdlibLedger.Importing;

/// <summary>The query string of the exports; texts are parsed by the endpoint, so that a refusal names the parameter.</summary>
/// <param name="From">Occurrence window start ≥ this, ISO 8601 (a date alone means the start of that day, UTC); default none.</param>
/// <param name="To">Occurrence window start ≤ this, ISO 8601 (a date alone means the end of that day, UTC); not before `from`; default none.</param>
/// <param name="At">Valid time: the moment in the world the answer describes, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
/// <param name="AsOf">Transaction time: what the ledger had recorded by this moment, ISO 8601 (a date alone means the end of that day, UTC); default now.</param>
public sealed record AttackExportQuery(
    [FromQuery(Name = "from")] string? From = null,
    [FromQuery(Name = "to")] string? To = null,
    [FromQuery(Name = "at")] string? At = null,
    [FromQuery(Name = "asOf")] string? AsOf = null);

/// <summary>
/// Attacks back out, as known at <c>asOf</c> (and begun by <c>at</c>, between <c>from</c> and <c>to</c>): a CSV with
/// UCDP GED's columns, which the importer reads back to the same totals, and a GeoJSON FeatureCollection.
/// </summary>
public static class ExportEndpoints
{
    public static readonly string[] Columns =
    [
        "id", "type_of_violence", "dyad_name", "side_a", "side_b", "number_of_sources", "source_office", "source_date", "source_headline",
        "where_prec", "latitude", "longitude", "date_prec", "date_start", "date_end",
        "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "low", "best", "high",
    ];

    /// <summary>Export attacks as CSV</summary>

    /// <remarks>The attacks the list would show at (`at`, `asOf`), unpaged, as CSV (one row per report, UCDP-like columns). Retracted reports are left out.</remarks>

    [WolverineGet("/api/exports/attacks.csv", OperationId = "ExportAttacksCsv")]
    [ForViewers]
    [Tags("Imports")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/csv")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static Results<PushStreamHttpResult, ProblemHttpResult> Csv(
        [AsParameters] AttackExportQuery query, TimelineQueries timeline, LedgerClock clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        var (filter, refusal) = Filter(query, clock);
        if (filter is null)
        {
            return refusal!;
        }

        // Each row is written as it is read from the timeline: the file is never whole in memory.
        return TypedResults.Stream(async body =>
        {
            await using var csv = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024);
            await csv.WriteLineAsync(string.Join(',', Columns));
            await foreach (var report in timeline.ReportsAsync(filter, cancellation))
            {
                await csv.WriteLineAsync(string.Join(',', Row(report).Select(Quote)));
            }
        }, "text/csv; charset=utf-8");
    }

    /// <summary>Export attacks as GeoJSON</summary>

    /// <remarks>The attacks the list would show at (`at`, `asOf`), unpaged, as a GeoJSON FeatureCollection of points (lon/lat, WGS 84) with the report's facts as properties.</remarks>

    [WolverineGet("/api/exports/attacks.geojson", OperationId = "ExportAttacksGeoJson")]
    [ForViewers]
    [Tags("Imports")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "application/geo+json")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> GeoJson(
        [AsParameters] AttackExportQuery query, TimelineQueries timeline, LedgerClock clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        var (filter, refusal) = Filter(query, clock);
        if (filter is null)
        {
            return refusal!;
        }

        var reports = new List<AttackReport>();
        await foreach (var report in timeline.ReportsAsync(filter, cancellation))
        {
            reports.Add(report);
        }

        var features = reports.Select(r => ((Geometry)Wgs84.Point(r.Facts.Location.Longitude, r.Facts.Location.Latitude),
            (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
            {
                ["id"] = r.Id, ["version"] = r.Version, ["perpetrator"] = r.Facts.Perpetrator, ["eventType"] = Wire.Name(r.Facts.EventType),
                ["occurredFrom"] = r.Facts.Occurrence.Window().From, ["occurredUntil"] = r.Facts.Occurrence.Window().Until,
                ["killed"] = r.Facts.TotalKilled(), ["injured"] = r.Facts.TotalInjured(), ["grading"] = Wire.Name(r.Grading), ["description"] = r.Facts.Description,
            }));
        return TypedResults.Text(IdlibLedger.Spatial.GeoJson.FeatureCollection(features), "application/geo+json");
    }

    /// <summary>One report as a UCDP GED row (the importer's mapping, the other way round).</summary>
    public static IReadOnlyList<string> Row(AttackReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var facts = report.Facts;
        var sideB = facts.Targets.Count > 0 ? facts.Targets[0] : "unknown";
        var oneSided = facts.EventType == EventType.ViolenceAgainstCivilians;
        var (from, until) = facts.Occurrence.Window();
        var last = until > from ? until.AddDays(-1) : from;
        int Best(Func<CategoryCasualties, bool> which) => facts.Casualties.Where(which).Sum(c => c.KilledOrNone.Best);
        var deathsA = Best(c => c.Category == CasualtyCategory.Military && c.Party == facts.Perpetrator);
        var deathsB = oneSided ? 0 : Best(c => c.Category == CasualtyCategory.Military && c.Party == sideB);
        var civilians = Best(c => c.Category == CasualtyCategory.Civilian);
        var total = facts.TotalKilled();
        var source = facts.Sources.Count > 0 ? facts.Sources[0] : new Source("unknown", null, null, null);
        string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        string Whole(int value) => value.ToString(CultureInfo.InvariantCulture);
        return
        [
            report.Id.ToString(), oneSided ? "3" : "1", $"{facts.Perpetrator} - {sideB}", facts.Perpetrator, sideB,
            Whole(facts.Sources.Count), source.Outlet ?? string.Empty, source.PublishedAt?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? string.Empty,
            source.Title ?? facts.Description,
            Whole((int)facts.LocationPrecision), Number(facts.Location.Latitude), Number(facts.Location.Longitude),
            facts.Occurrence.Precision switch { DatePrecision.Days => "2", DatePrecision.Week => "3", DatePrecision.Month => "4", DatePrecision.Year => "5", _ => "1" },
            from.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), last.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Whole(deathsA), Whole(deathsB), Whole(civilians), Whole(total.Best - deathsA - deathsB - civilians),
            Whole(total.Low), Whole(total.Best), Whole(total.High),
        ];
    }

    /// <summary>RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.</summary>
    public static string Quote(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
    }

    /// <summary>The attacks the query asks for, or the refusal that names the parameter that is wrong.</summary>
    private static (AttackFilter? Filter, ProblemHttpResult? Refusal) Filter(AttackExportQuery query, LedgerClock clock)
    {
        ArgumentNullException.ThrowIfNull(query);
        var errors = new Dictionary<string, string[]>();
        return AttackFilter.TryParse(query.At, query.AsOf, query.From, query.To, null, null, clock, out var filter, errors)
            ? (filter, null)
            : (null, TypedResults.Problem(LedgerProblems.Invalid(errors, "Fix the query parameters named under 'errors'.")));
    }
}
