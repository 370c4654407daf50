using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Monitoring.Core.Alerts;
using Monitoring.Core.Jobs;
using Monitoring.Core.Metrics;
using Monitoring.Core.Storage;
using Monitoring.Gpu;
using Monitoring.Tests.Support;
using Monitoring.Web.Alerts;
using Monitoring.Web.Jobs;
using Monitoring.Web.Metrics;

namespace Monitoring.Tests.Alerts;

/// <summary>The app's derived signals over a real SQLite file, a fake clock and simulated GPUs.</summary>
public sealed class LiveAlertSignalTests : IAsyncLifetime, IDisposable
{
    private TestDatabase _db = null!;
    private GpuInventory _gpus = null!;
    private PeriodicJobMonitor _jobs = null!;
    private LiveAlertSignals _signals = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _gpus = new GpuInventory(new SimulatedGpuProbe(2, 24L << 30, _db.Clock), NullLogger<GpuInventory>.Instance);
        _gpus.Refresh(includeProcesses: false);
        _jobs = new PeriodicJobMonitor(_db.Clock);
        var factory = _db.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>();
        _signals = new LiveAlertSignals(
            new StoredAlertSignals(factory, _db.Clock), new RunningTaskAnomalies(factory, _db.Clock), _db.Statistics, new HttpRequestWindow(_db.Clock),
            _gpus, _jobs, new StaticOptionsMonitor<ProbeOptions>(new ProbeOptions()), _db.Clock);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    public void Dispose() => _gpus?.Dispose();

    [Theory]
    [InlineData(5, 12, 0.02, 1)]
    [InlineData(12, 12, 0.02, 0)]
    [InlineData(5, 12, 0.60, 0)]
    public async Task The_queue_growing_while_gpus_idle_signal_needs_growth_over_five_minutes_and_idle_gpus(
        double queuedBefore, double queuedNow, double utilization, double expected)
    {
        var start = _db.Clock.GetUtcNow();
        await RecordAsync(MetricNames.TasksQueued, start, queuedBefore);
        for (var minute = 0; minute <= 5; minute++)
        {
            foreach (var gpu in _gpus.Samples)
            {
                await _db.Services.GetRequiredService<MetricStore>().RecordAsync(
                    [new MetricPoint(MetricNames.GpuUtilizationRatio, MetricLabels.Of("uuid", gpu.Uuid), start.AddMinutes(minute), utilization)]);
            }
        }

        _db.Clock.Advance(TimeSpan.FromMinutes(5));
        await RecordAsync(MetricNames.TasksQueued, _db.Clock.GetUtcNow(), queuedNow);

        var signal = Assert.Single(await _signals.ReadAsync(AlertSignalNames.QueueGrowingWhileGpusIdle, CancellationToken.None));
        Assert.Equal(expected, signal.Value);
    }

    [Fact]
    public async Task Without_queue_samples_there_is_no_queue_growth_series()
    {
        Assert.Empty(await _signals.ReadAsync(AlertSignalNames.QueueGrowingWhileGpusIdle, CancellationToken.None));
    }

    [Fact]
    public async Task Gpu_health_and_job_freshness_are_one_series_per_gpu_and_per_job()
    {
        _jobs.Register("gpu-probe", TimeSpan.FromSeconds(5));
        _jobs.Register("retention", TimeSpan.FromHours(1));
        _jobs.Started("retention");
        _db.Clock.Advance(TimeSpan.FromSeconds(16));

        var up = await _signals.ReadAsync(AlertSignalNames.GpuUp, CancellationToken.None);
        var stale = await _signals.ReadAsync(AlertSignalNames.JobStale, CancellationToken.None);

        Assert.Equal(_gpus.Samples.Select(s => MetricLabels.Of("uuid", s.Uuid)).Order(), up.Select(s => s.Labels).Order());
        Assert.All(up, s => Assert.Equal(1, s.Value));
        Assert.Equal(1, stale.Single(s => s.Labels == MetricLabels.Of("job", "gpu-probe")).Value);
        Assert.Equal(0, stale.Single(s => s.Labels == MetricLabels.Of("job", "retention")).Value);
    }

    [Fact]
    public async Task A_stored_series_counts_only_within_three_of_the_slowest_probe_intervals()
    {
        await RecordAsync(MetricNames.SystemCpuRatio, _db.Clock.GetUtcNow(), 0.9);
        Assert.Equal(TimeSpan.FromSeconds(90), _signals.Lookback);

        _db.Clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(0.9, Assert.Single(await _signals.ReadAsync(MetricNames.SystemCpuRatio, CancellationToken.None)).Value);

        _db.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(await _signals.ReadAsync(MetricNames.SystemCpuRatio, CancellationToken.None));
    }

    private Task<int> RecordAsync(string name, DateTimeOffset at, double value) =>
        _db.Services.GetRequiredService<MetricStore>().RecordAsync([new MetricPoint(name, at, value)]);

    private sealed class StaticOptionsMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
