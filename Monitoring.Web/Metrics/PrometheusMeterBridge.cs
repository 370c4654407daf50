using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Prometheus;

namespace Monitoring.Web.Metrics;

/// <summary>Publishes the instruments of <see cref="MonitoringMeters.Meter"/> into a prometheus-net registry of this
/// host's own, which <c>/metrics</c> serves: counters as counters, histograms with the buckets the instrument
/// advises, observable gauges read at each scrape.</summary>
/// <remarks>
/// prometheus-net 8.2.1 has a <c>MeterAdapter</c>, but it exposes every .NET counter as a Prometheus gauge (so a
/// <c>_total</c> name fails <c>promtool check metrics</c>), adds a gauge named <c>..._total</c> of its own, drops
/// a series after five minutes without a measurement (a quiet counter would vanish and reappear from zero), and
/// listens to every meter in the process. This bridge listens to this host's meter only (tests run several hosts
/// in one process), names series by <see cref="PrometheusNaming"/>, and keeps counters for the process lifetime.
/// Gauge series that a scrape no longer observes (a GPU gone, a mount unmounted) are removed in that scrape.
/// </remarks>
public sealed class PrometheusMeterBridge : IDisposable
{
    private readonly Meter _meter;
    private readonly IMetricFactory _factory;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Exported> _exported = new();
    private readonly object _scrapeLock = new();
    private volatile bool _disposed;

    public PrometheusMeterBridge(MonitoringMeters meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Meter;
        Registry = Prometheus.Metrics.NewCustomRegistry();
        _factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        // The conventional process_* and dotnet_* series (CPU seconds, memory, handles, GC counts).
        DotNetStats.Register(Registry);

        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter, _meter))
            {
                return;
            }

            _exported[instrument] = new Exported(instrument, PrometheusNaming.MetricName(instrument), Help(instrument));
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.MeasurementsCompleted = (instrument, _) => _exported.TryRemove(instrument, out Exported? _);
        _listener.SetMeasurementEventCallback<int>((i, m, tags, _) => Record(i, m, tags));
        _listener.SetMeasurementEventCallback<long>((i, m, tags, _) => Record(i, m, tags));
        _listener.SetMeasurementEventCallback<double>((i, m, tags, _) => Record(i, m, tags));
        _listener.Start();

        Registry.AddBeforeCollectCallback(ObserveGauges);
    }

    /// <summary>The registry <c>/metrics</c> serves.</summary>
    public CollectorRegistry Registry { get; }

    public void Dispose()
    {
        _disposed = true;
        _listener.Dispose();
    }

    /// <summary>Reads every observable gauge, then removes the series it did not report this time.</summary>
    private void ObserveGauges()
    {
        // The registry cannot unregister a callback; a disposed bridge just stops reading.
        if (_disposed)
        {
            return;
        }

        lock (_scrapeLock)
        {
            var gauges = _exported.Values.Where(e => e.IsObservable).ToList();
            foreach (var gauge in gauges)
            {
                gauge.BeginRound();
            }

            _listener.RecordObservableInstruments();
            foreach (var gauge in gauges)
            {
                gauge.EndRound();
            }
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_exported.TryGetValue(instrument, out var exported))
        {
            exported.Record(_factory, value, tags);
        }
    }

    private static string Help(Instrument instrument)
    {
        if (string.IsNullOrWhiteSpace(instrument.Description))
        {
            // promtool rejects a metric without help text.
            throw new InvalidOperationException($"Instrument {instrument.Name} needs a description: it becomes the Prometheus help text.");
        }

        return instrument.Description;
    }

    /// <summary>One instrument's Prometheus collector, created at its first measurement, when its label names are
    /// known (an instrument always reports the same tag keys).</summary>
    private sealed class Exported(Instrument instrument, string name, string help)
    {
        private readonly object _lock = new();
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private string[]? _labelNames;
        private Collector? _collector;

        public bool IsObservable => instrument.IsObservable;

        public void Record(IMetricFactory factory, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            // prometheus-net fixes the label order at creation; tags come in any order.
            var sorted = tags.ToArray();
            Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Key, b.Key));
            var names = sorted.Select(t => PrometheusNaming.LabelName(t.Key)).ToArray();
            var values = sorted.Select(t => Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? "").ToArray();
            lock (_lock)
            {
                var collector = _collector ??= Create(factory, names);
                if (!names.SequenceEqual(_labelNames!, StringComparer.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"Instrument {instrument.Name} reported tags [{string.Join(", ", names)}] but earlier [{string.Join(", ", _labelNames!)}].");
                }

                // A collector without labels takes values itself; WithLabels() would add a second, empty-labelled series.
                switch (collector)
                {
                    case Counter counter when values.Length == 0:
                        counter.Inc(value);
                        break;
                    case Counter counter:
                        counter.WithLabels(values).Inc(value);
                        break;
                    case Histogram histogram when values.Length == 0:
                        histogram.Observe(value);
                        break;
                    case Histogram histogram:
                        histogram.WithLabels(values).Observe(value);
                        break;
                    case Gauge gauge when values.Length == 0:
                        gauge.Set(value);
                        _seen.Add(Key(values));
                        break;
                    case Gauge gauge:
                        gauge.WithLabels(values).Set(value);
                        _seen.Add(Key(values));
                        break;
                }
            }
        }

        public void BeginRound()
        {
            lock (_lock)
            {
                _seen.Clear();
            }
        }

        public void EndRound()
        {
            lock (_lock)
            {
                if (_collector is not Gauge gauge)
                {
                    return;
                }

                if (_labelNames!.Length == 0)
                {
                    if (_seen.Count == 0)
                    {
                        gauge.Unpublish();
                    }

                    return;
                }

                foreach (var values in gauge.GetAllLabelValues().ToList())
                {
                    if (!_seen.Contains(Key(values)))
                    {
                        gauge.RemoveLabelled(values);
                    }
                }
            }
        }

        private Collector Create(IMetricFactory factory, string[] labelNames)
        {
            _labelNames = labelNames;
            if (PrometheusNaming.IsCounter(instrument))
            {
                return factory.CreateCounter(name, help, labelNames);
            }

            if (PrometheusNaming.IsHistogram(instrument))
            {
                var buckets = (instrument as Histogram<double>)?.Advice?.HistogramBucketBoundaries
                    ?? throw new InvalidOperationException($"Histogram {instrument.Name} needs bucket boundaries (InstrumentAdvice).");
                return factory.CreateHistogram(name, help, labelNames, new HistogramConfiguration { Buckets = [.. buckets] });
            }

            if (instrument.IsObservable && instrument.GetType().GetGenericTypeDefinition() == typeof(ObservableGauge<>))
            {
                return factory.CreateGauge(name, help, labelNames);
            }

            throw new InvalidOperationException($"Instrument {instrument.Name} is a {instrument.GetType().Name}; only counters, histograms and observable gauges are exported.");
        }

        private static string Key(string[] values) => string.Join('\u0001', values);
    }
}
