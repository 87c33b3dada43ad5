using System.Diagnostics;

namespace IdlibLedger.Benchmarks;

/// <summary>One operation's outcome: how long it took, which of the run's kinds it was, and its HTTP status (0 without HTTP, -1 when it failed to connect).</summary>
internal readonly record struct Sample(double Milliseconds, int Kind, int Status);

/// <summary>
/// A load of one run: the operations completed in its measured window, their latencies (sorted, per kind too) and
/// their statuses.
/// </summary>
internal sealed class LoadResult(int clients, TimeSpan wall, IReadOnlyList<Sample> samples)
{
    private readonly double[] sorted = [.. samples.Select(s => s.Milliseconds).Order()];

    public int Clients { get; } = clients;

    public TimeSpan Wall { get; } = wall;

    public long Count => sorted.Length;

    public double Rate => Count / Wall.TotalSeconds;

    public IReadOnlyDictionary<int, long> Statuses { get; } = samples.GroupBy(s => s.Status).ToDictionary(g => g.Key, g => g.LongCount());

    public double Percentile(double p) => Percentile(sorted, p);

    /// <summary>The p-th latency of one kind of operation (NaN when none ran).</summary>
    public double Percentile(int kind, double p) => Percentile([.. samples.Where(s => s.Kind == kind).Select(s => s.Milliseconds).Order()], p);

    /// <summary>The statuses other than <paramref name="expected"/>, as "404×3, 429×10", or empty.</summary>
    public string Unexpected(int expected) => Counts(Statuses.Where(s => s.Key != expected));

    /// <summary>Every status and how many times it came, as "201×1,234, 500×2" ("failed": no answer).</summary>
    public string StatusCounts() => Counts(Statuses);

    private static string Counts(IEnumerable<KeyValuePair<int, long>> statuses) => string.Join(", ", statuses.OrderBy(s => s.Key)
        .Select(s => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(s.Key < 0 ? "failed" : s.Key.ToString(System.Globalization.CultureInfo.InvariantCulture))}×{s.Value:N0}")));

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>
/// The load generators of the throughput benchmark: closed loops (each client sends its next operation when the last
/// one answers, as wrk and pgbench do) and an open, paced load (operations started at a fixed rate, whatever the
/// answers' latency).
/// </summary>
internal static class ThroughputLoad
{
    /// <summary>
    /// <paramref name="clients"/> loops run <paramref name="operation"/> (given the client's number and its count of
    /// operations so far; it answers its kind and status): first a warm-up, not counted, of a quarter of
    /// <paramref name="duration"/> (at most 2 s) and at least one operation each (the first requests pay for the JIT);
    /// then, from when the last client is done warming up, for <paramref name="duration"/>.
    /// </summary>
    public static async Task<LoadResult> ClosedAsync(int clients, TimeSpan duration, Func<int, long, Task<(int Kind, int Status)>> operation)
    {
        var warmUp = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(2).Ticks, duration.Ticks / 4));
        var clock = Stopwatch.StartNew();
        var done = new long[clients];
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            do
            {
                await operation(client, done[client]++);
            }
            while (clock.Elapsed < warmUp);
        })));

        var measureFrom = clock.Elapsed;
        var measureUntil = measureFrom + duration;
        var lastEnd = measureUntil;
        var perClient = new List<Sample>[clients];
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var samples = perClient[client] = [];
            while (clock.Elapsed < measureUntil)
            {
                var started = clock.Elapsed;
                var (kind, status) = await operation(client, done[client]++);
                var ended = clock.Elapsed;
                samples.Add(new Sample((ended - started).TotalMilliseconds, kind, status));
                lock (perClient)
                {
                    lastEnd = ended > lastEnd ? ended : lastEnd;
                }
            }
        })));
        return new LoadResult(clients, lastEnd - measureFrom, [.. perClient.SelectMany(s => s)]);
    }

    /// <summary>
    /// Starts <paramref name="operation"/> at <paramref name="rate"/> per second for <paramref name="duration"/>, at most
    /// <paramref name="inFlight"/> at once (past that the schedule slips, and the achieved rate says so).
    /// </summary>
    public static async Task<LoadResult> PacedAsync(double rate, TimeSpan duration, int inFlight, Func<int, long, Task<(int Kind, int Status)>> operation)
    {
        var clock = Stopwatch.StartNew();
        var total = (long)(rate * duration.TotalSeconds);
        var next = -1L;
        var perClient = new List<Sample>[inFlight];
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(client => Task.Run(async () =>
        {
            var samples = perClient[client] = [];
            for (var n = Interlocked.Increment(ref next); n < total; n = Interlocked.Increment(ref next))
            {
                var due = TimeSpan.FromSeconds(n / rate);
                if (due - clock.Elapsed is { TotalMilliseconds: > 1 } wait)
                {
                    await Task.Delay(wait);
                }

                var started = clock.Elapsed;
                var (kind, status) = await operation(client, n);
                samples.Add(new Sample((clock.Elapsed - started).TotalMilliseconds, kind, status));
            }
        })));
        return new LoadResult(inFlight, clock.Elapsed, [.. perClient.SelectMany(s => s)]);
    }
}
