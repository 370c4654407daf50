using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Core.Jobs;
using Monitoring.Tests.Support;
using Monitoring.Web.Health;
using Monitoring.Web.Jobs;

namespace Monitoring.Tests.Jobs;

public sealed class PeriodicJobTests
{
    [Fact]
    public async Task Every_periodic_job_is_registered_and_actually_fires()
    {
        using var app = new MonitoringApp(MonitoringApp.Scheduling(
            ("Probes:GpuIntervalSeconds", "1"), ("Probes:SystemIntervalSeconds", "1"), ("Probes:PerformanceIntervalSeconds", "5"),
            ("Retention:IntervalSeconds", "60"), ("Alerts:EvaluationIntervalSeconds", "5"), ("Gpu:Provider", "simulated")));
        using var client = app.CreateClient();
        var monitor = app.Services.GetRequiredService<PeriodicJobMonitor>();

        await Eventually.TrueAsync(() =>
        {
            var runs = monitor.Snapshot().ToDictionary(j => j.Name, j => j.Runs);
            return runs.Count == 6
                && runs[GpuProbeJob.JobName] >= 2 && runs[SystemProbeJob.JobName] >= 2 && runs[SchedulerTickJob.JobName] >= 2
                && runs[PerformanceSnapshotJob.JobName] >= 1 && runs[RetentionJob.JobName] >= 1
                && runs[Monitoring.Web.Alerts.AlertEvaluationJob.JobName] >= 1;
        }, "every job has run (the 1 s ones at least twice)");

        Assert.All(monitor.Snapshot(), j => Assert.NotEqual(JobOutcome.Failed, j.LastOutcome));
        var latest = app.Services.GetRequiredService<LatestReadings>();
        Assert.NotNull(latest.System);
        Assert.NotNull(latest.Performance);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", (await ready.ReadJsonAsync()).GetProperty("checks").GetProperty("jobs").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readiness_turns_degraded_naming_a_job_late_by_more_than_three_intervals()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var monitor = new PeriodicJobMonitor(clock);
        monitor.Register("gpu-probe", TimeSpan.FromSeconds(5));
        monitor.Register("retention", TimeSpan.FromHours(1));
        monitor.Started("gpu-probe");
        monitor.Finished("gpu-probe", null);
        monitor.Started("retention");
        monitor.Finished("retention", null);
        var check = new JobsCheck(monitor);

        clock.Advance(TimeSpan.FromSeconds(15));
        var onTime = await check.CheckHealthAsync(new HealthCheckContext());
        clock.Advance(TimeSpan.FromSeconds(1));
        var late = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, onTime.Status);
        Assert.Equal(HealthStatus.Degraded, late.Status);
        Assert.Contains("gpu-probe", late.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("retention", late.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_that_never_fires_turns_stale_and_a_failing_job_is_reported()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var monitor = new PeriodicJobMonitor(clock);
        monitor.Register("scheduler-tick", TimeSpan.FromSeconds(2));
        monitor.Register("system-probe", TimeSpan.FromSeconds(5));
        var check = new JobsCheck(monitor);

        monitor.Started("system-probe");
        monitor.Finished("system-probe", new InvalidOperationException("/proc/stat: unreadable"));
        var failing = await check.CheckHealthAsync(new HealthCheckContext());
        clock.Advance(TimeSpan.FromSeconds(7));
        var neverFired = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Degraded, failing.Status);
        Assert.Contains("system-probe: /proc/stat: unreadable", failing.Description, StringComparison.Ordinal);
        Assert.Contains("scheduler-tick (last start never", neverFired.Description, StringComparison.Ordinal);
    }
}
