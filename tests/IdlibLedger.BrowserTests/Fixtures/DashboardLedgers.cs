using IdlibLedger.Tests.Fixtures;

namespace IdlibLedger.BrowserTests.Fixtures;

/// <summary>
/// The service the page is tested against, as a newcomer's run.sh starts it: the seed scenario, the OCHA regions
/// (LEDGER_SHARED_DATA, required) and the dashboard; reads open to anyone. A key holding every role posts what a test
/// needs to see arrive (<see cref="ServiceProcess.PostJsonAsync"/>).
/// </summary>
public sealed class PublicLedger() : ServiceProcess(new ServiceSettings
{
    Schema = "ledger_browser",
    DemoData = true,
    PublicReads = true,
    ReferenceRegions = true,
    Dashboard = true,
    KeyClient = "browser-desk",
});

/// <summary>The same ledger with reads that need credentials: the page must ask for a key. Its own schema, so both can run at once.</summary>
public sealed class PrivateLedger() : ServiceProcess(new ServiceSettings
{
    Schema = "ledger_browser_private",
    DemoData = true,
    PublicReads = false,
    ReferenceRegions = true,
    Dashboard = true,
    KeyClient = "browser-desk",
});

/// <summary>Test classes against <see cref="PublicLedger"/> share one service (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class PublicLedgerGroup : ICollectionFixture<PublicLedger>
{
    public const string Name = "public ledger in a browser";
}

/// <summary>Test classes against <see cref="PrivateLedger"/> share one service.</summary>
[CollectionDefinition(Name)]
public sealed class PrivateLedgerGroup : ICollectionFixture<PrivateLedger>
{
    public const string Name = "private ledger in a browser";
}
