using System.Diagnostics;
using System.Globalization;

namespace IdlibLedger.Benchmarks;

/// <summary>
/// Wall time and CPU time of a run: this process's, and the rest of the machine's (PostgreSQL, on the machines the
/// benchmarks run on) from /proc/stat, so that a figure can say whether the run was bound by the CPU.
/// </summary>
internal static class Cpu
{
    /// <param name="Rows">Rows the run handled.</param>
    /// <param name="Wall">Its wall time.</param>
    /// <param name="Process">CPU time of the measured process.</param>
    /// <param name="Others">CPU time of the rest of the machine (the database included).</param>
    /// <param name="Busy">How busy the machine was (0 to 1).</param>
    /// <param name="Database">CPU time of the benchmark's PostgreSQL cluster alone (its postmaster and every backend, ended ones included), when measured.</param>
    public sealed record Figures(long Rows, TimeSpan Wall, TimeSpan Process, TimeSpan Others, double Busy, TimeSpan Database = default)
    {
        /// <summary>CPU time of the process and the database per row: what the run cost, whatever else the machine ran.</summary>
        public double OwnPerRowMicroseconds => (Process + Database).TotalMicroseconds / Rows;

        public double Rate => Rows / Wall.TotalSeconds;

        /// <summary>CPU time of this process and the others per row.</summary>
        public double PerRowMicroseconds => (Process + Others).TotalMicroseconds / Rows;

        /// <summary>Two runs measured apart as one (a run timed in parts); how busy the machine was, weighted by wall time.</summary>
        public Figures Add(Figures other)
        {
            ArgumentNullException.ThrowIfNull(other);
            var wall = Wall + other.Wall;
            return new Figures(Rows + other.Rows, wall, Process + other.Process, Others + other.Others,
                (Busy * Wall.TotalSeconds + other.Busy * other.Wall.TotalSeconds) / wall.TotalSeconds, Database + other.Database);
        }
    }

    /// <summary>Measures <paramref name="run"/>; "the process" is this one, or the process <paramref name="processId"/> (a service the run talks to).</summary>
    /// <remarks>With <paramref name="postmaster"/>, the CPU time of that PostgreSQL cluster is measured apart (<see cref="Figures.Database"/>).</remarks>
    public static async Task<Figures> MeasureAsync(long rows, Func<Task> run, int? processId = null, int? postmaster = null)
    {
        var (busyBefore, totalBefore) = Machine();
        var processBefore = ProcessTime(processId);
        var databaseBefore = postmaster is { } pm ? ClusterTime(pm) : TimeSpan.Zero;
        var watch = Stopwatch.StartNew();
        await run();
        watch.Stop();
        var process = ProcessTime(processId) - processBefore;
        var database = postmaster is { } pm2 ? ClusterTime(pm2) - databaseBefore : TimeSpan.Zero;
        var (busyAfter, totalAfter) = Machine();
        var busy = TimeSpan.FromSeconds((busyAfter - busyBefore) / (double)TicksPerSecond);
        var share = totalAfter > totalBefore ? (busyAfter - busyBefore) / (double)(totalAfter - totalBefore) : double.NaN;
        return new Figures(rows, watch.Elapsed, process, busy > process ? busy - process : TimeSpan.Zero, share, database);
    }

    /// <summary>The postmaster of the cluster <paramref name="connection"/> reaches (the parent of its backend), if it runs on this machine.</summary>
    public static async Task<int?> PostmasterAsync(string connection)
    {
        await using var database = new Npgsql.NpgsqlConnection(connection);
        await database.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("select pg_backend_pid()", database);
        var backend = (int)(await command.ExecuteScalarAsync())!;
        return File.Exists($"/proc/{backend}/stat") ? int.Parse(Stat(backend)[1], CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The fields of /proc/PID/stat after the command's closing parenthesis (state first).</summary>
    private static string[] Stat(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    /// <summary>CPU time of a postmaster, of its ended children (cutime, cstime) and of its running ones.</summary>
    private static TimeSpan ClusterTime(int postmaster)
    {
        static long Ticks(string[] f, int from, int count) => f.Skip(from).Take(count).Sum(v => long.Parse(v, CultureInfo.InvariantCulture));
        var ticks = Ticks(Stat(postmaster), 11, 4);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == postmaster)
            {
                continue;
            }

            try
            {
                var fields = Stat(pid);
                if (fields[1] == postmaster.ToString(CultureInfo.InvariantCulture))
                {
                    ticks += Ticks(fields, 11, 2);
                }
            }
            catch (IOException)
            {
                // The process ended meanwhile: its time is in the postmaster's cutime.
            }
        }

        return TimeSpan.FromSeconds(ticks / (double)TicksPerSecond);
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
        var fields = Stat(id);
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
