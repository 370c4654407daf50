using Monitoring.Core.Metrics;
using Monitoring.Core.Probes;
using Monitoring.Core.Tasks;
using Monitoring.Core.Workers;
using Monitoring.Gpu;

namespace Monitoring.Web.MetricHistory;

/// <summary>Turns what the periodic jobs read into points for the <see cref="MetricStore"/>, named and scaled as
/// <c>/metrics</c> exposes them (ratios 0–1, seconds, bytes). Readings a probe could not take (null) are skipped.</summary>
public static class MetricPoints
{
    /// <summary>Healthy GPUs only: a lost GPU's memory figures are left over from its last good reading.</summary>
    public static IReadOnlyList<MetricPoint> FromGpus(IReadOnlyList<GpuSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var points = new List<MetricPoint>();
        foreach (var gpu in samples.Where(s => s.Health == GpuHealth.Ok))
        {
            var labels = MetricLabels.Of("uuid", gpu.Uuid);
            Add(points, MetricNames.GpuMemoryUsedBytes, labels, gpu.At, gpu.MemoryUsedBytes);
            Add(points, MetricNames.GpuMemoryFreeBytes, labels, gpu.At, gpu.MemoryFreeBytes);
            Add(points, MetricNames.GpuUtilizationRatio, labels, gpu.At, gpu.UtilizationPercent / 100);
            Add(points, MetricNames.GpuTemperatureCelsius, labels, gpu.At, gpu.TemperatureCelsius);
            Add(points, MetricNames.GpuPowerWatts, labels, gpu.At, gpu.PowerDrawWatts);
        }

        return points;
    }

    public static IReadOnlyList<MetricPoint> FromSystem(SystemSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var points = new List<MetricPoint>();
        var at = sample.At;
        Add(points, MetricNames.SystemCpuRatio, MetricLabels.None, at, sample.CpuPercent / 100);
        Add(points, MetricNames.SystemMemoryUsedBytes, MetricLabels.None, at, sample.MemoryUsedBytes);
        Add(points, MetricNames.SystemMemoryUsedRatio, MetricLabels.None, at,
            sample.MemoryTotalBytes is > 0 ? (double?)sample.MemoryUsedBytes / sample.MemoryTotalBytes : null);
        Add(points, MetricNames.SystemLoad1, MetricLabels.None, at, sample.LoadAverage1);
        Add(points, MetricNames.ProcessWorkingSetBytes, MetricLabels.None, at, sample.ProcessWorkingSetBytes);
        Add(points, MetricNames.ProcessCpuRatio, MetricLabels.None, at, sample.ProcessCpuPercent / 100);
        Add(points, MetricNames.NetworkReceiveBytesPerSecond, MetricLabels.None, at, sample.NetworkReceiveBytesPerSecond);
        Add(points, MetricNames.NetworkTransmitBytesPerSecond, MetricLabels.None, at, sample.NetworkTransmitBytesPerSecond);
        // A mount point can be listed twice (bind mounts); one series per mount, as /metrics does.
        foreach (var disk in sample.Disks.DistinctBy(d => d.Mount, StringComparer.Ordinal))
        {
            Add(points, MetricNames.DiskFreeBytes, MetricLabels.Of("mount", disk.Mount), at, disk.FreeBytes);
        }

        return points;
    }

    /// <summary>The pipeline at one snapshot. Completions and failures per minute are the growth of the all-time
    /// counters since <paramref name="previous"/> (absent on the first snapshot of a process).</summary>
    public static IReadOnlyList<MetricPoint> FromPerformance(TaskStats stats, TaskStats? previous, PoolSnapshot pool)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(pool);
        var points = new List<MetricPoint>();
        var at = stats.At;
        Add(points, MetricNames.TasksQueued, MetricLabels.None, at, InStatus(stats, TaskState.Pending));
        Add(points, MetricNames.TasksProcessing, MetricLabels.None, at, InStatus(stats, TaskState.Processing));
        Add(points, MetricNames.TasksSuccessRatio, MetricLabels.None, at, stats.InWindow.Ratio);
        foreach (var timing in stats.Timings)
        {
            var labels = MetricLabels.Of("type", timing.Type);
            Add(points, MetricNames.TaskDurationP95Seconds, labels, at, timing.DurationMs?.P95 / 1000);
            Add(points, MetricNames.TaskQueueWaitP95Seconds, labels, at, timing.QueueWaitMs?.P95 / 1000);
        }

        if (previous is not null && stats.At > previous.At)
        {
            var minutes = (stats.At - previous.At).TotalMinutes;
            Add(points, MetricNames.TasksCompletedPerMinute, MetricLabels.None, at, PerMinute(stats.AllTime.Completed, previous.AllTime.Completed, minutes));
            Add(points, MetricNames.TasksFailedPerMinute, MetricLabels.None, at, PerMinute(stats.AllTime.Failed, previous.AllTime.Failed, minutes));
        }

        Add(points, MetricNames.WorkersBusy, MetricLabels.None, at, pool.Busy);
        Add(points, MetricNames.WorkersSize, MetricLabels.None, at, pool.Size);
        return points;
    }

    private static double InStatus(TaskStats stats, TaskState state) => stats.ByStatus.Where(s => s.Key == state).Sum(s => s.Count);

    /// <summary>The counters never go down; if they appear to (another database file), there is no rate.</summary>
    private static double? PerMinute(long now, long before, double minutes) => now >= before ? (now - before) / minutes : null;

    private static void Add(List<MetricPoint> points, string name, string labels, DateTimeOffset at, double? value)
    {
        if (value is { } v)
        {
            points.Add(new MetricPoint(name, labels, at, v));
        }
    }
}
