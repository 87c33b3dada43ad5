using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IdlibLedger.Tests.Fixtures;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

/// <summary>deploy/grafana/idlib-ledger.json queries only metrics the running service emits, under the names Prometheus gives them.</summary>
public sealed partial class the_grafana_dashboard(LedgerFixture ledger) : LedgerTest(ledger)
{
    private static readonly string Dashboard = FindInRepository(Path.Combine("deploy", "grafana", "idlib-ledger.json"));

    private static string FindInRepository(string relative)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, relative)))
            {
                return Path.Combine(folder.FullName, relative);
            }
        }

        throw new FileNotFoundException(relative);
    }

    /// <summary>A metric in PromQL: a name followed by its label selector (the dashboard writes one on every metric).</summary>
    [GeneratedRegex(@"([a-zA-Z_:][a-zA-Z0-9_:]*)\{")]
    private static partial Regex MetricSelector();

    [GeneratedRegex("[^a-zA-Z0-9_:]")]
    private static partial Regex NotInPrometheusNames();

    /// <summary>
    /// The names the OpenTelemetry collector's Prometheus exporter gives an instrument (its default, with metric
    /// suffixes): dots to underscores; the unit appended (s → seconds, By → bytes; annotations in braces dropped; 1 →
    /// ratio on gauges); _total on monotonic counters; _bucket, _sum and _count on histograms.
    /// </summary>
    public static IEnumerable<string> PrometheusNames(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        var kind = instrument.GetType().Name.Split('`')[0];
        var monotonic = kind is "Counter" or "ObservableCounter";
        var histogram = kind is "Histogram";
        var gauge = kind is "ObservableGauge" or "Gauge";
        var name = NotInPrometheusNames().Replace(instrument.Name, "_");
        var unit = Regex.Replace(instrument.Unit ?? string.Empty, @"\{[^}]*\}", string.Empty) switch
        {
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            "1" when gauge => "ratio",
            "1" or "" => null,
            var other => NotInPrometheusNames().Replace(other.Replace("/", "_per_", StringComparison.Ordinal), "_"),
        };
        if (unit is not null && !name.EndsWith("_" + unit, StringComparison.Ordinal))
        {
            name += "_" + unit;
        }

        return histogram ? [name + "_bucket", name + "_sum", name + "_count"] : monotonic ? [name + "_total"] : [name];
    }

    [Fact]
    public void names_follow_the_prometheus_exporters_convention()
    {
        var meter = new Meter("convention-check");
        PrometheusNames(meter.CreateCounter<long>("ledger.commands", "{command}")).ShouldBe(["ledger_commands_total"]);
        PrometheusNames(meter.CreateObservableGauge("ledger.checkpoint.age", () => 1.0, "s")).ShouldBe(["ledger_checkpoint_age_seconds"]);
        PrometheusNames(meter.CreateHistogram<double>("http.server.request.duration", "s"))
            .ShouldBe(["http_server_request_duration_seconds_bucket", "http_server_request_duration_seconds_sum", "http_server_request_duration_seconds_count"]);
        PrometheusNames(meter.CreateUpDownCounter<long>("dotnet.process.memory.working_set", "By")).ShouldBe(["dotnet_process_memory_working_set_bytes"]);
        meter.Dispose();
    }

    [Fact]
    public async Task every_metric_it_queries_is_one_the_service_emits()
    {
        // Every instrument of every meter in this process, once the service has answered a request and a command.
        using var client = Host.Client();
        (await client.GetAsync("/api/attacks")).EnsureSuccessStatusCode();
        using var reported = await Host.PostJsonAsync("/api/attacks", Given.TaftanazReport);
        var emitted = new HashSet<string>(StringComparer.Ordinal);
        using (var listener = new MeterListener { InstrumentPublished = (instrument, _) => { lock (emitted) { emitted.UnionWith(PrometheusNames(instrument)); } } })
        {
            listener.Start();
        }

        var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(Dashboard))!;
        var queries = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]?.AsArray() ?? []).Select(t => t!["expr"]!.GetValue<string>())
            .Concat(dashboard["templating"]!["list"]!.AsArray().Select(v => v!["query"]).OfType<JsonObject>().Select(q => q["query"]!.GetValue<string>()))
            .ToList();

        queries.Count.ShouldBeGreaterThan(15);
        foreach (var query in queries)
        {
            var metrics = MetricSelector().Matches(query).Select(m => m.Groups[1].Value).ToList();
            metrics.ShouldNotBeEmpty($"no metric with a selector in: {query}");
            metrics.Where(m => !emitted.Contains(m)).ShouldBeEmpty($"not emitted by the service: {query} (emitted: {string.Join(", ", emitted.Order(StringComparer.Ordinal))})");
        }

        // The ledger's own instruments are all on the dashboard.
        foreach (var own in new[] { "ledger_commands_total", "ledger_events_appended_total", "ledger_projection_lag", "ledger_import_rows_total", "ledger_checkpoint_age_seconds", "ledger_verification_failures_total" })
        {
            queries.ShouldContain(q => q.Contains(own + "{", StringComparison.Ordinal), own);
        }
    }
}
