using IdlibLedger.Access;
using IdlibLedger.Tests.Fixtures;

namespace IdlibLedger.ClientTests.Fixtures;

/// <summary>
/// The service for the generated clients: an empty ledger of its own (no demo data, no reference regions: the
/// scenarios name none, and loading them takes seconds), and a key holding reporter and analyst for the node client.
/// </summary>
public sealed class RunningLedger() : ServiceProcess(new ServiceSettings
{
    Schema = "ledger_clients",
    KeyClient = "client-desk",
    KeyRoles = [Roles.Reporter, Roles.Analyst],
});

[CollectionDefinition(Name)]
public sealed class RunningLedgerGroup : ICollectionFixture<RunningLedger>
{
    public const string Name = "running ledger";
}
