using System.ComponentModel.DataAnnotations;

namespace Monitoring.Core.Workers;

public sealed class WorkerOptions
{
    public const string Section = "Workers";
    public const int MaxCount = 256;
    public const int MaxShutdownGraceSeconds = 3600;

    /// <summary>Worker pool size: the most tasks that run at once.</summary>
    [Range(1, MaxCount)]
    public int Count { get; set; } = 4;

    /// <summary>On a graceful stop (SIGTERM), how long running tasks may take to finish before they are
    /// stopped and put back in the queue without using up an attempt.</summary>
    [Range(0, MaxShutdownGraceSeconds)]
    public int ShutdownGraceSeconds { get; set; } = 30;
}
