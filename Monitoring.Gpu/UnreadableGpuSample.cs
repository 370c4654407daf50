namespace Monitoring.Gpu;

internal static class UnreadableGpuSample
{
    /// <summary>
    /// A GPU that is lost or cannot be read. It keeps its identity and total memory from the last good sample, so it
    /// stays visible under its UUID, and reports no free memory, so nothing that overlooks Health places work on it.
    /// </summary>
    internal static GpuSample From(GpuSample? last, string uuid, int index, GpuHealth health, string reason, DateTimeOffset at) =>
        new(
            Uuid: uuid,
            Index: index,
            Name: last?.Name ?? "unknown GPU",
            MemoryTotalBytes: last?.MemoryTotalBytes ?? 0,
            MemoryUsedBytes: last?.MemoryUsedBytes ?? 0,
            MemoryFreeBytes: 0,
            MemoryReservedBytes: last?.MemoryReservedBytes,
            UtilizationPercent: null,
            MemoryUtilizationPercent: null,
            TemperatureCelsius: null,
            PowerDrawWatts: null,
            PowerLimitWatts: last?.PowerLimitWatts,
            EncoderUtilizationPercent: null,
            DecoderUtilizationPercent: null,
            SmClockMhz: null,
            MemoryClockMhz: null,
            MigEnabled: last?.MigEnabled,
            Processes: null,
            Health: health,
            HealthReason: reason,
            At: at);
}
