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
    /// <summary>Events a rebuild reads and applies at once.</summary>
    public const int RebuildBatchSize = 5000;

    public static void AddTableProjection(this StoreOptions store, IProjection projection, string name, params Table[] tables)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.Storage.ExtendedSchemaObjects.AddRange(tables);
        store.Projections.Add(projection, ProjectionLifecycle.Inline, name, options =>
        {
            // A rebuild pages the events by this many (Marten's default is 500): the projections write each page with
            // a few statements (unnest, COPY), so fewer, larger pages cost less.
            options.BatchSize = RebuildBatchSize;
            foreach (var table in tables)
            {
                options.DeleteDataInTableOnTeardown(table.Identifier.QualifiedName);
            }
        });
    }
}
