using System.Net;
using System.Text;
using IdlibLedger.Infrastructure;
using IdlibLedger.Tests.Fixtures;
using Microsoft.AspNetCore.Http;
using Npgsql;
using Shouldly;

namespace IdlibLedger.Tests.Security;

/// <summary>Overload: past the instance's concurrency and its queue, fast 503s with Retry-After, never a 500.</summary>
public sealed class shedding_load(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static readonly HttpStatusCode[] Expected =
        [HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.TooManyRequests, HttpStatusCode.ServiceUnavailable];

    [Fact]
    public async Task a_flood_past_the_limit_gets_only_answers_and_503s_with_retry_after_and_the_service_answers_normally_after_it()
    {
        await using var host = await Ledger.StartHostAsync("ledger_shedding", new Dictionary<string, string>
        {
            ["Ledger:SharedDataPath"] = "/nonexistent",
            ["Ledger:RateLimits:Concurrency:PermitLimit"] = "2",
            ["Ledger:RateLimits:Concurrency:QueueLimit"] = "2",
            ["Ledger:RateLimits:Concurrency:RetryAfterSeconds"] = "2",
        });
        await host.ReportedAttackAsync();
        using var client = host.Client();

        Task<HttpResponseMessage> Send(int i) => i % 4 == 0
            ? client.PostAsync("/api/attacks", new StringContent(Given.TaftanazReport, Encoding.UTF8, "application/json"))
            : client.GetAsync($"/api/attacks?pageSize=50&page={(i % 3) + 1}");

        var flood = Enumerable.Range(0, 120).Select(i => Task.Run(() => Send(i))).ToArray();
        // Probes are not counted: readiness answers while the flood is queued.
        using var probe = await host.AnonymousClient().GetAsync("/health/live");
        var answers = await Task.WhenAll(flood);

        probe.StatusCode.ShouldBe(HttpStatusCode.OK);
        var statuses = answers.Select(a => a.StatusCode).ToArray();
        statuses.ShouldAllBe(s => Expected.Contains(s), string.Join(", ", statuses.Distinct()));
        var shed = answers.Where(a => a.StatusCode == HttpStatusCode.ServiceUnavailable).ToArray();
        shed.ShouldNotBeEmpty();
        foreach (var answer in shed)
        {
            answer.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(2));
            answer.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            (await answer.JsonAsync())["status"]!.GetValue<int>().ShouldBe(503);
        }

        statuses.ShouldContain(HttpStatusCode.OK);
        foreach (var answer in answers)
        {
            answer.Dispose();
        }

        using var after = await client.GetAsync("/api/attacks");
        after.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task an_exhausted_connection_pool_is_a_503_with_retry_after_not_a_500()
    {
        var tiny = new NpgsqlConnectionStringBuilder(Ledger.ConnectionString) { MaxPoolSize = 1, Timeout = 1 };
        await using var database = NpgsqlDataSource.Create(tiny.ConnectionString);
        await using var held = await database.OpenConnectionAsync();
        var exhausted = await Should.ThrowAsync<NpgsqlException>(async () => await database.OpenConnectionAsync());

        var problem = LedgerExceptionHandler.ToProblem(new InvalidOperationException("a Marten query failed", exhausted));

        problem.ShouldNotBeNull(exhausted.ToString());
        problem.Status.ShouldBe(StatusCodes.Status503ServiceUnavailable);
    }
}
