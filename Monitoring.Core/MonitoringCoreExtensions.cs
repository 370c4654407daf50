using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Monitoring.Core.Audit;
using Monitoring.Core.Handlers;
using Monitoring.Core.Jobs;
using Monitoring.Core.Metrics;
using Monitoring.Core.Probes;
using Monitoring.Core.Retention;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Storage;
using Monitoring.Core.Workers;
using Monitoring.Core.Tasks;

namespace Monitoring.Core;

public static class MonitoringCoreExtensions
{
    /// <summary>Registers storage, the task queue and its read models.</summary>
    public static IHostApplicationBuilder AddMonitoringCore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TaskOptions>().BindConfiguration(TaskOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddCrossFieldRules<TaskOptions, ValidateTaskOptions>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddDbContextFactory<MonitoringDbContext>((sp, options) =>
            options.UseMonitoringDatabase(sp.GetRequiredService<IOptions<StorageOptions>>().Value));

        // Who may write: the Core write paths an operator reaches ask it, so it comes with the queue.
        services.AddSingleton<InstanceRole>();
        services.AddSingleton<TaskQueue>();
        services.AddSingleton<TaskReader>();
        services.AddSingleton<TaskStatistics>();
        services.AddSingleton<AuditWriter>();
        services.AddMetricStore();
        return builder;
    }

    /// <summary>Registers the scheduler, the worker pool, the lease, retention, the system probe and the
    /// periodic-job monitor. Needs an <see cref="IGpuInventory"/> and the task handlers registered too.</summary>
    public static IHostApplicationBuilder AddMonitoringScheduling(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<SchedulerOptions>().BindConfiguration(SchedulerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddCrossFieldRules<SchedulerOptions, ValidateSchedulerOptions>();
        services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddTaskHandlers();
        services.AddSingleton<TaskIntake>();
        services.AddSingleton<SchedulerLeaseKeeper>();
        // Task processes carry the lease owner and the database, so the next holder finds what a crash left running.
        services.AddSingleton(sp => new TaskProcessOwner(
            sp.GetRequiredService<SchedulerLeaseKeeper>().OwnerId, sp.GetRequiredService<IOptions<StorageOptions>>().Value.DatabasePath));
        services.AddSingleton<WorkerPool>();
        services.AddSingleton<GpuScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<GpuScheduler>());
        services.AddSingleton<TaskRetention>();
        services.AddSingleton<PeriodicJobMonitor>();
        services.AddSingleton(sp => new SystemProbe(sp.GetRequiredService<TimeProvider>()));
        return builder;
    }
}
