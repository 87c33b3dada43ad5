using System.Globalization;
using Shouldly;
using Xunit.Abstractions;

namespace IdlibLedger.FaultTests;

[Collection(FaultGroup.Name)]
public sealed class killing_the_service_under_writers(Faults faults, ITestOutputHelper output)
{
    private const int Kills = 20;
    private const int WriterCount = 8;

    [Fact]
    public async Task twenty_sigkills_under_eight_writers_lose_and_duplicate_nothing_and_the_read_models_equal_a_rebuild()
    {
        var writers = new Writers(faults.Service.BaseAddress, faults.ApiKey, WriterCount, "fault-kills");
        var random = new Random(20200227);
        writers.Start();
        for (var kill = 0; kill < Kills; kill++)
        {
            // Under load (writes are being acknowledged again since the restart), then at a random moment:
            // mid-request, mid-commit, between commit and answer.
            var before = writers.Acknowledged.Count;
            for (var waited = 0; writers.Acknowledged.Count == before && waited < 30_000; waited += 20)
            {
                await Task.Delay(20);
            }

            await Task.Delay(random.Next(50, 1000));
            await faults.Service.KillAsync();
            await faults.Service.StartAsync();
        }

        await Task.Delay(1000);
        await writers.StopAsync(patience: TimeSpan.FromSeconds(120));

        var recorded = await faults.StreamCountsAsync("attack_reported", "fault-kills");
        var acknowledged = writers.Acknowledged.ToHashSet();
        var lost = acknowledged.Count(id => !recorded.ContainsKey(id));
        var duplicated = recorded.Count(r => r.Value > 1);
        var unacknowledgedButRecorded = recorded.Keys.Count(id => !acknowledged.Contains(id) && !writers.NeverAcknowledged.Contains(id));
        Figures.Print(output, string.Create(CultureInfo.InvariantCulture,
            $"[faults] SIGKILL: kills {Kills}, writers {WriterCount}, requests {writers.Requests}, acknowledged {acknowledged.Count}, lost {lost}, duplicated {duplicated}, never acknowledged {writers.NeverAcknowledged.Count}; statuses: {writers.Describe()}"));

        acknowledged.Count.ShouldBeGreaterThan(Kills);
        lost.ShouldBe(0);
        duplicated.ShouldBe(0);
        writers.NeverAcknowledged.ShouldBeEmpty();
        unacknowledgedButRecorded.ShouldBe(0);
        writers.Statuses.Keys.Where(s => s.StartsWith('5')).ShouldBeEmpty(writers.Describe());

        await ReadModelsEqualARebuildAsync();
        await EveryReadModelVerifiesAsync(faults);
    }

    /// <summary>Every projection, rebuilt into a scratch schema by the service's own check and compared row by row.</summary>
    internal static async Task EveryReadModelVerifiesAsync(Faults faults)
    {
        using var client = new HttpClient { BaseAddress = faults.Service.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Add("X-Api-Key", faults.ApiKey);
        var report = await client.GetStringAsync("/api/audit/read-models");
        report.ShouldContain("\"ok\":true", Case.Sensitive, report[..Math.Min(report.Length, 2000)]);
    }

    /// <summary>
    /// The read models the service answers from, against the same read models rebuilt from the events by the
    /// service's own <c>projections rebuild</c> command (the service stopped meanwhile, as an operator would).
    /// </summary>
    private async Task ReadModelsEqualARebuildAsync()
    {
        var reads = new[] { "/api/casualties/totals?groupBy=perpetrator&at=2020-03-01", "/api/casualties/totals?groupBy=month&at=2020-03-01", "/api/attacks?pageSize=1&at=2020-03-01" };
        var before = await ReadAsync(reads);
        await faults.Service.KillAsync();
        await faults.Service.RunAsync("projections", "rebuild");
        await faults.Service.StartAsync();
        var after = await ReadAsync(reads);

        after.ShouldBe(before);
    }

    private async Task<List<string>> ReadAsync(IEnumerable<string> urls)
    {
        using var client = new HttpClient { BaseAddress = faults.Service.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", faults.ApiKey);
        var answers = new List<string>();
        foreach (var url in urls)
        {
            // asOf is left out on purpose: both reads see every event; "asOf"/"at" echoes are cut below.
            var text = await client.GetStringAsync(url);
            answers.Add(System.Text.RegularExpressions.Regex.Replace(text, "\"asOf\":\"[^\"]*\"", "\"asOf\":\"…\""));
        }

        return answers;
    }
}
