using IdlibLedger.Infrastructure;

namespace IdlibLedger.Tests.Fixtures;

/// <summary>
/// The ledger's clock under the tests' control: set it to any moment (backwards too, since each test starts on
/// an empty ledger); every reading moves it on by a millisecond so that events keep distinct timestamps.
/// </summary>
public sealed class TestClock : LedgerClock
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public void Set(DateTimeOffset now)
    {
        lock (_gate)
        {
            _now = now;
        }
    }

    public void UseSystemTime() => Set(DateTimeOffset.UtcNow);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            _now = _now.AddMilliseconds(1);
            return _now;
        }
    }
}
