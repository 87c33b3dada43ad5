using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Weasel.Postgresql.Tables;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// Registers a projection that writes tables of its own: Marten creates the tables with the schema, and a
/// rebuild (<c>projections --rebuild</c>) empties them before replaying every event through the projection.
/// </summary>
public static class ReadModelTables
{
    public static void AddTableProjection(this StoreOptions store, IProjection projection, string name, params Table[] tables)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.Storage.ExtendedSchemaObjects.AddRange(tables);
        store.Projections.Add(projection, ProjectionLifecycle.Inline, name, options =>
        {
            foreach (var table in tables)
            {
                options.DeleteDataInTableOnTeardown(table.Identifier.QualifiedName);
            }
        });
    }
}
