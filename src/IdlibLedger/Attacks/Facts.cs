using System.Text.Json.Serialization;

using IdlibLedger.Common;

namespace IdlibLedger.Attacks;

/// <summary>A GeoJSON Point (RFC 7946): <c>{"type": "Point", "coordinates": [lon, lat]}</c>.</summary>
/// <param name="Type">Always `Point`.</param>
/// <param name="Coordinates">[longitude, latitude] in degrees WGS 84 (lon first); a third number (altitude) is accepted but not stored.</param>
public sealed record GeoJsonPoint(string? Type, double[]? Coordinates)
{
    [JsonIgnore] public double Longitude => Coordinates is { Length: >= 2 } c ? c[0] : double.NaN;
    [JsonIgnore] public double Latitude => Coordinates is { Length: >= 2 } c ? c[1] : double.NaN;

    public static GeoJsonPoint At(double longitude, double latitude) => new("Point", [longitude, latitude]);
}

/// <summary>Killed and injured of one category (and party, for military casualties).</summary>
/// <param name="Category">Who the casualties were. Required.</param>
/// <param name="Party">The party the casualties belonged to; required for military, At most 200 characters.</param>
/// <param name="Killed">Estimated killed; a whole number or {low, best, high}. Killed or injured is required.</param>
/// <param name="Injured">Estimated injured; a whole number or {low, best, high}. Killed or injured is required.</param>
public sealed record CategoryCasualties(CasualtyCategory? Category, string? Party, Estimate? Killed, Estimate? Injured)
{
    [JsonIgnore] public Estimate KilledOrNone => Killed ?? Estimate.None;
    [JsonIgnore] public Estimate InjuredOrNone => Injured ?? Estimate.None;
}

/// <summary>
/// Everything a report says about an attack. Corrections replace parts of it. <c>ClaimedBy</c> makes it a
/// party's claim (docs/domain.md, "Claims and disputes"), e.g. the Russian delegation's claim that Hmeimim was attacked.
/// </summary>
/// <param name="Perpetrator">The actor who carried out the attack, or `unknown`.</param>
/// <param name="Targets">What or who was hit (may be empty).</param>
/// <param name="EventType">ACLED event type.</param>
/// <param name="SubEventType">ACLED sub-event type, when known.</param>
/// <param name="Location">Where it happened: a GeoJSON Point, [longitude, latitude] in WGS 84.</param>
/// <param name="LocationPrecision">How precisely the location is known.</param>
/// <param name="Occurrence">When it happened (valid time).</param>
/// <param name="Description">What happened, in free text.</param>
/// <param name="Sources">The sources the report rests on (at least one).</param>
/// <param name="Casualties">Killed and injured estimates per category (and party for military).</param>
/// <param name="ClaimedBy">The party whose claim the report records, or null: such a report is graded as a claim.</param>
/// <param name="Provenance">Where an imported report came from (the dataset, the row's id there, the row's columns the ledger does not otherwise model, and a disagreement of its figures); absent for reports posted over HTTP. Corrections leave it as imported.</param>
public sealed record AttackFacts(
    string Perpetrator,
    IReadOnlyList<string> Targets,
    EventType EventType,
    SubEventType? SubEventType,
    GeoJsonPoint Location,
    LocationPrecision LocationPrecision,
    Occurrence Occurrence,
    string Description,
    IReadOnlyList<Source> Sources,
    IReadOnlyList<CategoryCasualties> Casualties,
    string? ClaimedBy = null,
    Provenance? Provenance = null)
{
    public Estimate TotalKilled() => Casualties.Aggregate(Estimate.None, (sum, c) => sum.Plus(c.KilledOrNone));

    public Estimate TotalInjured() => Casualties.Aggregate(Estimate.None, (sum, c) => sum.Plus(c.InjuredOrNone));
}

/// <summary>
/// Where an imported report came from: the row as the dataset gave it, beyond what the report's fields model. Kept on
/// the report's facts (and so in its events), so that exports can give the dataset's columns back.
/// </summary>
/// <param name="Dataset">The dataset the row came from: `ucdp-ged` (UCDP Georeferenced Event Dataset).</param>
/// <param name="UcdpId">The row's UCDP GED `id`, as given; the report's id is derived from it, so a re-import finds the report.</param>
/// <param name="Ged">The row's UCDP GED columns that the report's fields do not model, as given in the file (text; absent when empty or not in the file).</param>
/// <param name="Anomaly">When the row's own figures disagreed: the figures as given and the repair the ledger counts; absent otherwise.</param>
public sealed record Provenance(string Dataset, string UcdpId, UcdpGedColumns Ged, SourceAnomaly? Anomaly = null)
{
    /// <summary>The dataset name of UCDP GED rows.</summary>
    public const string UcdpGed = "ucdp-ged";
}

/// <summary>
/// The UCDP GED columns of an imported row that a report does not otherwise model, each as the file gave it (trimmed
/// text, the dataset's codes unchanged). Names follow the GED codebook; the column is named in each description.
/// </summary>
/// <param name="Relid">`relid`: UCDP's release identifier of the event.</param>
/// <param name="Year">`year`: the year of the event.</param>
/// <param name="ActiveYear">`active_year`: 1 if the event belongs to an active conflict-year or dyad-year, else 0.</param>
/// <param name="CodeStatus">`code_status`: UCDP's coding status of the event.</param>
/// <param name="TypeOfViolence">`type_of_violence`: 1 state-based, 2 non-state, 3 one-sided (the report keeps only battles or violence against civilians).</param>
/// <param name="ConflictDsetId">`conflict_dset_id`: the conflict's id in the UCDP dataset it was coded in.</param>
/// <param name="ConflictNewId">`conflict_new_id`: the conflict's UCDP id.</param>
/// <param name="ConflictName">`conflict_name`: the conflict's name, e.g. `Syria: Government`.</param>
/// <param name="DyadDsetId">`dyad_dset_id`: the dyad's id in the UCDP dataset it was coded in.</param>
/// <param name="DyadNewId">`dyad_new_id`: the dyad's UCDP id.</param>
/// <param name="DyadName">`dyad_name`: the dyad's name, e.g. `Government of Syria - Syrian insurgents`.</param>
/// <param name="SideADsetId">`side_a_dset_id`: side A's id in the UCDP dataset it was coded in.</param>
/// <param name="SideANewId">`side_a_new_id`: side A's UCDP actor id.</param>
/// <param name="SideBDsetId">`side_b_dset_id`: side B's id in the UCDP dataset it was coded in.</param>
/// <param name="SideBNewId">`side_b_new_id`: side B's UCDP actor id.</param>
/// <param name="Gwnoa">`gwnoa`: Gleditsch and Ward number of side A's state.</param>
/// <param name="Gwnob">`gwnob`: Gleditsch and Ward number of side B's state (empty for non-state actors).</param>
/// <param name="NumberOfSources">`number_of_sources`: how many sources UCDP coded the event from.</param>
/// <param name="SourceArticle">`source_article`: the articles UCDP cites.</param>
/// <param name="SourceDate">`source_date`: every source date, `;`-separated (the report's source keeps the first).</param>
/// <param name="SourceOriginal">`source_original`: the original sources the articles cite.</param>
/// <param name="WhereCoordinates">`where_coordinates`: the place the coordinates stand for, e.g. `Tah village`.</param>
/// <param name="WhereDescription">`where_description`: UCDP's description of the location.</param>
/// <param name="Adm1">`adm_1`: the first-order administrative unit, e.g. `Idlib Governorate`.</param>
/// <param name="Adm2">`adm_2`: the second-order administrative unit, e.g. `Maarat al-Numaan district`.</param>
/// <param name="PriogridGid">`priogrid_gid`: the PRIO-GRID cell of the location.</param>
/// <param name="Country">`country`: the country, e.g. `Syria`.</param>
/// <param name="CountryId">`country_id`: the country's Gleditsch and Ward number.</param>
/// <param name="Region">`region`: UCDP's world region, e.g. `Middle East`.</param>
/// <param name="EventClarity">`event_clarity`: 1 if the event is clearly delimited, 2 if it is a summary of several.</param>
public sealed record UcdpGedColumns(
    string? Relid = null,
    string? Year = null,
    string? ActiveYear = null,
    string? CodeStatus = null,
    string? TypeOfViolence = null,
    string? ConflictDsetId = null,
    string? ConflictNewId = null,
    string? ConflictName = null,
    string? DyadDsetId = null,
    string? DyadNewId = null,
    string? DyadName = null,
    string? SideADsetId = null,
    string? SideANewId = null,
    string? SideBDsetId = null,
    string? SideBNewId = null,
    string? Gwnoa = null,
    string? Gwnob = null,
    string? NumberOfSources = null,
    string? SourceArticle = null,
    string? SourceDate = null,
    string? SourceOriginal = null,
    string? WhereCoordinates = null,
    string? WhereDescription = null,
    string? Adm1 = null,
    string? Adm2 = null,
    string? PriogridGid = null,
    string? Country = null,
    string? CountryId = null,
    string? Region = null,
    string? EventClarity = null);

/// <summary>
/// A row whose own figures disagreed (low above best, best above high, or best not the deaths' sum): what the source
/// said, what disagreed, and the estimate the ledger counts instead by its one repair rule (docs/api.md, Source anomalies).
/// </summary>
/// <param name="Low">The row's `low` as given.</param>
/// <param name="Best">The row's `best` as given.</param>
/// <param name="High">The row's `high` as given.</param>
/// <param name="DeathsA">The row's `deaths_a` as given.</param>
/// <param name="DeathsB">The row's `deaths_b` as given.</param>
/// <param name="DeathsCivilians">The row's `deaths_civilians` as given.</param>
/// <param name="DeathsUnknown">The row's `deaths_unknown` as given.</param>
/// <param name="Reasons">What disagrees, each starting with the columns (the import's warnings for the row).</param>
/// <param name="Counted">The killed estimate the report counts: the repair of the figures as given.</param>
/// <param name="Rule">The repair rule that gave `counted`.</param>
public sealed record SourceAnomaly(
    int Low, int Best, int High, int DeathsA, int DeathsB, int DeathsCivilians, int DeathsUnknown,
    IReadOnlyList<string> Reasons, Estimate Counted, string Rule);
