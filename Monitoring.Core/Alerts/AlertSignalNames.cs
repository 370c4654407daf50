using Monitoring.Core.Metrics;

namespace Monitoring.Core.Alerts;

/// <summary>Signals that rules can watch besides the stored series of <see cref="MetricNames"/>: computed at each
/// evaluation from what the process holds (request timings, GPU health, job freshness) or from short queries.
/// Named as a Prometheus series would be; where <c>/metrics</c> has the same series the name is the same.</summary>
public static class AlertSignalNames
{
    /// <summary>p95 of HTTP request durations over the last 5 minutes (0 without requests).</summary>
    public const string HttpRequestDurationP95Seconds = "monitoring_http_request_duration_p95_seconds";

    /// <summary>Share of HTTP requests answered 5xx over the last 5 minutes (0 without requests).</summary>
    public const string HttpErrorRatio = "monitoring_http_error_ratio";

    /// <summary>Failed ÷ (completed + failed) over tasks finished in the last 5 minutes (0 when none finished).</summary>
    public const string TaskFailureRatio = "monitoring_tasks_failure_ratio";

    /// <summary>Per <c>uuid</c>: 1 healthy, 0 lost / reset required / unreadable.</summary>
    public const string GpuUp = "monitoring_gpu_up";

    /// <summary>Per <c>job</c>: 1 when the periodic job has not started for three intervals.</summary>
    public const string JobStale = "monitoring_job_stale";

    /// <summary>1 when pending tasks grew over the last 5 minutes while GPUs exist and averaged under 10 % utilization.</summary>
    public const string QueueGrowingWhileGpusIdle = "monitoring_queue_growing_while_gpus_idle";

    /// <summary>Per task <c>type</c>: running tasks whose elapsed time exceeds twice the type's p99 duration.</summary>
    public const string TasksRunningOverP99 = "monitoring_tasks_running_over_p99";

    public static IReadOnlyList<string> Derived { get; } =
    [
        HttpRequestDurationP95Seconds, HttpErrorRatio, TaskFailureRatio, GpuUp, JobStale, QueueGrowingWhileGpusIdle, TasksRunningOverP99,
    ];

    /// <summary>Every name a rule may watch.</summary>
    public static IReadOnlySet<string> Known { get; } = MetricNames.All.Concat(Derived).ToHashSet(StringComparer.Ordinal);
}
