using System.ComponentModel.DataAnnotations;

namespace Monitoring.Web.Jobs;

public sealed class ProbeOptions
{
    public const string Section = "Probes";

    [Range(1, 3600)]
    public int GpuIntervalSeconds { get; set; } = 5;

    /// <summary>GPU process lists cost milliseconds per GPU: read them on every Nth GPU probe only.</summary>
    [Range(1, 1000)]
    public int GpuProcessesEveryNth { get; set; } = 6;

    [Range(1, 3600)]
    public int SystemIntervalSeconds { get; set; } = 5;

    [Range(5, 3600)]
    public int PerformanceIntervalSeconds { get; set; } = 30;
}
