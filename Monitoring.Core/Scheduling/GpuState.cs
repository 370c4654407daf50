namespace Monitoring.Core.Scheduling;

/// <summary>What the scheduler knows of one GPU: the probe's last reading (up to one probe interval old).</summary>
/// <param name="Schedulable">False when the GPU is lost, needs a reset or could not be read.</param>
public sealed record GpuState(
    string Uuid,
    int Index,
    string Name,
    long TotalBytes,
    long FreeBytes,
    bool Schedulable,
    string? Problem,
    DateTimeOffset SampledAt);

/// <summary>The GPUs the scheduler may place work on. Implemented by the GPU probe side.</summary>
public interface IGpuInventory
{
    /// <summary>The latest reading of every known GPU (empty when there is none).</summary>
    IReadOnlyList<GpuState> Current { get; }

    /// <summary>Why there are no GPUs to schedule on, when there are none ("no NVIDIA GPU detected: …").</summary>
    string? UnavailableReason { get; }

    /// <summary>A task was placed and started on a GPU (the simulated GPUs follow this).</summary>
    void TaskStarted(string gpuUuid, long taskId, long bytes);

    void TaskFinished(long taskId);
}
