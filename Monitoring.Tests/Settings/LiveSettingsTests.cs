using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitoring.Core.Jobs;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;
using Monitoring.Core.Workers;
using Monitoring.Tests.Support;
using Monitoring.Web.Jobs;

namespace Monitoring.Tests.Settings;

public sealed class LiveSettingsTests
{
    [Fact]
    public async Task A_change_is_validated_as_a_whole_and_every_bad_key_is_named_with_nothing_applied()
    {
        using var app = new MonitoringApp(MonitoringApp.Scheduling(("Workers:Count", "4")));
        using var client = app.CreateClient();

        using var body = new StringContent("""
            {"Workers:Count": 8, "Scheduler:MaxBatchSize": 0, "Probes:GpuIntervalSeconds": "soon", "Storage:DataDirectory": "/tmp/x",
             "Scheduler:MinBatchSize": 2}
            """, Encoding.UTF8, "application/json");
        var response = await client.PostAsync("/api/v1/system/config", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadJsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("Scheduler:MaxBatchSize", out _));
        Assert.True(errors.TryGetProperty("Probes:GpuIntervalSeconds", out _));
        Assert.True(errors.TryGetProperty("Storage:DataDirectory", out _));
        Assert.False(errors.TryGetProperty("Workers:Count", out _));
        Assert.Equal(4, app.Services.GetRequiredService<WorkerPool>().Size);
        Assert.Equal(3, app.Services.GetRequiredService<IOptionsMonitor<SchedulerOptions>>().CurrentValue.MaxBatchSize);
    }

    [Fact]
    public async Task Cross_field_rules_are_checked_against_the_effective_configuration()
    {
        using var app = new MonitoringApp();
        using var client = app.CreateClient();

        var response = await client.PostJsonAsync("/api/v1/system/config", new Dictionary<string, object> { ["Scheduler:MinBatchSize"] = 5 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadJsonAsync()).GetProperty("errors");
        Assert.Equal("Scheduler:MinBatchSize (5) must not exceed Scheduler:MaxBatchSize (3).",
            Assert.Single(errors.GetProperty("Scheduler:MinBatchSize").EnumerateArray()).GetString());
        Assert.Equal(1, app.Services.GetRequiredService<IOptionsMonitor<SchedulerOptions>>().CurrentValue.MinBatchSize);
    }

    [Fact]
    public async Task Every_broken_cross_field_rule_of_a_change_is_named()
    {
        using var app = new MonitoringApp();
        using var client = app.CreateClient();

        var response = await client.PostJsonAsync("/api/v1/system/config", new Dictionary<string, object>
        {
            ["Scheduler:MinBatchSize"] = 4,
            ["Scheduler:MaxBatchSize"] = 2,
            ["Tasks:RetryBaseDelaySeconds"] = 60,
            ["Tasks:RetryMaxDelaySeconds"] = 30,
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadJsonAsync()).GetProperty("errors");
        Assert.Contains("Scheduler:MaxBatchSize (2)", errors.GetProperty("Scheduler:MinBatchSize")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("Tasks:RetryMaxDelaySeconds (30)", errors.GetProperty("Tasks:RetryBaseDelaySeconds")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_rule_stops_start_up_naming_both_keys()
    {
        using var data = new TempDirectory();
        var how = new WebProcessStart
        {
            Environment = new Dictionary<string, string> { ["Scheduler__MinBatchSize"] = "5", ["Scheduler__MaxBatchSize"] = "3" },
        };
        using var host = new WebProcess(how, data.Path, "--urls", $"http://127.0.0.1:{WebProcess.FreePort()}", "--Gpu:Provider=none");

        // A real process starts cold (JIT) and shares the cores with other tests: allow for it, a pass returns early.
        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(180));

        Assert.True(exitCode is not null and not 0, $"the host should have stopped with an error:\n{host.Output}");
        Assert.Contains("Scheduler:MinBatchSize (5) must not exceed Scheduler:MaxBatchSize (3)", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_change_applies_at_once_is_audited_and_survives_a_restart()
    {
        using var first = new MonitoringApp(MonitoringApp.Scheduling(("Workers:Count", "4")));
        using (var client = first.CreateClient())
        {
            var response = await client.PostJsonAsync("/api/v1/system/config", new Dictionary<string, object>
            {
                ["Workers:Count"] = 7,
                ["Scheduler:MaxBatchSize"] = 5,
                ["Probes:GpuIntervalSeconds"] = 2,
                ["Demo:FailureRate"] = 0.25,
            });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            Assert.Equal(7, first.Services.GetRequiredService<WorkerPool>().Size);
            Assert.Equal(5, first.Services.GetRequiredService<IOptionsMonitor<SchedulerOptions>>().CurrentValue.MaxBatchSize);
            Assert.Equal(TimeSpan.FromSeconds(2), first.Services.GetRequiredService<PeriodicJobMonitor>().Snapshot().Single(j => j.Name == GpuProbeJob.JobName).Interval);
            var listed = await (await client.GetAsync("/api/v1/system/config")).ReadJsonAsync();
            var workers = listed.EnumerateArray().Single(s => s.GetProperty("key").GetString() == "Workers:Count");
            Assert.Equal("7", workers.GetProperty("value").GetString());
            Assert.True(workers.GetProperty("overridden").GetBoolean());

            await using var db = await first.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();
            var audit = await db.AuditEntries.SingleAsync(a => a.Action == "config.change");
            Assert.Contains("\"Workers:Count\":\"4\"", audit.Before, StringComparison.Ordinal);
            Assert.Contains("\"Workers:Count\":\"7\"", audit.After, StringComparison.Ordinal);
        }

        // A new process on the same database starts with the overrides, over appsettings and the host's own settings.
        using var second = new MonitoringApp(MonitoringApp.Scheduling(("Workers:Count", "4")), first.DataDirectory);
        _ = second.Server;
        Assert.Equal(7, second.Services.GetRequiredService<WorkerPool>().Size);
        Assert.Equal(5, second.Services.GetRequiredService<IOptionsMonitor<SchedulerOptions>>().CurrentValue.MaxBatchSize);
    }

    [Fact]
    public async Task A_pool_resize_through_the_api_is_kept_across_a_restart()
    {
        using var first = new MonitoringApp(MonitoringApp.Scheduling(("Workers:Count", "4")));
        using (var client = first.CreateClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync("/api/v1/system/workers/resize", new { count = 2 })).StatusCode);
        }

        using var second = new MonitoringApp(MonitoringApp.Scheduling(("Workers:Count", "4")), first.DataDirectory);
        _ = second.Server;
        Assert.Equal(2, second.Services.GetRequiredService<WorkerPool>().Size);
    }

    [Fact]
    public async Task A_gpu_probe_interval_change_reschedules_the_job()
    {
        using var app = new MonitoringApp(MonitoringApp.Scheduling(("Probes:GpuIntervalSeconds", "3600"), ("Gpu:Provider", "simulated")));
        using var client = app.CreateClient();
        var monitor = app.Services.GetRequiredService<PeriodicJobMonitor>();
        await Eventually.TrueAsync(() => monitor.Snapshot().Single(j => j.Name == GpuProbeJob.JobName).Runs >= 1, "the GPU probe runs once at start",
            TimeSpan.FromSeconds(60));
        var before = monitor.Snapshot().Single(j => j.Name == GpuProbeJob.JobName).Runs;

        await client.PostJsonAsync("/api/v1/system/config", new Dictionary<string, object> { ["Probes:GpuIntervalSeconds"] = 1 });

        await Eventually.TrueAsync(() => monitor.Snapshot().Single(j => j.Name == GpuProbeJob.JobName).Runs >= before + 2,
            "the rescheduled probe fires every second instead of every hour");
    }
}
