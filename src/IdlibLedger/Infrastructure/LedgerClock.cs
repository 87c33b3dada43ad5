namespace IdlibLedger.Infrastructure;

/// <summary>
/// The clock the ledger stamps <c>recordedAt</c> with (Marten's event timestamps) and judges "the future" by.
/// The system clock; a type of its own so that tests can set the ledger's time without moving the time of
/// Wolverine, Kestrel or anything else that reads <see cref="TimeProvider"/>.
/// </summary>
public class LedgerClock : TimeProvider;
