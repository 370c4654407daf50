using System.ComponentModel.DataAnnotations;

namespace Monitoring.Core.Workers;

public sealed class WorkerOptions
{
    public const string Section = "Workers";
    public const int MaxCount = 256;

    /// <summary>Worker pool size: the most tasks that run at once.</summary>
    [Range(1, MaxCount)]
    public int Count { get; set; } = 4;
}
