using System.Diagnostics.Metrics;
using System.Globalization;
using Monitoring.Core.Jobs;
using Monitoring.Core.Probes;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Tasks;
using Monitoring.Core.Workers;
using Monitoring.Gpu;
using Monitoring.Web.Jobs;

namespace Monitoring.Web.Metrics;

/// <summary>Gauges over what the probes and the pipeline already hold in memory: the GPU inventory's latest
/// samples, the latest system reading and performance snapshot, the worker pool, the scheduler lease and the
/// job monitor. A scrape reads those snapshots and never queries the database.</summary>
/// <remarks>Task counts come from the performance snapshot (<c>Probes:PerformanceIntervalSeconds</c>, 30 s by
/// default), so they can lag that long; they are absent until the first snapshot.</remarks>
public sealed class StateGauges
{
    private readonly GpuInventory _gpus;
    private readonly LatestReadings _latest;
    private readonly WorkerPool _pool;
    private readonly GpuScheduler _scheduler;
    private readonly PeriodicJobMonitor _jobs;

    public StateGauges(MonitoringMeters meters, GpuInventory gpus, LatestReadings latest, WorkerPool pool, GpuScheduler scheduler, PeriodicJobMonitor jobs)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _gpus = gpus;
        _latest = latest;
        _pool = pool;
        _scheduler = scheduler;
        _jobs = jobs;
        var meter = meters.Meter;

        // GPUs, keyed by UUID. A GPU that is lost or unreadable reports only up=0 and its info: the memory it
        // carries over from the last good sample is not a reading.
        meter.CreateObservableGauge("monitoring.gpu.info", () => Gpus(all: true, s => 1, info: true),
            description: "One series per GPU carrying its name and index; always 1.");
        meter.CreateObservableGauge("monitoring.gpu.up", () => Gpus(all: true, s => s.Health == GpuHealth.Ok ? 1 : 0),
            description: "1 while the GPU reads healthy, 0 when it is lost, needs a reset or cannot be read (then it is unschedulable).");
        meter.CreateObservableGauge("monitoring.gpu.memory.total", () => Gpus(all: false, s => s.MemoryTotalBytes), "By",
            "GPU memory in total.");
        meter.CreateObservableGauge("monitoring.gpu.memory.used", () => Gpus(all: false, s => s.MemoryUsedBytes), "By",
            "GPU memory in use.");
        meter.CreateObservableGauge("monitoring.gpu.memory.free", () => Gpus(all: false, s => s.MemoryFreeBytes), "By",
            "GPU memory free (NVML v2: total - reserved - used), before the scheduler's safety margin.");
        meter.CreateObservableGauge("monitoring.gpu.utilization", () => Gpus(all: false, s => s.UtilizationPercent / 100), "1",
            "Share of the last sample period in which a kernel ran on the GPU, 0 to 1.");
        meter.CreateObservableGauge("monitoring.gpu.temperature", () => Gpus(all: false, s => s.TemperatureCelsius), "Cel",
            "GPU core temperature.");
        meter.CreateObservableGauge("monitoring.gpu.power", () => Gpus(all: false, s => s.PowerDrawWatts), "W",
            "GPU power draw.");
        meter.CreateObservableGauge("monitoring.gpu.power_limit", () => Gpus(all: false, s => s.PowerLimitWatts), "W",
            "GPU power management limit.");

        // The machine and this process (latest system probe reading).
        meter.CreateObservableGauge("monitoring.system.cpu", () => Machine(s => s.CpuPercent / 100), "1",
            "Machine CPU busy share over the last probe interval, 0 to 1 (all cores).");
        meter.CreateObservableGauge("monitoring.system.load1", () => Machine(s => s.LoadAverage1),
            description: "One-minute load average.");
        meter.CreateObservableGauge("monitoring.system.memory.used", () => Machine(s => s.MemoryUsedBytes), "By",
            "Machine memory in use (total - available).");
        meter.CreateObservableGauge("monitoring.system.memory.total", () => Machine(s => s.MemoryTotalBytes), "By",
            "Machine memory in total.");
        meter.CreateObservableGauge("monitoring.disk.free", () => Disks(d => d.FreeBytes), "By",
            "Free space on a mounted file system, by mount point.");
        meter.CreateObservableGauge("monitoring.disk.total", () => Disks(d => d.TotalBytes), "By",
            "Size of a mounted file system, by mount point.");
        meter.CreateObservableGauge("monitoring.process.working_set", () => Machine(s => s.ProcessWorkingSetBytes), "By",
            "Working set of this process.");

        // The pipeline.
        meter.CreateObservableGauge("monitoring.tasks", TasksByStatus, "{task}",
            "Tasks in the database by status, from the latest performance snapshot (may lag up to Probes:PerformanceIntervalSeconds).");
        meter.CreateObservableGauge("monitoring.tasks.queued", QueuedByPriority, "{task}",
            "Pending tasks by priority, from the latest performance snapshot.");
        meter.CreateObservableGauge("monitoring.workers", WorkersByState, "{worker}",
            "Workers by state: idle, busy (running a task) or draining (finishing its task, then stopping).");
        meter.CreateObservableGauge("monitoring.workers.size", () => _pool.Size, "{worker}",
            "Configured pool size: the most tasks that run at once.");
        meter.CreateObservableGauge("monitoring.scheduler.read_only", () => _scheduler.IsReadOnly ? 1 : 0,
            description: "1 when this process does not schedule (scheduling off, or another process holds the database's scheduler lease).");
        meter.CreateObservableGauge("monitoring.job.last_run_timestamp", JobLastRuns, "s",
            "Unix time of the last start of a periodic job; absent until it first ran.");
        meter.CreateObservableGauge("monitoring.job.stale", JobStale,
            description: "1 when a periodic job has not started for three of its intervals (readiness then turns degraded).");
    }

    private IEnumerable<Measurement<double>> Gpus(bool all, Func<GpuSample, double?> value, bool info = false)
    {
        foreach (var sample in _gpus.Samples)
        {
            if (!all && sample.Health != GpuHealth.Ok)
            {
                continue;
            }

            if (value(sample) is not { } v)
            {
                continue;
            }

            yield return info
                ? new Measurement<double>(v, Tag("uuid", sample.Uuid), Tag("name", sample.Name), Tag("index", sample.Index.ToString(CultureInfo.InvariantCulture)))
                : new Measurement<double>(v, Tag("uuid", sample.Uuid));
        }
    }

    private IEnumerable<Measurement<double>> Machine(Func<SystemSample, double?> value)
    {
        if (_latest.System is { } sample && value(sample) is { } v)
        {
            yield return new Measurement<double>(v);
        }
    }

    private IEnumerable<Measurement<double>> Disks(Func<DiskSample, double> value)
    {
        if (_latest.System is not { } sample)
        {
            yield break;
        }

        // A mount point can be listed twice (bind mounts); one series per mount.
        foreach (var disk in sample.Disks.DistinctBy(d => d.Mount, StringComparer.Ordinal))
        {
            yield return new Measurement<double>(value(disk), Tag("mount", disk.Mount));
        }
    }

    private IEnumerable<Measurement<long>> TasksByStatus() =>
        _latest.Performance is { } stats
            ? stats.ByStatus.Select(c => new Measurement<long>(c.Count, Tag("status", Label(c.Key))))
            : [];

    private IEnumerable<Measurement<long>> QueuedByPriority() =>
        _latest.Performance is { } stats
            ? stats.QueuedByPriority.Select(c => new Measurement<long>(c.Count, Tag("priority", Label(c.Key))))
            : [];

    private IEnumerable<Measurement<int>> WorkersByState()
    {
        var workers = _pool.Snapshot().Workers;
        return Enum.GetValues<WorkerState>()
            .Select(state => new Measurement<int>(workers.Count(w => w.State == state), Tag("state", Label(state))));
    }

    private IEnumerable<Measurement<double>> JobLastRuns() =>
        _jobs.Snapshot()
            .Where(j => j.LastStartedAt is not null)
            .Select(j => new Measurement<double>(j.LastStartedAt!.Value.ToUnixTimeMilliseconds() / 1000.0, Tag("job", j.Name)));

    private IEnumerable<Measurement<int>> JobStale() =>
        _jobs.Snapshot().Select(j => new Measurement<int>(j.IsStale ? 1 : 0, Tag("job", j.Name)));

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    private static string Label<TEnum>(TEnum value)
        where TEnum : struct, Enum => PrometheusNaming.LabelValue(value);
}
