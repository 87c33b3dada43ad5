using System.Diagnostics;
using System.Globalization;
using System.Net;
using Shouldly;
using Xunit.Abstractions;

namespace IdlibLedger.FaultTests;

[Collection(FaultGroup.Name)]
public sealed class stopping_the_database_under_load(Faults faults, ITestOutputHelper output)
{
    [Fact]
    public async Task a_crashed_database_loses_nothing_acknowledged_clients_get_503_and_the_service_recovers_on_its_own()
    {
        var writers = new Writers(faults.Service.BaseAddress, faults.ApiKey, 4, "fault-database");
        writers.Start();
        await Task.Delay(1500);

        await faults.CrashDatabaseAsync();
        var acknowledgedAtCrash = writers.Acknowledged.Count;
        await Task.Delay(2000);
        using var probe = new HttpClient { BaseAddress = faults.Service.BaseAddress };
        probe.DefaultRequestHeaders.Add("X-Api-Key", faults.ApiKey);
        using var live = await probe.GetAsync("/health/live");
        using var ready = await probe.GetAsync("/health/ready");
        using var read = await probe.GetAsync("/api/casualties/totals");
        var readBody = await read.Content.ReadAsStringAsync();
        await Task.Delay(2000);

        await faults.DatabaseAsync("ledger_faults");
        var restarted = Stopwatch.StartNew();
        while (writers.Acknowledged.Count <= acknowledgedAtCrash + 4 && restarted.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }

        var recovery = restarted.Elapsed;
        await writers.StopAsync(patience: TimeSpan.FromSeconds(60));

        var recorded = await faults.StreamCountsAsync("attack_reported", "fault-database");
        var lost = writers.Acknowledged.Count(id => !recorded.ContainsKey(id));
        var duplicated = recorded.Count(r => r.Value > 1);
        Figures.Print(output, string.Create(CultureInfo.InvariantCulture,
            $"[faults] PostgreSQL stopped -m immediate for ~4 s under 4 writers: requests {writers.Requests}, acknowledged {writers.Acknowledged.Count}, lost {lost}, duplicated {duplicated}, writes again {recovery.TotalSeconds:F1} s after the restart; statuses: {writers.Describe()}; while down: /health/live {(int)live.StatusCode}, /health/ready {(int)ready.StatusCode}, a read {(int)read.StatusCode} (Retry-After {read.Headers.RetryAfter})"));

        lost.ShouldBe(0);
        duplicated.ShouldBe(0);
        writers.NeverAcknowledged.ShouldBeEmpty();
        recovery.ShouldBeLessThan(TimeSpan.FromSeconds(60));
        live.StatusCode.ShouldBe(HttpStatusCode.OK);
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        read.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, readBody);
        read.Headers.RetryAfter.ShouldNotBeNull();
        read.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        // What writers met while the database was down: answers of 503, or none while a connection was cut; never a 500.
        writers.Statuses.Keys.Where(s => s.StartsWith('5') && s != "503").ShouldBeEmpty(writers.Describe());
    }
}
