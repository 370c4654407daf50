using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Monitoring.Core.Alerts;
using Monitoring.Core.Metrics;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Storage;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Alerts;

/// <summary>Records what the evaluator publishes, in order.</summary>
public sealed class RecordingSink : IAlertNotificationSink
{
    private readonly Lock _lock = new();
    private readonly List<AlertNotification> _published = [];

    public IReadOnlyList<AlertNotification> Published
    {
        get
        {
            lock (_lock)
            {
                return [.. _published];
            }
        }
    }

    public void Publish(AlertNotification notification)
    {
        lock (_lock)
        {
            _published.Add(notification);
        }
    }
}

/// <summary>The alert engine over a <see cref="TestDatabase"/> (real SQLite file, fake clock), with the metric store as
/// its only signal source and a recording sink.</summary>
public sealed class AlertEngine
{
    public AlertEngine(TestDatabase database, Action<AlertOptions>? configure = null)
    {
        Database = database;
        var factory = database.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>();
        var options = new OptionsMonitor<AlertOptions>(
            new OptionsFactory<AlertOptions>([new ConfigureOptions<AlertOptions>(o => configure?.Invoke(o))], []), [], new OptionsCache<AlertOptions>());
        var signals = new StoredOnlyAlertSignals(new StoredAlertSignals(factory, database.Clock), Lookback);
        Evaluator = new AlertEvaluator(factory, signals, Sink, options, database.Clock, NullLogger<AlertEvaluator>.Instance);
        Rules = new AlertRules(factory, Sink, new InstanceRole(), database.Clock, NullLogger<AlertRules>.Instance);
        Silences = new AlertSilences(factory, options, new InstanceRole(), database.Clock, NullLogger<AlertSilences>.Instance);
        Maintenance = new AlertMaintenance(factory, options, database.Clock, NullLogger<AlertMaintenance>.Instance);
        Reader = new AlertReader(factory);
    }

    public static TimeSpan Lookback { get; } = TimeSpan.FromSeconds(90);

    public TestDatabase Database { get; }
    public RecordingSink Sink { get; } = new();
    public AlertEvaluator Evaluator { get; }
    public AlertRules Rules { get; }
    public AlertSilences Silences { get; }
    public AlertMaintenance Maintenance { get; }
    public AlertReader Reader { get; }

    public MetricStore Metrics => Database.Services.GetRequiredService<MetricStore>();

    /// <summary>A temperature sample per GPU at the current fake time.</summary>
    public Task RecordTemperaturesAsync(params (string Uuid, double Celsius)[] readings) =>
        Metrics.RecordAsync(readings.Select(r => new MetricPoint(MetricNames.GpuTemperatureCelsius, MetricLabels.Of("uuid", r.Uuid), Database.Clock.GetUtcNow(), r.Celsius)).ToList());

    public Task<AlertRuleView> CreateTemperatureRuleAsync(int forSeconds = 0, string name = "GpuHot", int keepFiringForSeconds = 0) =>
        Rules.CreateAsync(new AlertRuleDraft
        {
            Name = name,
            Metric = MetricNames.GpuTemperatureCelsius,
            Comparison = ">",
            Threshold = 85,
            ForSeconds = forSeconds,
            KeepFiringForSeconds = keepFiringForSeconds,
            Severity = "critical",
            Labels = new Dictionary<string, string> { ["team"] = "render" },
            Summary = "GPU {{ $labels.uuid }} at {{ $value }} °C",
        }, TestTasks.Operator);

    public async Task<AlertInstanceView> InstanceAsync(string uuid) =>
        (await Reader.InstancesAsync()).Single(i => i.Labels.GetValueOrDefault("uuid") == uuid);
}
