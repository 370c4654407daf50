using Microsoft.Extensions.Options;
using Monitoring.Core.Alerts;
using Monitoring.Core.Jobs;
using Monitoring.Core.Metrics;
using Monitoring.Core.Tasks;
using Monitoring.Gpu;
using Monitoring.Web.Jobs;
using Monitoring.Web.Metrics;

namespace Monitoring.Web.Alerts;

/// <summary>The evaluator's input in the running app: stored series from the metric store (latest raw sample within
/// three of the slowest probe interval) and the derived signals of <see cref="AlertSignalNames"/>, computed from what
/// the process holds (request window, GPU health, job monitor) or from short queries.</summary>
public sealed class LiveAlertSignals(
    StoredAlertSignals stored, RunningTaskAnomalies anomalies, TaskStatistics statistics, HttpRequestWindow requests, GpuInventory gpus,
    PeriodicJobMonitor jobs, IOptionsMonitor<ProbeOptions> probes, TimeProvider clock) : IAlertSignalSource
{
    /// <summary>Window of the rate-like signals (HTTP, task failures, queue growth).</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(5);

    /// <summary>Below this average utilization the GPUs count as idle.</summary>
    public const double IdleGpuUtilization = 0.10;

    private IReadOnlyDictionary<string, int> _overdue = new Dictionary<string, int>();

    /// <summary>The anomaly counts of the last evaluation, for <c>/metrics</c> (bounded by the task types).</summary>
    public IReadOnlyDictionary<string, int> LastOverdue => Volatile.Read(ref _overdue);

    /// <summary>A series whose newest sample is older than this has no data.</summary>
    public TimeSpan Lookback
    {
        get
        {
            var settings = probes.CurrentValue;
            return TimeSpan.FromSeconds(3 * Math.Max(settings.PerformanceIntervalSeconds, Math.Max(settings.GpuIntervalSeconds, settings.SystemIntervalSeconds)));
        }
    }

    public async Task<IReadOnlyList<AlertSignal>> ReadAsync(string metric, CancellationToken cancellationToken)
    {
        switch (metric)
        {
            case AlertSignalNames.HttpRequestDurationP95Seconds:
                return One(requests.Summarize().P95Seconds ?? 0);
            case AlertSignalNames.HttpErrorRatio:
                return One(requests.Summarize().ErrorRatio);
            case AlertSignalNames.TaskFailureRatio:
                var window = await statistics.GetAsync(RateWindow, cancellationToken);
                return One(window.InWindow.Ratio is { } success ? 1 - success : 0);
            case AlertSignalNames.GpuUp:
                return gpus.Samples.Select(s => new AlertSignal(MetricLabels.Of("uuid", s.Uuid), s.Health == GpuHealth.Ok ? 1 : 0)).ToList();
            case AlertSignalNames.JobStale:
                return jobs.Snapshot().Select(j => new AlertSignal(MetricLabels.Of("job", j.Name), j.IsStale ? 1 : 0)).ToList();
            case AlertSignalNames.QueueGrowingWhileGpusIdle:
                return await QueueGrowingWhileGpusIdleAsync(cancellationToken);
            case AlertSignalNames.TasksRunningOverP99:
                var overdue = await anomalies.CountAsync(cancellationToken);
                Volatile.Write(ref _overdue, overdue);
                return overdue.Select(o => new AlertSignal(MetricLabels.Of("type", o.Key), o.Value)).ToList();
            default:
                return await stored.LatestAsync(metric, Lookback, cancellationToken);
        }
    }

    /// <summary>1 when the pending count rose over the last five minutes while GPUs exist and averaged under
    /// <see cref="IdleGpuUtilization"/>: work waits that the GPUs could take (a stuck scheduler, a bad placement).
    /// No series until the queue has been sampled; 0 until it has five minutes of history.</summary>
    private async Task<IReadOnlyList<AlertSignal>> QueueGrowingWhileGpusIdleAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var lookback = Lookback;
        var queued = await stored.LatestBetweenAsync(MetricNames.TasksQueued, now - lookback, now, cancellationToken);
        if (queued.Count == 0)
        {
            return [];
        }

        var before = await stored.LatestBetweenAsync(MetricNames.TasksQueued, now - RateWindow - lookback, now - RateWindow, cancellationToken);
        var gpusPresent = gpus.Samples.Any(s => s.Health == GpuHealth.Ok);
        var utilization = gpusPresent ? await stored.AverageAsync(MetricNames.GpuUtilizationRatio, now - RateWindow, now, cancellationToken) : null;
        var growing = before.Count > 0 && queued.Sum(q => q.Value) > before.Sum(b => b.Value);
        return One(growing && utilization < IdleGpuUtilization ? 1 : 0);
    }

    private static AlertSignal[] One(double value) => [new AlertSignal(MetricLabels.None, value)];
}
