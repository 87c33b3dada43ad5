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

        /// <summary>Two runs measured apart as one (a run timed in parts); how busy the machine was, weighted by wall time.</summary>
        public Figures Add(Figures other)
        {
            ArgumentNullException.ThrowIfNull(other);
            var wall = Wall + other.Wall;
            return new Figures(Rows + other.Rows, wall, Process + other.Process, Others + other.Others,
                (Busy * Wall.TotalSeconds + other.Busy * other.Wall.TotalSeconds) / wall.TotalSeconds);
        }
    }

    /// <summary>Measures <paramref name="run"/>; "the process" is this one, or the process <paramref name="processId"/> (a service the run talks to).</summary>
    public static async Task<Figures> MeasureAsync(long rows, Func<Task> run, int? processId = null)
    {
        var (busyBefore, totalBefore) = Machine();
        var processBefore = ProcessTime(processId);
        var watch = Stopwatch.StartNew();
        await run();
        watch.Stop();
        var process = ProcessTime(processId) - processBefore;
        var (busyAfter, totalAfter) = Machine();
        var busy = TimeSpan.FromSeconds((busyAfter - busyBefore) / (double)TicksPerSecond);
        var share = totalAfter > totalBefore ? (busyAfter - busyBefore) / (double)(totalAfter - totalBefore) : double.NaN;
        return new Figures(rows, watch.Elapsed, process, busy > process ? busy - process : TimeSpan.Zero, share);
    }

    /// <summary>The CPU time of this process, or of another one (utime + stime of /proc/PID/stat).</summary>
    private static TimeSpan ProcessTime(int? processId)
    {
        if (processId is not { } id)
        {
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            return self.TotalProcessorTime;
        }

        // pid (comm) state ppid … : the fields after the command's closing parenthesis, utime and stime 12th and 13th.
        var stat = File.ReadAllText($"/proc/{id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / (double)TicksPerSecond);
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
