using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Monitoring.Gpu;

public sealed class GpuOptions
{
    public const string Section = "Gpu";

    /// <summary><c>auto</c> (nvml if it loads, else none), <c>nvml</c>, <c>simulated</c> or <c>none</c>.</summary>
    [Required(ErrorMessage = "Gpu:Provider must be auto, nvml, simulated or none.")]
    [RegularExpression("^(?i:auto|nvml|simulated|none)$", ErrorMessage = "Gpu:Provider must be auto, nvml, simulated or none.")]
    public string Provider { get; set; } = "auto";

    [ValidateObjectMembers]
    public SimulatedGpuOptions Simulated { get; set; } = new();

    public NvmlGpuOptions Nvml { get; set; } = new();
}

public sealed class NvmlGpuOptions
{
    /// <summary>
    /// The NVML library to load, for a driver installed outside the usual places; empty: libnvidia-ml.so.1 (Linux) or
    /// nvml.dll under System32 / NVSMI (Windows). When set, only this file is tried, so a wrong path shows as the reason.
    /// </summary>
    public string? LibraryPath { get; set; }
}

public sealed class SimulatedGpuOptions
{
    [Range(1, 64, ErrorMessage = "Gpu:Simulated:Count must be between 1 and 64.")]
    public int Count { get; set; } = 2;

    [Range(1L << 30, long.MaxValue, ErrorMessage = "Gpu:Simulated:MemoryBytes must be at least 1 GiB (1073741824).")]
    public long MemoryBytes { get; set; } = 24L << 30;
}
