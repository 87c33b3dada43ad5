using System.Globalization;
using IdlibLedger.Attacks;
using IdlibLedger.Attacks.Reporting;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;

namespace IdlibLedger.Importing;

/// <summary>What is wrong with a row: the columns it concerns and why (the reason starts with the column names).</summary>
public sealed record RowProblem(IReadOnlyList<string> Columns, string Reason);

/// <summary>What an import does with a row whose own estimates disagree (low &gt; best, best &gt; high, best ≠ the deaths' sum).</summary>
public enum SourceAnomalies
{
    /// <summary>Import the row with its estimate repaired by <see cref="UcdpGedMapping.Repair"/>, and warn.</summary>
    Repair,

    /// <summary>Refuse the row as before anomalies were repaired (a best above the deaths' sum still imports).</summary>
    Reject,
}

/// <summary>A row imported although its estimates disagree: the columns, what the source says, and the repair applied.</summary>
public sealed record RowAnomaly(IReadOnlyList<string> Columns, string Reason, string Repair);

/// <summary>
/// A UCDP GED row as a ReportAttack, with no database and no I/O: the importer (<see cref="UcdpGedImporter"/>) feeds
/// it rows and appends what it returns.
/// Mapping: side_a → perpetrator, side_b → target; where_prec 1..7 → locationPrecision; date_prec 1..5 → day,
/// days, week, month, year over [date_start, date_end]; deaths_a / deaths_b → military of side a / b,
/// deaths_civilians → civilian, deaths_unknown → unknown, with low and high spread so that each category keeps
/// low ≤ best ≤ high and the sums equal the row's low / best / high; source fields → one source.
/// </summary>
public static class UcdpGedMapping
{
    /// <summary>The stream a row's report goes to, named by its UCDP id: importing the same file again adds nothing.</summary>
    public static Guid StreamId(string ucdpId) => StreamIds.For("ucdp-ged", ucdpId);

    private static readonly string[] Deaths = ["deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"];

    /// <summary>
    /// The report a row states, or every problem that stops it: a cell that does not read as what its column says
    /// (a count that is not a whole number of 0 or more, a code outside its list, a date not yyyy-MM-dd, a
    /// coordinate that is not a finite number) or cells that contradict each other. Nothing is guessed or dropped.
    /// </summary>
    /// <remarks>
    /// Estimates that disagree are refused with <see cref="SourceAnomalies.Reject"/>; with
    /// <see cref="SourceAnomalies.Repair"/> the row imports with the estimate <see cref="Repair"/> gives, the source's
    /// figures as given are kept in the report's <see cref="Provenance.Anomaly"/>, and each disagreement is returned as
    /// an anomaly. A best above the deaths' sum imports either way (the unknown category takes the difference) and is
    /// an anomaly either way. The row's other GED columns are kept in <see cref="Provenance.Ged"/>.
    /// </remarks>
    public static (ReportAttack? Report, List<RowProblem> Problems, List<RowAnomaly> Anomalies) ToReport(
        Func<string, string> cell, string reportedBy, SourceAnomalies anomalies = SourceAnomalies.Repair)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var problems = new List<RowProblem>();
        var found = new List<RowAnomaly>();
        string Text(string name) => cell(name)?.Trim() ?? string.Empty;
        void Problem(string reason, params string[] columns) => problems.Add(new RowProblem(columns, $"{string.Join('/', columns)}: {reason}"));

        int? Count(string name)
        {
            var text = Text(name);
            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                Problem($"{Quoted(text)} is not a whole number", name);
                return null;
            }

            if (value < 0)
            {
                Problem(string.Create(CultureInfo.InvariantCulture, $"{value} is negative; a count of deaths is 0 or more"), name);
                return null;
            }

            return value;
        }

        int? Code(string name, int min, int max, string what)
        {
            var text = Text(name);
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            Problem($"{Quoted(text)} is not {what}", name);
            return null;
        }

        double? Coordinate(string name)
        {
            var text = Text(name);
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            {
                return value;
            }

            Problem($"{Quoted(text)} is not a finite number", name);
            return null;
        }

        DateTimeOffset? Date(string name)
        {
            var text = Text(name);
            if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                Problem($"{Quoted(text)} is not a date (yyyy-MM-dd)", name);
                return null;
            }

            if (date == DateOnly.MaxValue)
            {
                // A range ends the day after date_end, which 9999-12-31 has not.
                Problem($"{Quoted(text)} is past the last date the ledger can hold", name);
                return null;
            }

            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }

        var ucdpId = Text("id");
        if (ucdpId.Length == 0)
        {
            Problem("the row has no id", "id");
        }

        var violence = Code("type_of_violence", 1, 3, "a UCDP type of violence (1, 2 or 3)");
        var wherePrecision = Code("where_prec", 1, 7, "a UCDP location precision (1..7)");
        var datePrecision = Code("date_prec", 1, 5, "a UCDP date precision (1..5)");
        var (latitude, longitude) = (Coordinate("latitude"), Coordinate("longitude"));
        var (start, end) = (Date("date_start"), Date("date_end"));
        var published = SourceDates(Text("source_date"));
        if (published is null)
        {
            Problem($"{Quoted(Text("source_date"))} is not a date (yyyy-MM-dd, several separated by ;)", "source_date");
        }

        var deaths = Deaths.Select(name => (Name: name, Count: Count(name))).ToArray();
        var (low, best, high) = (Count("low"), Count("best"), Count("high"));
        if (start > end)
        {
            Problem($"{Text("date_end")} is before {Text("date_start")}", "date_start", "date_end");
        }

        var given = (Low: low, Best: best, High: high);
        var rule = RepairRule;
        if (deaths.All(d => d.Count is not null) && low is not null && best is not null && high is not null)
        {
            var sum = deaths.Sum(d => d.Count!.Value);
            var repaired = Repair(low.Value, best.Value, high.Value, sum);
            string[] estimates = ["low", "best", "high"];
            string[] counts = [.. Deaths, "best"];
            var said = string.Create(CultureInfo.InvariantCulture, $"{low} ≤ {best} ≤ {high} does not hold");
            var added = string.Create(CultureInfo.InvariantCulture, $"the deaths add up to {sum}, {(sum > best ? "more" : "less")} than best ({best})");
            var repair = string.Create(CultureInfo.InvariantCulture, $"counted as low {repaired.Low}, best {repaired.Best}, high {repaired.High} ({RepairRule})");
            void Anomaly(string reason, string[] columns)
            {
                if (anomalies == SourceAnomalies.Reject)
                {
                    Problem(reason, columns);
                }
                else
                {
                    found.Add(new RowAnomaly(columns, $"{string.Join('/', columns)}: {reason}", repair));
                }
            }

            if (low > best || best > high)
            {
                Anomaly(said, estimates);
            }

            if (sum > best)
            {
                Anomaly(added, counts);
            }
            else if (sum < best)
            {
                // Imported before anomalies were repaired too, so flagged but never refused.
                rule = $"{RepairRule}; {UnknownTakesTheDifference}";
                found.Add(new RowAnomaly(counts, $"{string.Join('/', counts)}: {added}", $"{repair}; {UnknownTakesTheDifference}"));
            }

            (low, best, high) = (repaired.Low, repaired.Best, repaired.High);
        }

        if (problems.Count > 0)
        {
            return (null, problems, []);
        }

        var sideA = Text("side_a");
        var sideB = Text("side_b");
        var oneSided = violence == 3;
        var precision = datePrecision switch { 1 => DatePrecision.Day, 2 => DatePrecision.Days, 3 => DatePrecision.Week, 4 => DatePrecision.Month, _ => DatePrecision.Year };
        var sameDay = start == end && precision == DatePrecision.Day;
        var casualties = Spread(
            [.. deaths.Where(d => d.Count > 0).Select(d => d.Name switch
            {
                "deaths_a" => (CasualtyCategory.Military, (string?)sideA, d.Count!.Value),
                "deaths_b" => oneSided ? (CasualtyCategory.Civilian, null, d.Count!.Value) : (CasualtyCategory.Military, sideB, d.Count!.Value),
                "deaths_civilians" => (CasualtyCategory.Civilian, null, d.Count!.Value),
                _ => (CasualtyCategory.Unknown, null, d.Count!.Value),
            })],
            low!.Value, best!.Value, high!.Value);
        var headline = Text("source_headline");
        var anomaly = found.Count == 0 ? null : new SourceAnomaly(
            given.Low!.Value, given.Best!.Value, given.High!.Value, deaths[0].Count!.Value, deaths[1].Count!.Value, deaths[2].Count!.Value, deaths[3].Count!.Value,
            [.. found.Select(a => a.Reason)], new Estimate(low!.Value, best!.Value, high!.Value), rule);
        var report = new ReportAttack(
            Perpetrator: sideA,
            Targets: [sideB],
            EventType: oneSided ? EventType.ViolenceAgainstCivilians : EventType.Battles,
            Location: GeoJsonPoint.At(longitude!.Value, latitude!.Value),
            LocationPrecision: (LocationPrecision)wherePrecision!.Value,
            DatePrecision: precision,
            Description: string.IsNullOrEmpty(headline) ? $"UCDP GED event {ucdpId}: {Text("dyad_name")}" : headline,
            Sources: [new Source(Text("source_office") is { Length: > 0 } office ? office : "UCDP GED", published!.Count > 0 ? published[0] : null, headline.Length > 0 ? headline : null, null)],
            Casualties: casualties,
            ReportedBy: reportedBy,
            SubEventType: oneSided ? SubEventType.Attack : SubEventType.ArmedClash,
            OccurredAt: sameDay ? start : null,
            OccurredFrom: sameDay ? null : start,
            OccurredUntil: sameDay ? null : end!.Value.AddDays(1))
        {
            Provenance = new Provenance(Provenance.UcdpGed, ucdpId, Ged(Text), anomaly),
        };
        return (report, problems, found);
    }

    /// <summary>
    /// The one repair rule for estimates that disagree: no death the source counts is dropped, so best is the larger
    /// of best and the deaths' sum (the columns say who died; where best is larger the unknown category takes the
    /// difference); then the interval is widened to contain best, never narrowed.
    /// </summary>
    public static (int Low, int Best, int High) Repair(int low, int best, int high, int deathsSum)
    {
        var repaired = Math.Max(best, deathsSum);
        return (Math.Min(low, repaired), repaired, Math.Max(high, repaired));
    }

    /// <summary>The repair rule as warnings and a report's provenance state it.</summary>
    public const string RepairRule = "best = max(best, deaths' sum), low = min(low, best), high = max(high, best)";

    private const string UnknownTakesTheDifference = "the unknown category takes the difference";

    /// <summary>
    /// The GED columns a report keeps in its provenance, in the codebook's order, each with where it is kept: the
    /// columns a report's fields do not model (or model only in part, as <c>type_of_violence</c> 1 and 2 are both
    /// battles, and <c>source_date</c> keeps its first date only). <see cref="Ged"/> reads them from a row.
    /// </summary>
    public static readonly IReadOnlyList<(string Column, Func<UcdpGedColumns, string?> Kept)> GedColumns =
    [
        ("relid", g => g.Relid), ("year", g => g.Year), ("active_year", g => g.ActiveYear), ("code_status", g => g.CodeStatus),
        ("type_of_violence", g => g.TypeOfViolence), ("conflict_dset_id", g => g.ConflictDsetId), ("conflict_new_id", g => g.ConflictNewId),
        ("conflict_name", g => g.ConflictName), ("dyad_dset_id", g => g.DyadDsetId), ("dyad_new_id", g => g.DyadNewId), ("dyad_name", g => g.DyadName),
        ("side_a_dset_id", g => g.SideADsetId), ("side_a_new_id", g => g.SideANewId), ("side_b_dset_id", g => g.SideBDsetId), ("side_b_new_id", g => g.SideBNewId),
        ("gwnoa", g => g.Gwnoa), ("gwnob", g => g.Gwnob), ("number_of_sources", g => g.NumberOfSources), ("source_article", g => g.SourceArticle),
        ("source_date", g => g.SourceDate), ("source_original", g => g.SourceOriginal), ("where_coordinates", g => g.WhereCoordinates),
        ("where_description", g => g.WhereDescription), ("adm_1", g => g.Adm1), ("adm_2", g => g.Adm2), ("priogrid_gid", g => g.PriogridGid),
        ("country", g => g.Country), ("country_id", g => g.CountryId), ("region", g => g.Region), ("event_clarity", g => g.EventClarity),
    ];

    /// <summary>A row's <see cref="GedColumns"/> as given (trimmed; empty or absent → null).</summary>
    public static UcdpGedColumns Ged(Func<string, string> text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? Kept(string column) => text(column) is { Length: > 0 } value ? value : null;
        return new UcdpGedColumns(
            Relid: Kept("relid"), Year: Kept("year"), ActiveYear: Kept("active_year"), CodeStatus: Kept("code_status"),
            TypeOfViolence: Kept("type_of_violence"), ConflictDsetId: Kept("conflict_dset_id"), ConflictNewId: Kept("conflict_new_id"),
            ConflictName: Kept("conflict_name"), DyadDsetId: Kept("dyad_dset_id"), DyadNewId: Kept("dyad_new_id"), DyadName: Kept("dyad_name"),
            SideADsetId: Kept("side_a_dset_id"), SideANewId: Kept("side_a_new_id"), SideBDsetId: Kept("side_b_dset_id"), SideBNewId: Kept("side_b_new_id"),
            Gwnoa: Kept("gwnoa"), Gwnob: Kept("gwnob"), NumberOfSources: Kept("number_of_sources"), SourceArticle: Kept("source_article"),
            SourceDate: Kept("source_date"), SourceOriginal: Kept("source_original"), WhereCoordinates: Kept("where_coordinates"),
            WhereDescription: Kept("where_description"), Adm1: Kept("adm_1"), Adm2: Kept("adm_2"), PriogridGid: Kept("priogrid_gid"),
            Country: Kept("country"), CountryId: Kept("country_id"), Region: Kept("region"), EventClarity: Kept("event_clarity"));
    }

    /// <summary>The GED columns a ReportAttack field is read from, for a validator's refusal (by its JSON path).</summary>
    public static IReadOnlyList<string> ColumnsOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var field = path.Split('.', '[')[0];
        return field switch
        {
            "location" when path.Contains("[0]", StringComparison.Ordinal) => ["longitude"],
            "location" when path.Contains("[1]", StringComparison.Ordinal) => ["latitude"],
            "location" => ["latitude", "longitude"],
            "locationPrecision" => ["where_prec"],
            "occurredAt" or "occurredFrom" or "occurredUntil" => ["date_start", "date_end"],
            "datePrecision" => ["date_prec"],
            "perpetrator" => ["side_a"],
            "targets" => ["side_b"],
            "eventType" or "subEventType" => ["type_of_violence"],
            "description" => ["source_headline", "dyad_name"],
            "sources" when path.EndsWith(".publishedAt", StringComparison.Ordinal) => ["source_date"],
            "sources" when path.EndsWith(".title", StringComparison.Ordinal) => ["source_headline"],
            "sources" => ["source_office"],
            "casualties" => [.. Deaths, "low", "best", "high"],
            _ => [],
        };
    }

    /// <summary>GED's source_date: empty, or dates separated by ';' (the first is the source's). Null if one is not a date.</summary>
    private static List<DateOnly>? SourceDates(string text)
    {
        var dates = new List<DateOnly>();
        foreach (var part in text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!DateOnly.TryParseExact(part, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return null;
            }

            dates.Add(date);
        }

        return dates;
    }

    /// <summary>A cell as a reason quotes it: in quotes, and shortened (a refused cell may be a whole file's worth).</summary>
    private static string Quoted(string text) => text.Length <= 40 ? $"'{text}'" : $"'{text[..40]}…' ({text.Length:N0} characters)";

    /// <summary>
    /// UCDP gives low and high for the event, best per category. Each category keeps its best; the difference to
    /// the event's low and high is taken from (or added to) the largest categories first, never below zero.
    /// </summary>
    public static IReadOnlyList<CategoryCasualties> Spread(IReadOnlyList<(CasualtyCategory Category, string? Party, int Best)> categories, int low, int best, int high)
    {
        ArgumentNullException.ThrowIfNull(categories);
        var entries = categories.Count > 0 ? categories.ToList() : [(CasualtyCategory.Unknown, null, best)];
        var sumBest = entries.Sum(e => e.Best);
        if (sumBest != best && entries.Count > 0)
        {
            // The categories do not add up to best (rare in GED): the unknown category takes the difference.
            entries.Add((CasualtyCategory.Unknown, null, Math.Max(0, best - sumBest)));
        }

        var lows = entries.Select(e => e.Best).ToArray();
        var highs = entries.Select(e => e.Best).ToArray();
        var order = Enumerable.Range(0, entries.Count).OrderByDescending(i => entries[i].Best).ToArray();
        var toTake = lows.Sum() - low;
        foreach (var i in order)
        {
            var take = Math.Min(toTake, lows[i]);
            lows[i] -= take;
            toTake -= take;
        }

        highs[order[0]] += Math.Max(0, high - highs.Sum());
        return [.. entries.Select((e, i) => new CategoryCasualties(e.Category, e.Party, new Estimate(lows[i], e.Best, highs[i]), null))
            .Where(c => c.KilledOrNone.High > 0)];
    }
}
