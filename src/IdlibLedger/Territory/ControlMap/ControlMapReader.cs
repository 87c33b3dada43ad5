using IdlibLedger.Territory.ControlChanges;
using Marten;
using Npgsql;

namespace IdlibLedger.Territory.ControlMap;

/// <summary>Reads the control map at (at, asOf) from the control-change table (through <see cref="ControlMapSnapshots"/>).</summary>
public sealed class ControlMapReader(NpgsqlDataSource database, IDocumentStore store, ControlMapSnapshots snapshots)
{
    private string Schema => store.Options.DatabaseSchemaName;

    public Task<ControlMap> AtAsync(DateTimeOffset at, DateTimeOffset asOf, CancellationToken cancellation) =>
        snapshots.AtAsync(database, Schema, at, asOf, cancellation);

    /// <summary>Who held the point at (at, asOf): an index query on the change areas (GiST), no map built.</summary>
    public async Task<string?> HolderAsync(double longitude, double latitude, DateTimeOffset at, DateTimeOffset asOf, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(HolderSql(Schema));
        command.Parameters.AddWithValue("lon", longitude);
        command.Parameters.AddWithValue("lat", latitude);
        command.Parameters.AddWithValue("at", at);
        command.Parameters.AddWithValue("as_of", asOf);
        return await command.ExecuteScalarAsync(cancellation) as string;
    }

    public static string HolderSql(string schema) =>
        $"select actor from {schema}.{ControlChangeTable.Name} " +
        "where ST_Intersects(area, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326)) and occurred_from <= @at and recorded_at <= @as_of " +
        "order by occurred_from desc, seq desc, change_id desc limit 1";
}
