using IdlibLedger.Spatial;
using JasperFx.Events;
using Marten.Events.Projections;
using Marten;
using NetTopologySuite.Geometries;
using Npgsql;
using Weasel.Postgresql.Tables;
using Weasel.Postgresql;

namespace IdlibLedger.Territory.Regions;

/// <summary>The regions read model: one row per region with its polygon (GiST-indexed) and area in km².</summary>
public sealed class RegionTable(string schema) : IProjection
{
    public const string Name = "regions";

    public Table SchemaObject()
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("id").AsPrimaryKey();
        table.AddColumn<string>("name").NotNull();
        table.AddColumn<string>("level").NotNull();
        table.AddColumn<int>("level_rank").NotNull();
        table.AddColumn<string>("pcode").AllowNulls();
        table.AddColumn("area", "geometry(MultiPolygon, 4326)").NotNull();
        table.AddColumn<double>("area_km2").NotNull();
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_area") { Columns = ["area"], Method = IndexMethod.gist });
        return table;
    }

    /// <summary>Governorates before districts before sub-districts, so a name resolves to the largest unit.</summary>
    public static int Rank(string level) => level switch { "governorate" => 1, "district" => 2, "sub-district" => 3, _ => 4 };

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operations);
        foreach (var registered in events.Select(e => e.Data).OfType<RegionRegistered>())
        {
            var area = GeoJson.FromJson(registered.Area);
            operations.QueueSqlCommand(
                $"insert into {schema}.{Name} (id, name, level, level_rank, pcode, area, area_km2) values (?, ?, ?, ?, ?::text, ST_Multi(ST_GeomFromGeoJSON(?)), ?) on conflict (id) do nothing",
                registered.RegionId, registered.Name, registered.Level, Rank(registered.Level), (object?)registered.Pcode ?? DBNull.Value,
                registered.Area.GetRawText(), Metric.AreaKm2(area));
        }

        return Task.CompletedTask;
    }
}

/// <summary>A region found by id, p-code or name.</summary>
public sealed record RegionShape(string Id, string Name, string Level, string? Pcode, Geometry Area, double AreaKm2);

/// <summary>Finds a region by its id, its OCHA p-code, or its name (the largest unit of that name).</summary>
public sealed class RegionLookup(NpgsqlDataSource database, IDocumentStore store)
{
    public async Task<RegionShape?> FindAsync(string? key, CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            return null;
        }

        await using var command = database.CreateCommand(
            $"select id, name, level, pcode, ST_AsGeoJSON(area), area_km2 from {store.Options.DatabaseSchemaName}.{RegionTable.Name} " +
            "where lower(id) = lower(@key) or lower(pcode) = lower(@key) or lower(regexp_replace(name, '[^A-Za-z0-9]+', '-', 'g')) = lower(@key) " +
            "order by (lower(id) = lower(@key)) desc, level_rank limit 1");
        command.Parameters.AddWithValue("key", key.Trim());
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
