namespace IdlibLedger.Infrastructure;

/// <summary>
/// The clock the ledger stamps <c>recordedAt</c> with (Marten's event timestamps) and judges "the future" by.
/// The system clock; a type of its own so that tests can set the ledger's time without moving the time of
/// Wolverine, Kestrel or anything else that reads <see cref="TimeProvider"/>.
/// </summary>
public class LedgerClock : TimeProvider;

/// <summary>
/// Marten's clock for event timestamps: the ledger's clock cut to whole microseconds, the precision PostgreSQL keeps,
/// so that inline projections see the instant a rebuild reads back (a report's recordedAt, a control change's seq).
/// </summary>
public sealed class EventTimestamps(LedgerClock clock) : TimeProvider
{
    public override DateTimeOffset GetUtcNow()
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
