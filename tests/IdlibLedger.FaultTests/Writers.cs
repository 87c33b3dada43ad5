using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Xunit.Abstractions;

namespace IdlibLedger.FaultTests;

/// <summary>
/// Integrating systems as they should behave: each reports attacks one after another, with an <c>id</c> and an
/// <c>Idempotency-Key</c>, and retries a command until it is acknowledged (201, or 200 for a retry recognised).
/// Every status seen is counted, so a test can say what clients met while things failed. Reports name
/// <c>desk</c> as <c>reportedBy</c>, so each test finds its own.
/// </summary>
public sealed class Writers(Uri baseAddress, string apiKey, int count, string desk)
{
    private readonly CancellationTokenSource _stop = new();
    private Task[] _running = [];

    public ConcurrentBag<Guid> Acknowledged { get; } = [];

    public ConcurrentBag<Guid> NeverAcknowledged { get; } = [];

    public ConcurrentDictionary<string, int> Statuses { get; } = new();

    public int Requests => Statuses.Values.Sum();

    public void Start() => _running = [.. Enumerable.Range(0, count).Select(_ => Task.Run(WriteAsync))];

    /// <summary>Stops starting new commands, and waits for the ones begun to be acknowledged (or given up after <paramref name="patience"/>).</summary>
    public async Task StopAsync(TimeSpan patience)
    {
        _giveUpAt = DateTime.UtcNow + patience;
        await _stop.CancelAsync();
        await Task.WhenAll(_running);
    }

    private DateTime _giveUpAt = DateTime.MaxValue;

    private async Task WriteAsync()
    {
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(15) };
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        while (!_stop.IsCancellationRequested)
        {
            var id = Guid.NewGuid();
            if (await UntilAcknowledgedAsync(client, id))
            {
                Acknowledged.Add(id);
            }
            else
            {
                NeverAcknowledged.Add(id);
            }
        }
    }

    private async Task<bool> UntilAcknowledgedAsync(HttpClient client, Guid id)
    {
        var body = Report(id, desk);
        while (DateTime.UtcNow < _giveUpAt)
        {
            string status;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/attacks") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Add("Idempotency-Key", $"fault-{id:N}");
                using var response = await client.SendAsync(request);
                status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                Statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                Statuses.AddOrUpdate("no answer", 1, (_, n) => n + 1);
            }

            await Task.Delay(100);
        }

        return false;
    }

    /// <summary>A valid ReportAttack naming its own stream, so that a retry (with or without the key) cannot append twice.</summary>
    public static string Report(Guid id, string desk) => $$$"""
        {"id": "{{{id}}}", "perpetrator": "Syrian Arab Army", "targets": ["civilians"],
         "eventType": "explosions-remote-violence", "subEventType": "shelling-artillery-missile-attack",
         "location": {"type": "Point", "coordinates": [36.63, 35.93]}, "locationPrecision": "within-25km",
         "occurredAt": "2020-02-20", "datePrecision": "day", "description": "fault test {{{id}}}",
         "sources": [{"outlet": "fault test", "publishedAt": "2020-02-21"}],
         "casualties": [{"category": "civilian", "killed": {"low": 1, "best": 2, "high": 3}}],
         "reportedBy": "{{{desk}}}"}
        """;

    public string Describe() => string.Join(", ", Statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}: {s.Value}"));
}

/// <summary>Figures a test prints: to its own output and, when LEDGER_TEST_FIGURES names a file, there too (test.sh prints it).</summary>
public static class Figures
{
    public static void Print(ITestOutputHelper output, string line)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("LEDGER_TEST_FIGURES") is { Length: > 0 } file)
        {
            lock (typeof(Figures))
            {
                File.AppendAllText(file, line + Environment.NewLine);
            }
        }
    }
}
