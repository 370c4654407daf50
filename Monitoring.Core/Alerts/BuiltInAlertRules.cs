using Monitoring.Core.Metrics;

namespace Monitoring.Core.Alerts;

/// <summary>A default rule of SPEC §6. <see cref="Expression"/> is the same condition in PromQL over the
/// <c>/metrics</c> series, for the generated Prometheus rules file (deploy/prometheus/monitoring-rules.yml).</summary>
public sealed record BuiltInAlertRule(
    string Key,
    string Name,
    string Metric,
    AlertComparison Comparison,
    double Threshold,
    TimeSpan For,
    AlertSeverity Severity,
    string Summary,
    string Expression)
{
    public AlertRule ToRule(DateTimeOffset now) => new()
    {
        Name = Name,
        Metric = Metric,
        Comparison = Comparison,
        Threshold = Threshold,
        ForSeconds = (int)For.TotalSeconds,
        Severity = Severity,
        Summary = Summary,
        BuiltIn = Key,
        Enabled = true,
        CreatedAt = now,
        UpdatedAt = now,
    };
}

public static class BuiltInAlertRules
{
    private const string HttpP95 =
        "histogram_quantile(0.95, sum by (le) (rate(monitoring_http_request_duration_seconds_bucket[5m])))";

    private const string HttpErrorRatio =
        "sum(rate(monitoring_http_requests_total{status=~\"5..\"}[5m])) / sum(rate(monitoring_http_requests_total[5m]))";

    private const string MemoryRatio = "monitoring_system_memory_used_bytes / monitoring_system_memory_total_bytes";

    public static IReadOnlyList<BuiltInAlertRule> All { get; } =
    [
        new("http-latency-p95-warning", "HttpLatencyP95High", AlertSignalNames.HttpRequestDurationP95Seconds, AlertComparison.GreaterThan, 1,
            TimeSpan.FromMinutes(1), AlertSeverity.Warning, "API latency p95 is {{ $value }} s (over 1 s)", $"{HttpP95} > 1"),
        new("http-latency-p95-critical", "HttpLatencyP95Critical", AlertSignalNames.HttpRequestDurationP95Seconds, AlertComparison.GreaterThan, 5,
            TimeSpan.FromMinutes(1), AlertSeverity.Critical, "API latency p95 is {{ $value }} s (over 5 s)", $"{HttpP95} > 5"),
        new("http-error-rate-warning", "HttpErrorRateHigh", AlertSignalNames.HttpErrorRatio, AlertComparison.GreaterThan, 0.05,
            TimeSpan.FromMinutes(1), AlertSeverity.Warning, "{{ $value }} of HTTP requests failed with 5xx in 5 minutes (over 5 %)", $"{HttpErrorRatio} > 0.05"),
        new("http-error-rate-critical", "HttpErrorRateCritical", AlertSignalNames.HttpErrorRatio, AlertComparison.GreaterThan, 0.10,
            TimeSpan.FromMinutes(1), AlertSeverity.Critical, "{{ $value }} of HTTP requests failed with 5xx in 5 minutes (over 10 %)", $"{HttpErrorRatio} > 0.1"),
        new("memory-warning", "MemoryUsageHigh", MetricNames.SystemMemoryUsedRatio, AlertComparison.GreaterThan, 0.75,
            TimeSpan.FromMinutes(2), AlertSeverity.Warning, "Machine memory is {{ $value }} used (over 75 %)", $"{MemoryRatio} > 0.75"),
        new("memory-critical", "MemoryUsageCritical", MetricNames.SystemMemoryUsedRatio, AlertComparison.GreaterThan, 0.90,
            TimeSpan.FromMinutes(2), AlertSeverity.Critical, "Machine memory is {{ $value }} used (over 90 %)", $"{MemoryRatio} > 0.9"),
        new("cpu-warning", "CpuUsageHigh", MetricNames.SystemCpuRatio, AlertComparison.GreaterThan, 0.80,
            TimeSpan.FromMinutes(5), AlertSeverity.Warning, "Machine CPU is {{ $value }} busy (over 80 % for 5 minutes)", "monitoring_system_cpu_ratio > 0.8"),
        new("queue-backlog", "QueueBacklogHigh", MetricNames.TasksQueued, AlertComparison.GreaterThan, 1000,
            TimeSpan.FromMinutes(5), AlertSeverity.Warning, "{{ $value }} tasks are queued (over 1000 for 5 minutes)", "sum(monitoring_tasks_queued) > 1000"),
        new("task-failure-rate", "TaskFailureRateHigh", AlertSignalNames.TaskFailureRatio, AlertComparison.GreaterThan, 0.10,
            TimeSpan.Zero, AlertSeverity.Warning, "{{ $value }} of the tasks finished in 5 minutes failed (over 10 %)",
            "sum(increase(monitoring_tasks_finished_total{status=\"failed\"}[5m])) / sum(increase(monitoring_tasks_finished_total{status=~\"completed|failed\"}[5m])) > 0.1"),
        new("gpu-temperature", "GpuTemperatureHigh", MetricNames.GpuTemperatureCelsius, AlertComparison.GreaterThan, 85,
            TimeSpan.FromMinutes(1), AlertSeverity.Critical, "GPU {{ $labels.uuid }} is at {{ $value }} °C (over 85 °C)", "monitoring_gpu_temperature_celsius > 85"),
        new("gpu-lost", "GpuLost", AlertSignalNames.GpuUp, AlertComparison.Equal, 0,
            TimeSpan.Zero, AlertSeverity.Critical, "GPU {{ $labels.uuid }} is lost or needs a reset; it gets no tasks", "monitoring_gpu_up == 0"),
        new("job-stale", "PeriodicJobStale", AlertSignalNames.JobStale, AlertComparison.Equal, 1,
            TimeSpan.Zero, AlertSeverity.Warning, "Periodic job {{ $labels.job }} has not run for three of its intervals", "monitoring_job_stale == 1"),
        new("queue-growing-gpus-idle", "QueueGrowingWhileGpusIdle", AlertSignalNames.QueueGrowingWhileGpusIdle, AlertComparison.Equal, 1,
            TimeSpan.Zero, AlertSeverity.Warning, "The queue grew over 5 minutes while the GPUs averaged under 10 % utilization",
            "(sum(monitoring_tasks_queued) - sum(monitoring_tasks_queued offset 5m) > 0) and on () (avg(avg_over_time(monitoring_gpu_utilization_ratio[5m])) < 0.1)"),
        new("task-running-over-p99", "TaskRunningTooLong", AlertSignalNames.TasksRunningOverP99, AlertComparison.GreaterThan, 0,
            TimeSpan.Zero, AlertSeverity.Warning, "{{ $value }} {{ $labels.type }} task(s) have run longer than twice the type's p99 duration",
            "monitoring_tasks_running_over_p99 > 0"),
    ];
}
