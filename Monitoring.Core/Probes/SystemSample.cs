namespace Monitoring.Core.Probes;

/// <summary>One reading of the machine and this process. Rates are over the interval since the
/// previous reading; null where the platform cannot tell (or on the first reading, for rates).</summary>
public sealed record SystemSample(
    DateTimeOffset At,
    double? CpuPercent,
    double? LoadAverage1,
    double? LoadAverage5,
    double? LoadAverage15,
    long? MemoryUsedBytes,
    long? MemoryTotalBytes,
    IReadOnlyList<DiskSample> Disks,
    double? NetworkReceiveBytesPerSecond,
    double? NetworkTransmitBytesPerSecond,
    double? ProcessCpuPercent,
    long ProcessWorkingSetBytes);

/// <param name="Mount">Mount point, e.g. <c>/</c> or <c>/data</c>.</param>
/// <param name="Device">Block device backing the mount when known, e.g. <c>vda</c>.</param>
public sealed record DiskSample(
    string Mount,
    string? Device,
    long TotalBytes,
    long FreeBytes,
    double? ReadBytesPerSecond,
    double? WriteBytesPerSecond);
