using Monitoring.Core.Jobs;
using Monitoring.Core.Metrics;
using Monitoring.Core.Probes;
using Monitoring.Core.Retention;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Tasks;
using Monitoring.Core.Workers;
using Monitoring.Gpu;
using Monitoring.Web.MetricHistory;
using Quartz;

namespace Monitoring.Web.Jobs;

/// <summary>Reads every GPU; every Nth run also reads their process lists.</summary>
/// <remarks>The probe jobs keep this process's live readings current either way, but only a process that may write
/// (<see cref="InstanceRole"/>) records samples: a read-only second process would otherwise mix its own machine's
/// readings into the owner's history.</remarks>
public sealed class GpuProbeJob(
    GpuInventory gpus, Live.LiveFeed feed, Microsoft.Extensions.Options.IOptionsMonitor<ProbeOptions> options, MetricStore metrics,
    InstanceRole role, PeriodicJobMonitor monitor, ILogger<GpuProbeJob> logger)
    : MonitoredJob(monitor, logger)
{
    public const string JobName = "gpu-probe";
    private static long s_runs;

    protected override string Name => JobName;

    protected override async Task RunAsync(CancellationToken cancellationToken)
    {
        var run = Interlocked.Increment(ref s_runs);
        var samples = gpus.Refresh(includeProcesses: run % options.CurrentValue.GpuProcessesEveryNth == 1);
        feed.PublishGpuSamples(samples);
        // A failed read hands back the previous samples: recording them would repeat old readings.
        if (gpus.LastError is null && !role.IsReadOnly)
        {
            await metrics.RecordAsync(MetricPoints.FromGpus(samples), cancellationToken);
        }
    }
}

public sealed class SystemProbeJob(
    SystemProbe probe, LatestReadings latest, Live.LiveFeed feed, MetricStore metrics, InstanceRole role, PeriodicJobMonitor monitor, ILogger<SystemProbeJob> logger)
    : MonitoredJob(monitor, logger)
{
    public const string JobName = "system-probe";

    protected override string Name => JobName;

    protected override async Task RunAsync(CancellationToken cancellationToken)
    {
        var sample = probe.Sample();
        latest.System = sample;
        feed.PublishSystemSample(sample);
        if (!role.IsReadOnly)
        {
            await metrics.RecordAsync(MetricPoints.FromSystem(sample), cancellationToken);
        }
    }
}

/// <summary>The scheduler's safety tick: lease heartbeat, timeouts, due retries, a round.</summary>
public sealed class SchedulerTickJob(GpuScheduler scheduler, PeriodicJobMonitor monitor, ILogger<SchedulerTickJob> logger)
    : MonitoredJob(monitor, logger)
{
    public const string JobName = "scheduler-tick";

    protected override string Name => JobName;

    protected override Task RunAsync(CancellationToken cancellationToken) => scheduler.TickAsync(cancellationToken);
}

/// <summary>The queue and pipeline performance snapshot (the metric store and alert evaluation build on it).</summary>
public sealed class PerformanceSnapshotJob(
    TaskStatistics statistics, LatestReadings latest, WorkerPool pool, MetricStore metrics, InstanceRole role, PeriodicJobMonitor monitor,
    ILogger<PerformanceSnapshotJob> logger)
    : MonitoredJob(monitor, logger)
{
    public const string JobName = "performance-snapshot";

    protected override string Name => JobName;

    protected override async Task RunAsync(CancellationToken cancellationToken)
    {
        var previous = latest.Performance;
        var stats = await statistics.GetAsync(TimeSpan.FromHours(1), cancellationToken);
        latest.Performance = stats;
        // The snapshot's pool figures are this process's pool: only the owner's belong in the history.
        if (role.IsReadOnly)
        {
            return;
        }

        await metrics.RecordAsync(MetricPoints.FromPerformance(stats, previous, pool.Snapshot()), cancellationToken);
    }
}

/// <summary>Hourly: finished tasks past their retention, then log files past Retention:LogDays into the archive, then the
/// metric store's roll-up and pruning, then alert history past Alerts:HistoryDays. Only a process that may write runs it;
/// a read-only one leaves the shared data folder to the owner.</summary>
public sealed class RetentionJob(
    TaskRetention retention, Logs.LogArchiver archiver, MetricStore metrics, Core.Alerts.AlertMaintenance alerts, InstanceRole role,
    PeriodicJobMonitor monitor, ILogger<RetentionJob> logger)
    : MonitoredJob(monitor, logger)
{
    public const string JobName = "retention";

    protected override string Name => JobName;

    protected override async Task RunAsync(CancellationToken cancellationToken)
    {
        if (role.IsReadOnly)
        {
            return;
        }

        await retention.PurgeAsync(cancellationToken);
        await archiver.ArchiveAsync(cancellationToken);
        // Roll up first: pruning never drops raw samples that are not rolled up yet.
        await metrics.RollUpAsync(cancellationToken);
        await metrics.PruneAsync(cancellationToken);
        await alerts.PruneAsync(cancellationToken);
    }
}

public static class PeriodicJobsExtensions
{
    /// <summary>Registers every periodic job with Quartz at its configured interval, and with the job monitor.</summary>
    public static WebApplicationBuilder AddPeriodicJobs(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ProbeOptions>().BindConfiguration(ProbeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<LatestReadings>();

        var probes = builder.Configuration.GetSection(ProbeOptions.Section).Get<ProbeOptions>() ?? new ProbeOptions();
        var scheduler = builder.Configuration.GetSection(SchedulerOptions.Section).Get<SchedulerOptions>() ?? new SchedulerOptions();
        var retention = builder.Configuration.GetSection(RetentionOptions.Section).Get<RetentionOptions>() ?? new RetentionOptions();
        var alerts = builder.Configuration.GetSection(Core.Alerts.AlertOptions.Section).Get<Core.Alerts.AlertOptions>() ?? new Core.Alerts.AlertOptions();
        var jobs = new List<(string Name, TimeSpan Interval)>
        {
            (GpuProbeJob.JobName, TimeSpan.FromSeconds(probes.GpuIntervalSeconds)),
            (SystemProbeJob.JobName, TimeSpan.FromSeconds(probes.SystemIntervalSeconds)),
            (SchedulerTickJob.JobName, TimeSpan.FromSeconds(scheduler.IntervalSeconds)),
            (PerformanceSnapshotJob.JobName, TimeSpan.FromSeconds(probes.PerformanceIntervalSeconds)),
            (RetentionJob.JobName, TimeSpan.FromSeconds(retention.IntervalSeconds)),
            (Alerts.AlertEvaluationJob.JobName, TimeSpan.FromSeconds(alerts.EvaluationIntervalSeconds)),
        };
        builder.Services.AddQuartz(q =>
        {
            Schedule<GpuProbeJob>(q, jobs[0]);
            Schedule<SystemProbeJob>(q, jobs[1]);
            Schedule<SchedulerTickJob>(q, jobs[2]);
            Schedule<PerformanceSnapshotJob>(q, jobs[3]);
            Schedule<RetentionJob>(q, jobs[4]);
            Schedule<Alerts.AlertEvaluationJob>(q, jobs[5]);
        });
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        builder.Services.AddSingleton<IHostedService>(sp => new JobRegistration(sp.GetRequiredService<PeriodicJobMonitor>(), jobs));
        return builder;
    }

    private static void Schedule<TJob>(IQuartzBuilder quartz, (string Name, TimeSpan Interval) job)
        where TJob : class, IJob =>
        quartz.ScheduleJob<TJob>(
            trigger => trigger.WithIdentity(job.Name).WithSimpleSchedule(job.Interval),
            detail => detail.WithIdentity(job.Name).DisallowConcurrentExecution());

    /// <summary>Tells the monitor which jobs exist before any of them runs, so one that never fires turns stale.</summary>
    private sealed class JobRegistration(PeriodicJobMonitor monitor, IReadOnlyList<(string Name, TimeSpan Interval)> jobs) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            foreach (var (name, interval) in jobs)
            {
                monitor.Register(name, interval);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
