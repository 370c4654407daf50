using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitoring.Core.Tasks;
using Monitoring.Gpu;
using Monitoring.Tests.Support;
using Monitoring.Web.Jobs;

namespace Monitoring.Tests.Metrics;

/// <summary>One app with 8 simulated GPUs whose scheduler has run tasks to every final state.</summary>
public sealed class ScrapedAppFixture : IAsyncLifetime
{
    public const int Completed = 5;
    public const string UnknownType = "test.unregistered";

    public MetricsHost Host { get; private set; } = null!;
    public List<long> TaskIds { get; } = [];

    public async Task InitializeAsync()
    {
        Host = await MetricsHost.StartAsync();
        var gpus = Host.Services.GetRequiredService<GpuInventory>();
        await Eventually.TrueAsync(() => gpus.Samples.Count == 8, "the GPU probe reads the 8 simulated GPUs");

        var reader = Host.Services.GetRequiredService<TaskReader>();
        for (var i = 0; i < Completed; i++)
        {
            TaskIds.Add((await Host.Queue.EnqueueAsync(GateHandler.GpuType)).Id);
        }

        // No handler runs this type: the worker rejects it, a final failure.
        TaskIds.Add((await Host.Queue.EnqueueAsync(UnknownType)).Id);
        await Eventually.TrueAsync(async () => (await Task.WhenAll(TaskIds.Select(id => reader.GetAsync(id, withEvents: false))))
            .All(t => t!.Status is TaskState.Completed or TaskState.Failed), "the tasks finish");

        // One task cancelled while it runs.
        Host.Gate.PassThrough = false;
        var held = (await Host.Queue.EnqueueAsync(GateHandler.CpuType)).Id;
        TaskIds.Add(held);
        await Eventually.TrueAsync(() => Host.Gate.Started.Contains(held), "the held task starts");
        await Host.Queue.CancelAsync(held, TestTasks.Operator, "test");
        Host.Gate.PassThrough = true;

        var latest = Host.Services.GetRequiredService<LatestReadings>();
        await Eventually.TrueAsync(
            () => latest.System?.CpuPercent is not null
                && latest.Performance?.ByStatus.Single(c => c.Key == TaskState.Cancelled).Count == 1,
            "a system reading with CPU use and a performance snapshot after the tasks", TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

public sealed class MetricsEndpointTests(ScrapedAppFixture fixture) : IClassFixture<ScrapedAppFixture>
{
    /// <summary>Every label the exposition may carry: all of them low-cardinality (a task id is none of them).</summary>
    private static readonly HashSet<string> s_allowedLabels =
        ["uuid", "name", "index", "mount", "status", "priority", "state", "job", "type", "method", "route", "version", "le", "generation", "severity", "level", "source"];

    private MetricsHost Host => fixture.Host;

    [Fact]
    public async Task Every_gpu_reports_its_gauges_under_its_uuid()
    {
        var samples = Exposition.Parse(await Host.ScrapeAsync());
        var gpus = Host.Services.GetRequiredService<GpuInventory>().Samples;
        Assert.Equal(8, gpus.Count);

        var info = samples.Named("monitoring_gpu_info");
        Assert.Equal(gpus.Select(g => g.Uuid).Order(), info.Select(s => s["uuid"]!).Order());
        Assert.All(info, s => Assert.Equal(1, s.Value));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), info.Select(s => s["index"]!).Order());
        Assert.All(info, s => Assert.False(string.IsNullOrEmpty(s["name"])));

        foreach (var name in new[]
        {
            "monitoring_gpu_up", "monitoring_gpu_memory_total_bytes", "monitoring_gpu_memory_used_bytes", "monitoring_gpu_memory_free_bytes",
            "monitoring_gpu_utilization_ratio", "monitoring_gpu_temperature_celsius", "monitoring_gpu_power_watts", "monitoring_gpu_power_limit_watts",
        })
        {
            var series = samples.Named(name);
            Assert.True(series.Count == 8, $"{name}: {series.Count} series");
            Assert.Equal(gpus.Select(g => g.Uuid).Order(), series.Select(s => s["uuid"]!).Order());
        }

        Assert.All(samples.Named("monitoring_gpu_up"), s => Assert.Equal(1, s.Value));
        Assert.All(samples.Named("monitoring_gpu_utilization_ratio"), s => Assert.InRange(s.Value, 0, 1));
        var first = gpus[0];
        Assert.Equal(first.MemoryTotalBytes, samples.Named("monitoring_gpu_memory_total_bytes").Single(s => s["uuid"] == first.Uuid).Value);
    }

    [Fact]
    public async Task Machine_pipeline_and_build_gauges_are_exposed()
    {
        var samples = Exposition.Parse(await Host.ScrapeAsync());
        foreach (var name in new[]
        {
            "monitoring_system_cpu_ratio", "monitoring_system_memory_used_bytes", "monitoring_system_memory_total_bytes", "monitoring_system_load1",
            "monitoring_process_working_set_bytes", "monitoring_workers_size", "monitoring_scheduler_read_only",
            "monitoring_circuits_active", "monitoring_circuits_total",
            "process_cpu_seconds_total",
        })
        {
            Assert.True(samples.Named(name).Count == 1, $"{name} is one unlabelled series");
        }

        Assert.InRange(samples.Named("monitoring_system_cpu_ratio").Single().Value, 0, 1);
        Assert.NotEmpty(samples.Named("monitoring_disk_free_bytes").Select(s => s["mount"]));
        Assert.Equal(samples.Named("monitoring_disk_free_bytes").Select(s => s["mount"]).Order(), samples.Named("monitoring_disk_total_bytes").Select(s => s["mount"]).Order());
        Assert.Equal(4, samples.Named("monitoring_workers_size").Single().Value);
        Assert.Equal(["busy", "draining", "idle"], samples.Named("monitoring_workers").Select(s => s["state"]!).Order());
        Assert.Equal(0, samples.Named("monitoring_scheduler_read_only").Single().Value);

        var build = Assert.Single(samples.Named("monitoring_build_info"));
        Assert.Equal(1, build.Value);
        Assert.False(string.IsNullOrEmpty(build["version"]));

        string[] jobs = [GpuProbeJob.JobName, SystemProbeJob.JobName, SchedulerTickJob.JobName, PerformanceSnapshotJob.JobName, RetentionJob.JobName, Monitoring.Web.Alerts.AlertEvaluationJob.JobName];
        Assert.Equal(jobs.Order(), samples.Named("monitoring_job_stale").Select(s => s["job"]!).Order());
        Assert.All(samples.Named("monitoring_job_stale"), s => Assert.Equal(0, s.Value));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.All(samples.Named("monitoring_job_last_run_timestamp_seconds"), s => Assert.InRange(s.Value, now - 3600, now + 5));
        Assert.Contains(samples.Named("monitoring_job_last_run_timestamp_seconds"), s => s["job"] == GpuProbeJob.JobName);
    }

    [Fact]
    public async Task Task_counts_come_from_the_performance_snapshot()
    {
        var samples = Exposition.Parse(await Host.ScrapeAsync());
        var byStatus = samples.Named("monitoring_tasks").ToDictionary(s => s["status"]!, s => s.Value);
        Assert.Equal(["cancelled", "completed", "failed", "pending", "processing", "retrying"], byStatus.Keys.Order());
        Assert.Equal(ScrapedAppFixture.Completed, byStatus["completed"]);
        Assert.Equal(1, byStatus["failed"]);
        Assert.Equal(1, byStatus["cancelled"]);
        Assert.Equal(["critical", "high", "low", "normal"], samples.Named("monitoring_tasks_queued").Select(s => s["priority"]!).Order());
    }

    [Fact]
    public async Task Finished_tasks_feed_the_counter_and_the_duration_and_wait_histograms()
    {
        var samples = Exposition.Parse(await Host.ScrapeAsync());
        double Finished(string type, string status) =>
            samples.Named("monitoring_tasks_finished_total").SingleOrDefault(s => s["type"] == type && s["status"] == status)?.Value ?? 0;
        Assert.Equal(ScrapedAppFixture.Completed, Finished(GateHandler.GpuType, "completed"));
        Assert.Equal(1, Finished(ScrapedAppFixture.UnknownType, "failed"));
        Assert.Equal(1, Finished(GateHandler.CpuType, "cancelled"));

        // Run time counts completed runs only; queue wait counts every claim.
        AssertHistogram(samples, "monitoring_task_duration_seconds", GateHandler.GpuType, ScrapedAppFixture.Completed);
        Assert.DoesNotContain(samples.Named("monitoring_task_duration_seconds_count"), s => s["type"] == ScrapedAppFixture.UnknownType);
        AssertHistogram(samples, "monitoring_task_queue_wait_seconds", GateHandler.GpuType, ScrapedAppFixture.Completed);
        AssertHistogram(samples, "monitoring_task_queue_wait_seconds", ScrapedAppFixture.UnknownType, 1);
        AssertHistogram(samples, "monitoring_task_queue_wait_seconds", GateHandler.CpuType, 1);
    }

    [Fact]
    public async Task Requests_are_counted_by_route_template_and_timed()
    {
        using var client = Host.CreateClient();
        var id = fixture.TaskIds[0];
        using (var response = await client.GetAsync(new Uri($"/api/v1/tasks/{id}", UriKind.Relative)))
        {
            response.EnsureSuccessStatusCode();
        }

        using (await client.GetAsync(new Uri("/no/such/page", UriKind.Relative)))
        {
        }

        // A request is recorded once served: the first scrape shows up in the second.
        await Host.ScrapeAsync();
        var samples = Exposition.Parse(await Host.ScrapeAsync());
        var requests = samples.Named("monitoring_http_requests_total");
        Assert.Contains(requests, s => s["route"] == "/api/v1/tasks/{id:long}" && s["method"] == "GET" && s["status"] == "200" && s.Value >= 1);
        Assert.Contains(requests, s => s["route"] == "unmatched" && s["status"] == "404");
        Assert.DoesNotContain(requests, s => s["route"]!.Contains($"/{id}", StringComparison.Ordinal));
        Assert.Contains(samples.Named("monitoring_http_request_duration_seconds_bucket"), s => s["route"] == "/api/v1/tasks/{id:long}" && s["le"] == "+Inf");
        Assert.Contains(samples.Named("monitoring_http_request_duration_seconds_count"), s => s["route"] == "/metrics");
    }

    [Fact]
    public async Task Bytes_received_and_sent_are_counted()
    {
        var before = Exposition.Parse(await Host.ScrapeAsync());
        using var client = Host.CreateClient();
        const string body = """{"type":"test.unregistered","parameters":{"pad":"0123456789"}}""";
        using (var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"))
        using (var response = await client.PostAsync(new Uri("/api/v1/tasks", UriKind.Relative), content))
        {
            // Unknown type: a problem document comes back, which is response body too.
            Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 0);
        }

        await Host.ScrapeAsync();
        var after = Exposition.Parse(await Host.ScrapeAsync());
        Assert.True(Total(after, "monitoring_http_received_bytes_total") - Total(before, "monitoring_http_received_bytes_total") >= body.Length);
        // At least the two scrapes' own bodies went out in between.
        Assert.True(Total(after, "monitoring_http_sent_bytes_total") - Total(before, "monitoring_http_sent_bytes_total") > 1000);

        static double Total(IReadOnlyList<Sample> samples, string name) => samples.Named(name).Sum(s => s.Value);
    }

    [Fact]
    public async Task Warnings_and_errors_are_counted_by_level_and_source()
    {
        var logger = Host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Monitoring.Tests.WarningSource");
        logger.LogWarning("a warning for the counter");
        logger.LogError("an error for the counter");
        logger.LogError("another error for the counter");
        logger.LogInformation("not counted");

        var samples = Exposition.Parse(await Host.ScrapeAsync()).Named("monitoring_log_events_total")
            .Where(s => s["source"] == "Monitoring.Tests.WarningSource").ToList();
        Assert.Equal(1, samples.Single(s => s["level"] == "warning").Value);
        Assert.Equal(2, samples.Single(s => s["level"] == "error").Value);
        Assert.DoesNotContain(samples, s => s["level"] == "information");
    }

    [Fact]
    public async Task No_series_is_labelled_with_a_task_id()
    {
        var samples = Exposition.Parse(await Host.ScrapeAsync());
        var labels = samples.SelectMany(s => s.Labels.Keys).ToHashSet();
        Assert.Subset(s_allowedLabels, labels);
    }

    [Fact]
    public async Task Promtool_check_metrics_passes_without_lint_warnings()
    {
        // Every family present: requests, tasks in every final state, histograms, circuits.
        using (var client = Host.CreateClient())
        using (await client.GetAsync(new Uri("/health/live", UriKind.Relative)))
        {
        }

        var body = await Host.ScrapeAsync();
        var result = await Promtool.CheckMetricsAsync(body);
        Assert.True(result.ExitCode == 0 && result.Output.Length == 0,
            $"promtool check metrics exited {result.ExitCode}:\n{result.Output}");
    }

    [Fact]
    public async Task The_dashboard_reads_only_series_the_app_exposes()
    {
        // The HTTP families appear with the first request the middleware counts (a scrape is not one), and
        // xunit runs this class's tests in no fixed order.
        using (var client = Host.CreateClient())
        using (await client.GetAsync(new Uri("/health/live", UriKind.Relative)))
        {
        }

        var exposed = Exposition.Parse(await Host.ScrapeAsync()).Select(s => s.Name).ToHashSet();
        var used = DeployFiles.DashboardQueries().SelectMany(DeployFiles.MetricNames).ToHashSet();
        Assert.NotEmpty(used);
        Assert.Subset(exposed, used);
    }

    private static void AssertHistogram(IReadOnlyList<Sample> samples, string name, string type, int count)
    {
        var buckets = samples.Named(name + "_bucket").Where(s => s["type"] == type).ToList();
        Assert.True(buckets.Count > 2, $"{name}{{type={type}}} has buckets");
        Assert.Equal(count, buckets.Single(s => s["le"] == "+Inf").Value);
        Assert.Equal(count, samples.Named(name + "_count").Single(s => s["type"] == type).Value);
        Assert.InRange(samples.Named(name + "_sum").Single(s => s["type"] == type).Value, 0, 60 * count);
        // Cumulative buckets never decrease.
        var values = buckets.Select(b => b.Value).ToList();
        Assert.Equal(values.Order(), values);
    }
}
