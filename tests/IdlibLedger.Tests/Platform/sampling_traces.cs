using System.Diagnostics;
using IdlibLedger.Infrastructure;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Trace;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

/// <summary>The sampler alone: requests are traced, background work only when asked, at the configured ratio.</summary>
public sealed class sampling_traces
{
    private static Sampler SamplerWith(params (string Key, string Value)[] settings) =>
        RequestSampler.From(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>($"{Telemetry.Section}:{s.Key}", s.Value)))
            .Build());

    private static SamplingDecision RootDecision(Sampler sampler, ActivityKind kind) =>
        sampler.ShouldSample(new SamplingParameters(default, ActivityTraceId.CreateRandom(), "span", kind)).Decision;

    private static SamplingDecision ChildDecision(Sampler sampler, ActivityKind kind, bool parentSampled)
    {
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(),
            parentSampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None);
        return sampler.ShouldSample(new SamplingParameters(parent, parent.TraceId, "span", kind)).Decision;
    }

    [Fact]
    public void by_default_a_request_is_traced_and_background_work_is_not()
    {
        var sampler = SamplerWith();

        RootDecision(sampler, ActivityKind.Server).ShouldBe(SamplingDecision.RecordAndSample);
        RootDecision(sampler, ActivityKind.Internal).ShouldBe(SamplingDecision.Drop);
        RootDecision(sampler, ActivityKind.Client).ShouldBe(SamplingDecision.Drop);
        RootDecision(sampler, ActivityKind.Consumer).ShouldBe(SamplingDecision.Drop);
    }

    [Fact]
    public void spans_follow_their_parents_decision()
    {
        var sampler = SamplerWith();

        ChildDecision(sampler, ActivityKind.Client, parentSampled: true).ShouldBe(SamplingDecision.RecordAndSample);
        ChildDecision(sampler, ActivityKind.Client, parentSampled: false).ShouldBe(SamplingDecision.Drop);
        // A caller that sampled its trace out is followed even for a request.
        ChildDecision(sampler, ActivityKind.Server, parentSampled: false).ShouldBe(SamplingDecision.Drop);
    }

    [Fact]
    public void trace_background_keeps_the_traces_of_background_work()
    {
        RootDecision(SamplerWith(("TraceBackground", "true")), ActivityKind.Internal).ShouldBe(SamplingDecision.RecordAndSample);
    }

    [Fact]
    public void the_ratio_samples_that_share_of_requests()
    {
        RootDecision(SamplerWith(("SampleRatio", "0")), ActivityKind.Server).ShouldBe(SamplingDecision.Drop);
        var sampler = SamplerWith(("SampleRatio", "0.25"));
        var sampled = Enumerable.Range(0, 4000).Count(_ => RootDecision(sampler, ActivityKind.Server) == SamplingDecision.RecordAndSample);
        sampled.ShouldBeInRange(800, 1200);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    public void a_ratio_outside_0_to_1_stops_the_start(string ratio)
    {
        Should.Throw<InvalidOperationException>(() => SamplerWith(("SampleRatio", ratio))).Message.ShouldContain("SampleRatio");
    }
}
