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

    /// <summary>
    /// The holder among the change versions valid at asOf (GiST on the area), under the actor's first spelling recorded:
    /// that of the earliest change held at asOf naming the same actor (case-insensitive, as <see cref="Common.Parties"/>).
    /// </summary>
    public static string HolderSql(string schema) =>
        $"select (select f.actor from {schema}.{ControlChangeTable.Name} f " +
        $"where lower(trim(f.actor)) = lower(trim(h.actor)) and {ControlChangeTable.ValidAt("f", "@as_of")} order by f.seq, f.change_id limit 1) " +
        $"from (select c.actor from {schema}.{ControlChangeTable.Name} c " +
        "where ST_Intersects(c.area, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326)) and c.occurred_from <= @at " +
        $"and {ControlChangeTable.ValidAt("c", "@as_of")} " +
        "order by c.occurred_from desc, c.seq desc, c.change_id desc limit 1) h";
}
