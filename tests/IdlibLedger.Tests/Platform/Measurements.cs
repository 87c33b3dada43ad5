using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using IdlibLedger.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

/// <summary>What one host's <see cref="LedgerMetrics"/> record from the moment this is created, as a MeterListener sees it.</summary>
internal sealed class Measurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)> _seen = new();

    public Measurements(IServiceProvider services)
    {
        // The host's own meters: other hosts in this process (tests that start one) have meters of the same name.
        var meters = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == LedgerMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, tag) in tags)
        {
            copy[key] = tag;
        }

        _seen.Enqueue((instrument.Name, value, copy));
    }

    /// <summary>Reads the observable gauges now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    /// <summary>The measurements of <paramref name="instrument"/> whose tags include <paramref name="tags"/>.</summary>
    public IReadOnlyList<double> Of(string instrument, params (string Tag, string Value)[] tags) =>
        [.. _seen.Where(m => m.Instrument == instrument && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Tag), t.Value))).Select(m => m.Value)];

    public double Sum(string instrument, params (string Tag, string Value)[] tags) => Of(instrument, tags).Sum();

    /// <summary>
    /// The sum once it reaches <paramref name="expected"/> (a command is counted when the pipeline unwinds, which can
    /// be just after the client has its answer); fails when it does not within a few seconds, or goes past it.
    /// </summary>
    public async Task<double> SumReachesAsync(double expected, string instrument, params (string Tag, string Value)[] tags)
    {
        for (var attempt = 0; attempt < 50 && Sum(instrument, tags) < expected; attempt++)
        {
            await Task.Delay(100);
        }

        var sum = Sum(instrument, tags);
        sum.ShouldBe(expected, $"{instrument} {string.Join(", ", tags.Select(t => $"{t.Tag}={t.Value}"))}");
        return sum;
    }

    public void Dispose() => _listener.Dispose();
}
