namespace Monitoring.Gpu;

/// <summary>Reads the GPUs of this machine. Implementations are thread-safe.</summary>
public interface IGpuProbe : IDisposable
{
    /// <summary><c>nvml</c>, <c>simulated</c> or <c>none</c>.</summary>
    string Provider { get; }

    GpuProbeStatus Status { get; }

    /// <summary>
    /// One sample per GPU, keyed by <see cref="GpuSample.Uuid"/>. Never throws for a per-GPU error: that GPU comes
    /// back with <see cref="GpuSample.Health"/> set instead. Empty when <see cref="Status"/> is unavailable.
    /// </summary>
    /// <param name="includeProcesses">The process list is slow (milliseconds per GPU); ask for it less often.</param>
    IReadOnlyList<GpuSample> Sample(bool includeProcesses);
}

public sealed record GpuProbeStatus(bool Available, string? Reason)
{
    public static GpuProbeStatus Ok { get; } = new(true, null);

    public static GpuProbeStatus Unavailable(string reason) => new(false, reason);
}

/// <summary>
/// One reading of one GPU. Memory is in bytes; a null metric is n/a on this GPU (NVML_ERROR_NOT_SUPPORTED) or
/// could not be read (then <see cref="HealthReason"/> says which). <see cref="MemoryFreeBytes"/> is NVML v2
/// <c>free = total - reserved - used</c> where the driver has it, which is what the scheduler's margin uses.
/// </summary>
public sealed record GpuSample(
    string Uuid,
    int Index,
    string Name,
    long MemoryTotalBytes,
    long MemoryUsedBytes,
    long MemoryFreeBytes,
    long? MemoryReservedBytes,
    double? UtilizationPercent,
    double? MemoryUtilizationPercent,
    double? TemperatureCelsius,
    double? PowerDrawWatts,
    double? PowerLimitWatts,
    double? EncoderUtilizationPercent,
    double? DecoderUtilizationPercent,
    int? SmClockMhz,
    int? MemoryClockMhz,
    bool? MigEnabled,
    IReadOnlyList<GpuProcess>? Processes,
    GpuHealth Health,
    string? HealthReason,
    DateTimeOffset At);

/// <param name="UsedMemoryBytes">Null where NVML reports NVML_VALUE_NOT_AVAILABLE (always under Windows WDDM).</param>
public sealed record GpuProcess(int Pid, long? UsedMemoryBytes);

public enum GpuHealth
{
    Ok,
    /// <summary>GPU_IS_LOST, RESET_REQUIRED or no longer enumerated: unschedulable until fixed.</summary>
    Lost,
    /// <summary>Identity or memory could not be read: do not schedule on it.</summary>
    Error,
}
