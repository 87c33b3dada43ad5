using System.Diagnostics;
using System.Globalization;

namespace IdlibLedger.Benchmarks;

/// <summary>
/// Wall time and CPU time of a run: this process's, and the rest of the machine's (PostgreSQL, on the machines the
/// benchmarks run on) from /proc/stat, so that a figure can say whether the run was bound by the CPU.
/// </summary>
internal static class Cpu
{
    public sealed record Figures(long Rows, TimeSpan Wall, TimeSpan Process, TimeSpan Others, double Busy)
    {
        public double Rate => Rows / Wall.TotalSeconds;

        /// <summary>CPU time of this process and the others per row.</summary>
        public double PerRowMicroseconds => (Process + Others).TotalMicroseconds / Rows;
    }

    public static async Task<Figures> MeasureAsync(long rows, Func<Task> run)
    {
        var self = System.Diagnostics.Process.GetCurrentProcess();
        var (busyBefore, totalBefore) = Machine();
        var processBefore = self.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await run();
        watch.Stop();
        self.Refresh();
        var process = self.TotalProcessorTime - processBefore;
        var (busyAfter, totalAfter) = Machine();
        var busy = TimeSpan.FromSeconds((busyAfter - busyBefore) / (double)TicksPerSecond);
        var share = totalAfter > totalBefore ? (busyAfter - busyBefore) / (double)(totalAfter - totalBefore) : double.NaN;
        return new Figures(rows, watch.Elapsed, process, busy > process ? busy - process : TimeSpan.Zero, share);
    }

    /// <summary>USER_HZ of /proc/stat: 100 on Linux.</summary>
    private const long TicksPerSecond = 100;

    /// <summary>The machine's busy and total CPU ticks since boot (zero where there is no /proc/stat).</summary>
    private static (long Busy, long Total) Machine()
    {
        if (!File.Exists("/proc/stat"))
        {
            return (0, 0);
        }

        // cpu  user nice system idle iowait irq softirq steal guest guest_nice
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var idle = fields[3] + fields[4];
        var total = fields.Take(8).Sum();
        return (total - idle, total);
    }
}
