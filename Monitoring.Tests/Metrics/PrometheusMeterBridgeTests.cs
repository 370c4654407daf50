using System.Diagnostics.Metrics;
using Monitoring.Web.Metrics;

namespace Monitoring.Tests.Metrics;

public sealed class PrometheusMeterBridgeTests
{
    [Theory]
    [InlineData("gauge", "monitoring.gpu.memory.free", "By", "monitoring_gpu_memory_free_bytes")]
    [InlineData("gauge", "monitoring.gpu.utilization", "1", "monitoring_gpu_utilization_ratio")]
    [InlineData("gauge", "monitoring.gpu.temperature", "Cel", "monitoring_gpu_temperature_celsius")]
    [InlineData("gauge", "monitoring.job.last_run_timestamp", "s", "monitoring_job_last_run_timestamp_seconds")]
    [InlineData("gauge", "monitoring.tasks", "{task}", "monitoring_tasks")]
    [InlineData("gauge", "monitoring.disk.free_bytes", "By", "monitoring_disk_free_bytes")]
    [InlineData("counter", "monitoring.tasks.finished", "{task}", "monitoring_tasks_finished_total")]
    [InlineData("counter", "monitoring.energy", "J", "monitoring_energy_joules_total")]
    [InlineData("counter", "monitoring.events", "1", "monitoring_events_total")]
    [InlineData("histogram", "monitoring.task.duration", "s", "monitoring_task_duration_seconds")]
    public void Names_follow_the_OpenTelemetry_Prometheus_rules(string kind, string name, string unit, string expected)
    {
        using var meter = new Meter("naming-test");
        Instrument instrument = kind switch
        {
            "counter" => meter.CreateCounter<long>(name, unit),
            "histogram" => meter.CreateHistogram<double>(name, unit),
            _ => meter.CreateObservableGauge(name, () => 1.0, unit),
        };
        Assert.Equal(expected, PrometheusNaming.MetricName(instrument));
    }

    [Fact]
    public void A_unit_without_a_Prometheus_base_unit_is_refused()
    {
        using var meter = new Meter("naming-test");
        var instrument = meter.CreateHistogram<double>("monitoring.request.duration", "ms");
        var error = Assert.Throws<InvalidOperationException>(() => PrometheusNaming.MetricName(instrument));
        Assert.Contains("monitoring.request.duration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gauge_series_the_callback_stops_reporting_disappears_and_can_return()
    {
        using var scope = new MeterScope();
        var mounts = new List<string> { "/", "/data" };
        double? load = 0.5;
        scope.Meters.Meter.CreateObservableGauge("monitoring.test.free", () => mounts.Select(m => new Measurement<double>(1, new KeyValuePair<string, object?>("mount", m))), "By", "test");
        scope.Meters.Meter.CreateObservableGauge("monitoring.test.load", () => load is { } l ? [new Measurement<double>(l)] : Array.Empty<Measurement<double>>(), description: "test");

        var samples = await scope.ScrapeAsync();
        Assert.Equal(["/", "/data"], samples.Named("monitoring_test_free_bytes").Select(s => s["mount"]!).Order());
        Assert.Equal(0.5, samples.Named("monitoring_test_load").Single().Value);

        mounts.Remove("/data");
        load = null;
        samples = await scope.ScrapeAsync();
        Assert.Equal(["/"], samples.Named("monitoring_test_free_bytes").Select(s => s["mount"]!));
        Assert.Empty(samples.Named("monitoring_test_load"));

        mounts.Add("/data");
        load = 2;
        samples = await scope.ScrapeAsync();
        Assert.Equal(["/", "/data"], samples.Named("monitoring_test_free_bytes").Select(s => s["mount"]!).Order());
        Assert.Equal(2, samples.Named("monitoring_test_load").Single().Value);
    }

    [Fact]
    public async Task Counters_are_counters_and_histograms_use_the_advised_buckets()
    {
        using var scope = new MeterScope();
        scope.Meters.TasksFinished.Add(2, new("type", "demo.noop"), new("status", "completed"));
        scope.Meters.TaskDuration.Record(0.3, new KeyValuePair<string, object?>("type", "demo.noop"));

        var text = await scope.ScrapeTextAsync();
        Assert.Contains("# TYPE monitoring_tasks_finished_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE monitoring_task_duration_seconds histogram", text, StringComparison.Ordinal);
        var samples = Exposition.Parse(text);
        Assert.Equal(2, samples.Named("monitoring_tasks_finished_total").Single().Value);
        var buckets = samples.Named("monitoring_task_duration_seconds_bucket");
        Assert.Equal(0, buckets.Single(b => b["le"] == "0.25").Value);
        Assert.Equal(1, buckets.Single(b => b["le"] == "0.5").Value);
        Assert.Equal(1, buckets.Single(b => b["le"] == "+Inf").Value);
    }

    [Fact]
    public async Task Instruments_of_another_meter_with_the_same_name_are_not_exported()
    {
        using var scope = new MeterScope();
        using var other = new Meter(MonitoringMeters.MeterName);
        other.CreateCounter<long>("monitoring.stranger", description: "not ours").Add(1);

        Assert.DoesNotContain("monitoring_stranger", await scope.ScrapeTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bare_scrape_passes_promtool()
    {
        using var scope = new MeterScope();
        scope.Meters.HttpRequests.Add(1, new("method", "GET"), new("route", "/"), new("status", "200"));
        var result = await Promtool.CheckMetricsAsync(await scope.ScrapeTextAsync());
        Assert.True(result.ExitCode == 0 && result.Output.Length == 0, $"promtool check metrics exited {result.ExitCode}:\n{result.Output}");
    }
}
