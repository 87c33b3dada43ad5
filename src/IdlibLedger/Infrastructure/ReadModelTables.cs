using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Weasel.Postgresql.Tables;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// Registers a projection that writes tables of its own: Marten creates the tables with the schema, and a
/// rebuild (<c>projections --rebuild</c>) empties them before replaying the events the projection reads through it.
/// </summary>
public static class ReadModelTables
{
    /// <summary>Events a rebuild reads and applies at once.</summary>
    public const int RebuildBatchSize = 5000;

    /// <param name="store">The store's options.</param>
    /// <param name="projection">The projection; it ignores events of other types.</param>
    /// <param name="name">Its name, as <c>projections rebuild</c> and the daemon's progress name it.</param>
    /// <param name="events">
    /// The event types it reads: a rebuild fetches only those (Marten's daemon filters by type in SQL), so each
    /// projection does not read and deserialise every event of the ledger. Inline, Marten hands it each transaction's
    /// events of every type, as before.
    /// </param>
    /// <param name="tables">The tables it writes.</param>
    public static void AddTableProjection(this StoreOptions store, IProjection projection, string name, IReadOnlyList<Type> events, params Table[] tables)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.Storage.ExtendedSchemaObjects.AddRange(tables);
        store.Projections.Add(new TableProjection(projection, name, events), ProjectionLifecycle.Inline, name, options =>
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

    /// <summary>A table projection with the event types it reads, which Marten's wrapper copies into its event filter.</summary>
    public sealed class TableProjection : ProjectionBase, IProjection
    {
        public TableProjection(IProjection inner, string name, IReadOnlyList<Type> events)
        {
            ArgumentNullException.ThrowIfNull(events);
            Inner = inner;
            Name = name;
            foreach (var type in events)
            {
                IncludeType(type);
            }
        }

        /// <summary>The projection itself.</summary>
        public IProjection Inner { get; }

        public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation) =>
            Inner.ApplyAsync(operations, events, cancellation);
    }
}
