namespace Monitoring.Core.Metrics;

/// <summary>The series the product records, named as <c>/metrics</c> exposes them (Prometheus conventions: base
/// units, <c>_ratio</c> for 0–1). Labels: <c>uuid</c> for GPUs, <c>mount</c> for disks, <c>type</c> for task types;
/// never a task id, so the number of series stays bounded.</summary>
public static class MetricNames
{
    public const string GpuMemoryUsedBytes = "monitoring_gpu_memory_used_bytes";
    public const string GpuMemoryFreeBytes = "monitoring_gpu_memory_free_bytes";
    public const string GpuUtilizationRatio = "monitoring_gpu_utilization_ratio";
    public const string GpuTemperatureCelsius = "monitoring_gpu_temperature_celsius";
    public const string GpuPowerWatts = "monitoring_gpu_power_watts";

    public const string SystemCpuRatio = "monitoring_system_cpu_ratio";
    public const string SystemMemoryUsedBytes = "monitoring_system_memory_used_bytes";
    /// <summary>Used ÷ total memory, 0–1 (the memory alerts' signal).</summary>
    public const string SystemMemoryUsedRatio = "monitoring_system_memory_used_ratio";
    public const string SystemLoad1 = "monitoring_system_load1";
    public const string ProcessWorkingSetBytes = "monitoring_process_working_set_bytes";
    public const string ProcessCpuRatio = "monitoring_process_cpu_ratio";
    public const string NetworkReceiveBytesPerSecond = "monitoring_network_receive_bytes_per_second";
    public const string NetworkTransmitBytesPerSecond = "monitoring_network_transmit_bytes_per_second";
    public const string DiskFreeBytes = "monitoring_disk_free_bytes";

    public const string TasksQueued = "monitoring_tasks_queued";
    public const string TasksProcessing = "monitoring_tasks_processing";
    public const string TasksSuccessRatio = "monitoring_tasks_success_ratio";
    public const string TaskDurationP95Seconds = "monitoring_task_duration_p95_seconds";
    public const string TaskQueueWaitP95Seconds = "monitoring_task_queue_wait_p95_seconds";
    public const string TasksCompletedPerMinute = "monitoring_tasks_completed_per_minute";
    public const string TasksFailedPerMinute = "monitoring_tasks_failed_per_minute";
    public const string WorkersBusy = "monitoring_workers_busy";
    public const string WorkersSize = "monitoring_workers_size";

    public static IReadOnlyList<string> All { get; } =
    [
        GpuMemoryUsedBytes, GpuMemoryFreeBytes, GpuUtilizationRatio, GpuTemperatureCelsius, GpuPowerWatts,
        SystemCpuRatio, SystemMemoryUsedBytes, SystemMemoryUsedRatio, SystemLoad1, ProcessWorkingSetBytes, ProcessCpuRatio,
        NetworkReceiveBytesPerSecond, NetworkTransmitBytesPerSecond, DiskFreeBytes,
        TasksQueued, TasksProcessing, TasksSuccessRatio, TaskDurationP95Seconds, TaskQueueWaitP95Seconds,
        TasksCompletedPerMinute, TasksFailedPerMinute, WorkersBusy, WorkersSize,
    ];
}
