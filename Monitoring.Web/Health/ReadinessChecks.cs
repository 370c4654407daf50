using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Monitoring.Core;
using Monitoring.Core.Jobs;
using Monitoring.Core.Probes;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Storage;
using Monitoring.Gpu;
using Monitoring.Web.Jobs;

namespace Monitoring.Web.Health;

public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>Below this much free space on the data folder's disk, readiness is degraded.</summary>
    [Range(0, long.MaxValue)]
    public long MinFreeDiskBytes { get; set; } = 1L << 30;
}

/// <summary>The database answers and takes the write lock.</summary>
internal sealed class DatabaseCheck(IDbContextFactory<MonitoringDbContext> dbFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("UPDATE SchedulerLeases SET Owner = Owner WHERE 0", cancellationToken);
            await transaction.RollbackAsync(cancellationToken);
            return HealthCheckResult.Healthy("writable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"the database is not writable: {ex.Message}");
        }
    }
}

/// <summary>Every periodic job started within three of its intervals.</summary>
internal sealed class JobsCheck(PeriodicJobMonitor monitor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var jobs = monitor.Snapshot();
        var stale = jobs.Where(j => j.IsStale).ToList();
        var failed = jobs.Where(j => j.LastOutcome == JobOutcome.Failed).ToList();
        var data = jobs.ToDictionary(j => j.Name, j => (object)new
        {
            lastStartedAt = j.LastStartedAt,
            intervalSeconds = j.Interval.TotalSeconds,
            lastDurationMs = j.LastDuration?.TotalMilliseconds,
            outcome = j.LastOutcome.ToString(),
            j.LastError,
            j.Runs,
            stale = j.IsStale,
        });
        if (stale.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                "stale: " + string.Join(", ", stale.Select(j => $"{j.Name} (last start {(j.LastStartedAt is { } at ? at.ToString("O") : "never")}, every {j.Interval.TotalSeconds:0} s)")),
                data: data));
        }

        if (failed.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                "failing: " + string.Join(", ", failed.Select(j => $"{j.Name}: {j.LastError}")), data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy($"{jobs.Count} jobs fresh", data));
    }
}

/// <summary>The probes report: no GPU lost or unreadable, no probe errors.</summary>
internal sealed class ProbesCheck(GpuInventory gpus, SystemProbe system) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        if (gpus.LastError is { } gpuError)
        {
            problems.Add($"GPU probe: {gpuError}");
        }

        problems.AddRange(gpus.Current.Where(g => !g.Schedulable).Select(g => $"GPU {g.Uuid} unschedulable: {g.Problem}"));
        if (system.LastError is { } systemError)
        {
            problems.Add($"system probe: {systemError}");
        }

        var data = new Dictionary<string, object>
        {
            ["gpuProvider"] = gpus.Probe.Provider,
            ["gpus"] = gpus.Current.Count,
            ["gpuLastSampledAt"] = gpus.LastSampledAt?.ToString("O") ?? "never",
        };
        if (gpus.UnavailableReason is { } reason)
        {
            data["gpuUnavailable"] = reason;
        }

        return Task.FromResult(problems.Count > 0
            ? HealthCheckResult.Degraded(string.Join("; ", problems), data: data)
            : HealthCheckResult.Healthy(gpus.UnavailableReason is null ? "reporting" : $"reporting; {gpus.UnavailableReason}", data));
    }
}

/// <summary>This process holds the scheduler lease, or says why it runs read-only.</summary>
internal sealed class SchedulerCheck(GpuScheduler scheduler, SchedulerLeaseKeeper lease) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["owner"] = lease.OwnerId, ["lastRoundAt"] = scheduler.LastRoundAt?.ToString("O") ?? "never" };
        return Task.FromResult(scheduler.IsReadOnly
            ? HealthCheckResult.Degraded($"read-only: {scheduler.ReadOnlyReason}", data: data)
            : HealthCheckResult.Healthy("holds the scheduler lease", data));
    }
}

/// <summary>The data folder's disk has room.</summary>
internal sealed class DiskCheck(IOptions<StorageOptions> storage, IOptionsMonitor<HealthOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var folder = Path.GetFullPath(storage.Value.DataDirectory);
        var drive = new DriveInfo(folder);
        var free = drive.AvailableFreeSpace;
        var minimum = options.CurrentValue.MinFreeDiskBytes;
        var data = new Dictionary<string, object> { ["path"] = folder, ["freeBytes"] = free, ["minFreeBytes"] = minimum };
        return Task.FromResult(free < minimum
            ? HealthCheckResult.Degraded($"{free:N0} bytes free on {drive.Name}, below Health:MinFreeDiskBytes ({minimum:N0})", data: data)
            : HealthCheckResult.Healthy($"{free:N0} bytes free", data));
    }
}

public static class HealthEndpoints
{
    private const string Ready = "ready";

    public static IServiceCollection AddReadinessChecks(this IServiceCollection services)
    {
        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database", tags: [Ready])
            .AddCheck<JobsCheck>("jobs", tags: [Ready])
            .AddCheck<ProbesCheck>("probes", tags: [Ready])
            .AddCheck<SchedulerCheck>("scheduler", tags: [Ready])
            .AddCheck<DiskCheck>("disk", tags: [Ready]);
        return services;
    }

    /// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: every check, with detail.
    /// Degraded answers 200 (the ASP.NET convention: still serving), Unhealthy 503.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        routes.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync }).AllowAnonymous();
        return routes;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, MonitoringJson.Options));
    }
}
