using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IdlibLedger.Benchmarks;

/// <summary>
/// The service as a process of its own, for the benchmarks that measure it from outside: started (its output drained,
/// the tail kept for a failed start), run to its end for a command, asked whether it is ready, and its resident memory
/// read from /proc.
/// </summary>
internal static class ServiceProcess
{
    internal static Process Start(string serviceDll, string arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", $"\"{serviceDll}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(serviceDll)!,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the service did not start");
        // Drained, so that a full pipe never blocks the service; the tail is shown if it fails to start.
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static readonly Queue<string> Tail = new();

    private static void Keep(string? line)
    {
        lock (Tail)
        {
            if (line is not null)
            {
                Tail.Enqueue(line);
            }

            while (Tail.Count > 40)
            {
                Tail.Dequeue();
            }
        }
    }

    internal static async Task<string> RunToEndAsync(string serviceDll, string arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", $"\"{serviceDll}\" {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not run {arguments}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await output : throw new InvalidOperationException($"{arguments} exited with {process.ExitCode}: {await errors}");
    }

    internal static async Task ReadyAsync(HttpClient client, Process service)
    {
        var deadline = DateTimeOffset.UtcNow.AddMinutes(2);
        while (DateTimeOffset.UtcNow < deadline && !service.HasExited)
        {
            try
            {
                using var ready = await client.GetAsync("/health/ready");
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        lock (Tail)
        {
            throw new InvalidOperationException($"the service did not become ready:\n{string.Join('\n', Tail)}");
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The process's resident memory now and its peak since start or the last reset, in bytes (/proc/PID/status).</summary>
    internal static (long Rss, long Peak) Memory(int pid)
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            static long Kb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kb(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kb(line);
            }
        }

        return (rss, peak);
    }

    /// <summary>
    /// Runs <paramref name="work"/> while sampling the process's RSS every <paramref name="every"/>, and answers the
    /// higher of the largest sample and the kernel's peak (VmHWM) afterwards, in bytes.
    /// </summary>
    internal static async Task<long> PeakRssDuringAsync(int pid, TimeSpan every, Func<Task> work)
    {
        using var sampling = new CancellationTokenSource();
        var sampled = 0L;
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                sampled = Math.Max(sampled, Memory(pid).Rss);
                await Task.Delay(every, CancellationToken.None);
            }
        }, CancellationToken.None);

        await work();
        await sampling.CancelAsync();
        await sampler;
        return Math.Max(sampled, Memory(pid).Peak);
    }

    /// <summary>Resets the kernel's peak RSS (VmHWM) to the current RSS (Linux: "5" to /proc/PID/clear_refs).</summary>
    internal static void ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.WriteLine($"(could not reset VmHWM: {e.Message}; the peak is the sampled VmRSS and the peak since start)");
        }
    }
}
