using System.Net;
using System.Text;
using IdlibLedger.Access;
using IdlibLedger.Tests.Ceasefires;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Security;

/// <summary>Idempotency-Key on every POST, with Stripe's rules.</summary>
public sealed class idempotency_keys(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task the_same_key_with_a_different_body_is_422_naming_the_key_and_appends_nothing()
    {
        using var desk = Host.Client("desk-ankara", Roles.Reporter);
        using var first = await PostAsync(desk, "/api/attacks", Given.TaftanazReport, "report-1");
        using var other = await PostAsync(desk, "/api/attacks", Given.Report(b => b["description"] = "another attack").ToJsonString(), "report-1");

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        other.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        other.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await other.JsonAsync();
        problem["errors"]!.AsObject().Select(e => e.Key).ShouldBe(["Idempotency-Key"]);
        problem["traceId"].ShouldNotBeNull();
        (await Ledger.EventCountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task the_same_key_on_another_endpoint_is_a_different_request()
    {
        using var desk = Host.Client("desk-ankara");
        using var first = await PostAsync(desk, "/api/attacks", Given.TaftanazReport, "k-endpoint");
        using var elsewhere = await PostAsync(desk, "/api/attacks/batch", $"[{Given.TaftanazReport}]", "k-endpoint");

        elsewhere.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Ledger.EventCountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task a_key_belongs_to_its_client_so_another_clients_same_key_is_a_new_request()
    {
        using var ankara = Host.Client("desk-ankara", Roles.Reporter);
        using var amman = Host.Client("desk-amman", Roles.Reporter);
        using var first = await PostAsync(ankara, "/api/attacks", Given.TaftanazReport, "shared-key");
        using var second = await PostAsync(amman, "/api/attacks", Given.Report(b => b["description"] = "Amman's own report").ToJsonString(), "shared-key");

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        second.StatusCode.ShouldBe(HttpStatusCode.Created);
        second.Headers.Location.ShouldNotBe(first.Headers.Location);
        second.Headers.Contains("Idempotent-Replayed").ShouldBeFalse();
        (await Ledger.EventCountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task a_violation_sent_three_times_with_one_key_is_one_violation()
    {
        Ledger.Clock.Set(GivenCeasefires.On(3, 5));
        var ceasefire = await Host.DeclaredCeasefireAsync();
        Ledger.Clock.Set(GivenCeasefires.On(3, 15));
        var body = GivenCeasefires.Violation(GivenCeasefires.Regime, "2020-03-12T04:00:00Z").ToJsonString();
        using var analyst = Host.Client("analyst-amman", Roles.Analyst);
        var before = await Ledger.EventCountAsync();

        var answers = new List<(HttpStatusCode Status, string Body)>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await PostAsync(analyst, $"/api/ceasefires/{ceasefire}/violations", body, "violation-taftanaz-0308");
            answers.Add((response.StatusCode, await response.Content.ReadAsStringAsync()));
        }

        answers.Select(a => (int)a.Status).ShouldAllBe(s => s >= 200 && s < 300, string.Join("\n", answers));
        answers.Select(a => a.Body).Distinct().Count().ShouldBe(1);
        (await Ledger.EventCountAsync()).ShouldBe(before + 1);
    }

    [Fact]
    public async Task a_hundred_simultaneous_pairs_with_one_key_each_append_one_event_per_key()
    {
        using var desk = Host.Client("desk-race", Roles.Reporter);
        var pairs = Enumerable.Range(0, 100).Select(i => (Key: $"race-{i}-{Guid.NewGuid():N}", Body: Given.Report(b => b["description"] = $"race {i}").ToJsonString())).ToList();

        var sends = pairs.SelectMany(p => new[] { p, p }).Select(async p =>
        {
            using var response = await PostAsync(desk, "/api/attacks", p.Body, p.Key);
            return (p.Key, Status: (int)response.StatusCode, Location: response.Headers.Location?.ToString(), Body: await response.Content.ReadAsStringAsync());
        });
        var answers = await Task.WhenAll(sends);

        // Counted by type: a losing transaction leaves Marten's tombstone events behind (they fill the sequence, not the ledger).
        (await Ledger.ScalarAsync($"select count(*) from {LedgerFixture.Schema}.mt_events where type = 'attack_reported'")).ShouldBe(100L);
        foreach (var pair in answers.GroupBy(a => a.Key))
        {
            // Both sends of a pair are answered as one request: 201 with the same attack (or a 409 "still in progress"
            // if the first had not answered within the wait), never two attacks.
            var created = pair.Where(a => a.Status == 201).Select(a => a.Location).Distinct().ToList();
            created.Count.ShouldBe(1, string.Join("\n", pair.Select(a => $"{a.Status} {a.Body}")));
            pair.ShouldAllBe(a => a.Status == 201 || a.Status == 409);
        }
    }

    [Fact]
    public async Task a_key_that_is_not_printable_ascii_or_too_long_is_400_naming_the_header()
    {
        using var desk = Host.Client();
        using var tooLong = await PostAsync(desk, "/api/attacks", Given.TaftanazReport, new string('k', 256));

        tooLong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await tooLong.JsonAsync())["errors"]!.AsObject().Select(e => e.Key).ShouldBe(["Idempotency-Key"]);
        (await Ledger.EventCountAsync()).ShouldBe(0);
    }
}
