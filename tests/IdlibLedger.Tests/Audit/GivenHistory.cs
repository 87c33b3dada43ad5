using System.Text.Json.Nodes;
using IdlibLedger.Tests.Fixtures;

namespace IdlibLedger.Tests.Audit;

/// <summary>A small history for the audit tests: reports, one corrected, chained by the daemon.</summary>
internal static class GivenHistory
{
    public static async Task<IReadOnlyList<Guid>> SomeHistoryAsync(this LedgerFixture ledger, int reports = 3)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < reports; i++)
        {
            ids.Add(await ledger.Host.ReportedAttackAsync(Given.Report(b => b["description"] = $"Shelling {i}")));
        }

        await ledger.Host.CorrectedAsync(ids[0], new JsonObject { ["expectedVersion"] = 1, ["reason"] = "MoD", ["description"] = "Shelling near Taftanaz, corrected" });
        await ledger.ChainCaughtUpAsync();
        return ids;
    }

    public static async Task<long> SequenceOfAsync(this LedgerFixture ledger, Guid stream, int version) =>
        (long)(await ledger.ScalarAsync($"select seq_id from {LedgerFixture.Schema}.mt_events where stream_id = '{stream}' and version = {version}"))!;
}
