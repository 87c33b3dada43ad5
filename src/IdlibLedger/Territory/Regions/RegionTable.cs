using IdlibLedger.Spatial;
using JasperFx.Events;
using Marten.Events.Projections;
using Marten;
using NetTopologySuite.Geometries;
using Npgsql;
using Weasel.Postgresql.Tables;
using Weasel.Postgresql;

namespace IdlibLedger.Territory.Regions;

/// <summary>
/// The regions read models. <c>regions</c>: one row per region in force now (a correction rewrites it, a retraction
/// deletes it), with its polygon (GiST-indexed) and area in km². <c>region_versions</c>: every version of every region
/// with the transaction time it was the ledger's word, [recorded_at, superseded_at), for reads at an asOf.
/// </summary>
public sealed class RegionTable(string schema) : IProjection
{
    public const string Name = "regions";
    public const string VersionsName = "region_versions";

    public Table SchemaObject()
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("id").AsPrimaryKey();
        AddFacts(table);
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_area") { Columns = ["area"], Method = IndexMethod.gist });
        return table;
    }

    public Table VersionsSchemaObject()
    {
        var table = new Table(new PostgresqlObjectName(schema, VersionsName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("id").AsPrimaryKey();
        table.AddColumn("version", "integer").AsPrimaryKey();
        AddFacts(table);
        table.AddColumn("recorded_at", "timestamptz").NotNull();
        table.AddColumn("superseded_at", "timestamptz").AllowNulls();
        // Totals by admin unit look up, per attack, the version of the unit whose polygon holds it.
        table.Indexes.Add(new IndexDefinition($"ix_{VersionsName}_area") { Columns = ["area"], Method = IndexMethod.gist });
        return table;
    }

    private static void AddFacts(Table table)
    {
        table.AddColumn<string>("name").NotNull();
        table.AddColumn<string>("level").NotNull();
        table.AddColumn<int>("level_rank").NotNull();
        table.AddColumn<string>("pcode").AllowNulls();
        table.AddColumn("area", "geometry(MultiPolygon, 4326)").NotNull();
        table.AddColumn<double>("area_km2").NotNull();
    }

    /// <summary>
    /// The version a read at <paramref name="asOf"/> (an SQL parameter or expression) measures with, over the alias
    /// <paramref name="alias"/>: the one the ledger held then. A region is a frame to measure by, not a fact about the
    /// conflict, so before its registration a read measures with its first version (the OCHA units, loaded when the
    /// service first starts, serve reads of any earlier asOf); corrections and retractions count from their recording.
    /// </summary>
    public static string ValidAt(string alias, string asOf) =>
        $"({alias}.version = 1 or {alias}.recorded_at <= {asOf}) and ({alias}.superseded_at is null or {alias}.superseded_at > {asOf})";

    /// <summary>
    /// SQL for the area of the region <paramref name="id"/> as known at <paramref name="asOf"/> (both SQL parameters),
    /// null when it was not registered then or already retracted: the region filter of the attack reads.
    /// </summary>
    public static string AreaAt(string schema, string id, string asOf) =>
        $"(select r.area from {schema}.{VersionsName} r where r.id = {id} and {ValidAt("r", asOf)})";

    /// <summary>Governorates before districts before sub-districts, so a name resolves to the largest unit.</summary>
    public static int Rank(string level) => level switch { "governorate" => 1, "district" => 2, "sub-district" => 3, _ => 4 };

    /// <summary>The events <see cref="ApplyAsync"/> reads (a rebuild fetches only these): one case each below.</summary>
    public static readonly Type[] Events = [typeof(RegionRegistered), typeof(RegionCorrected), typeof(RegionRetracted)];

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operations);
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case RegionRegistered registered:
                    Registered(operations, e, registered);
                    break;
                case RegionCorrected corrected:
                    Corrected(operations, e, corrected);
                    break;
                case RegionRetracted retracted:
                    operations.QueueSqlCommand($"delete from {schema}.{Name} where id = ?", retracted.RegionId);
                    operations.QueueSqlCommand(
                        $"update {schema}.{VersionsName} set superseded_at = ? where id = ? and superseded_at is null", e.Timestamp, retracted.RegionId);
                    break;
            }
        }

        return Task.CompletedTask;
    }

    private void Registered(IDocumentOperations operations, IEvent e, RegionRegistered registered)
    {
        var area = GeoJson.FromJson(registered.Area);
        var pcode = (object?)registered.Pcode ?? DBNull.Value;
        operations.QueueSqlCommand(
            $"insert into {schema}.{Name} (id, name, level, level_rank, pcode, area, area_km2) values (?, ?, ?, ?, ?::text, ST_Multi(ST_GeomFromGeoJSON(?)), ?) on conflict (id) do nothing",
            registered.RegionId, registered.Name, registered.Level, Rank(registered.Level), pcode, registered.Area.GetRawText(), Metric.AreaKm2(area));
        // A registration starts the region's stream: any versions of that id are left from a stream that is gone.
        operations.QueueSqlCommand($"delete from {schema}.{VersionsName} where id = ?", registered.RegionId);
        operations.QueueSqlCommand(
            $"insert into {schema}.{VersionsName} (id, version, name, level, level_rank, pcode, area, area_km2, recorded_at) " +
            "values (?, 1, ?, ?, ?, ?::text, ST_Multi(ST_GeomFromGeoJSON(?)), ?, ?)",
            registered.RegionId, registered.Name, registered.Level, Rank(registered.Level), pcode, registered.Area.GetRawText(), Metric.AreaKm2(area), e.Timestamp);
    }

    private void Corrected(IDocumentOperations operations, IEvent e, RegionCorrected corrected)
    {
        var fact = corrected.Fact;
        var km2 = Metric.AreaKm2(GeoJson.FromJson(fact.Area));
        operations.QueueSqlCommand(
            $"update {schema}.{Name} set name = ?, level = ?, level_rank = ?, area = ST_Multi(ST_GeomFromGeoJSON(?)), area_km2 = ? where id = ?",
            fact.Name, fact.Level, Rank(fact.Level), fact.Area.GetRawText(), km2, corrected.RegionId);
        operations.QueueSqlCommand(
            $"with closed as (update {schema}.{VersionsName} set superseded_at = ? where id = ? and superseded_at is null returning version) " +
            $"insert into {schema}.{VersionsName} (id, version, name, level, level_rank, pcode, area, area_km2, recorded_at) " +
            "select ?, closed.version + 1, ?, ?, ?, ?::text, ST_Multi(ST_GeomFromGeoJSON(?)), ?, ? from closed",
            e.Timestamp, corrected.RegionId, corrected.RegionId, fact.Name, fact.Level, Rank(fact.Level), (object?)fact.Pcode ?? DBNull.Value,
            fact.Area.GetRawText(), km2, e.Timestamp);
    }
}

/// <summary>A region found by id, p-code or name.</summary>
public sealed record RegionShape(string Id, string Name, string Level, string? Pcode, Geometry Area, double AreaKm2);

/// <summary>
/// Finds a region by its id, its OCHA p-code, or its name (the largest unit of that name): as in force now, or as the
/// ledger knew it at an asOf (a region registered later, or retracted by then, is not found).
/// </summary>
public sealed class RegionLookup(NpgsqlDataSource database, IDocumentStore store)
{
    private const string Match =
        "(lower(id) = lower(@key) or lower(pcode) = lower(@key) or lower(regexp_replace(name, '[^A-Za-z0-9]+', '-', 'g')) = lower(@key)) ";

    private const string Order = "order by (lower(id) = lower(@key)) desc, level_rank limit 1";

    private string Schema => store.Options.DatabaseSchemaName;

    /// <summary>The region as in force now.</summary>
    public Task<RegionShape?> FindAsync(string? key, CancellationToken cancellation) =>
        FindAsync($"select id, name, level, pcode, ST_AsGeoJSON(area), area_km2 from {Schema}.{RegionTable.Name} where {Match}{Order}", key, null, cancellation);

    /// <summary>The region as the ledger knew it at <paramref name="asOf"/> (transaction time).</summary>
    public Task<RegionShape?> FindAsync(string? key, DateTimeOffset asOf, CancellationToken cancellation) =>
        FindAsync(
            $"select id, name, level, pcode, ST_AsGeoJSON(area), area_km2 from {Schema}.{RegionTable.VersionsName} r where {Match}and {RegionTable.ValidAt("r", "@as_of")} {Order}",
            key, asOf, cancellation);

    private async Task<RegionShape?> FindAsync(string sql, string? key, DateTimeOffset? asOf, CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            return null;
        }

        await using var command = database.CreateCommand(sql);
        command.Parameters.AddWithValue("key", key.Trim());
        if (asOf is { } instant)
        {
            command.Parameters.AddWithValue("as_of", instant.ToUniversalTime());
        }

        await using var reader = await command.ExecuteReaderAsync(cancellation);
        if (!await reader.ReadAsync(cancellation))
        {
            return null;
        }

        using var json = System.Text.Json.JsonDocument.Parse(reader.GetString(4));
        return new RegionShape(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
            GeoJson.FromJson(json.RootElement.Clone()), reader.GetDouble(5));
    }
}
