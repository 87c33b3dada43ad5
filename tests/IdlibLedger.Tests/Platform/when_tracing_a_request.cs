using System.Diagnostics;
using System.Net;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

public sealed class when_tracing_a_request(LedgerFixture ledger) : LedgerTest(ledger)
{
    [Fact]
    public async Task a_report_is_traced_through_aspnetcore_wolverine_marten_and_npgsql()
    {
        using var response = await Host.PostJsonAsync("/api/attacks", Given.TaftanazReport);
        response.StatusCode.ShouldBe(HttpStatusCode.Created);

        var trace = await SpansOfRequestAsync("POST", "/api/attacks");
        var sources = trace.Select(s => s.Source.Name).ToHashSet();

        sources.ShouldContain("Microsoft.AspNetCore");
        // Wolverine runs the endpoint inside the ASP.NET Core span and tags it with the endpoint's type.
        trace.ShouldContain(s => s.Kind == ActivityKind.Server && Equals(s.GetTagItem("handler.type"), "IdlibLedger.Attacks.Reporting.ReportAttackEndpoint"));
        sources.ShouldContain("Marten");
        sources.ShouldContain("Npgsql");
        trace.ShouldContain(s => s.Source.Name == "Npgsql" && (s.GetTagItem("db.statement") ?? s.GetTagItem("db.query.text") ?? string.Empty).ToString()!.Contains("mt_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task background_work_starts_no_trace_of_its_own()
    {
        // Wolverine's durability agents and Marten's daemon poll the database all the time; give them a few rounds.
        await Task.Delay(TimeSpan.FromSeconds(3));
        using var response = await Host.PostJsonAsync("/api/attacks", Given.TaftanazReport);
        var request = await SpansOfRequestAsync("POST", "/api/attacks");

        Activity[] spans;
        lock (Ledger.Spans)
        {
            spans = [.. Ledger.Spans];
        }

        request.Count.ShouldBeGreaterThan(1);
        var roots = spans.Where(s => s.ParentSpanId == default).ToList();
        roots.ShouldNotBeEmpty();
        roots.Where(s => s.Kind != ActivityKind.Server).Select(s => $"{s.Source.Name} {s.DisplayName}").Distinct().ShouldBeEmpty();
    }

    /// <summary>All finished spans that share the trace of the server span for this request.</summary>
    private async Task<IReadOnlyList<Activity>> SpansOfRequestAsync(string method, string path)
    {
        // The server span ends after the response is written; give the exporter a moment.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            Activity[] spans;
            lock (Ledger.Spans)
            {
                spans = [.. Ledger.Spans];
            }

            var server = spans.LastOrDefault(s => s.Kind == ActivityKind.Server
                && Equals(s.GetTagItem("http.request.method"), method)
                && Equals(s.GetTagItem("url.path"), path));
            if (server is not null)
            {
                return [.. spans.Where(s => s.TraceId == server.TraceId)];
            }

            await Task.Delay(100);
        }

        throw new ShouldAssertException($"no server span for {method} {path}");
    }
}
