using Microsoft.Extensions.Logging;
using Monitoring.Core.Scheduling;

namespace Monitoring.Gpu;

/// <summary>The GPUs the scheduler sees: the probe's latest reading per GPU (refreshed by the GPU probe
/// job), kept by UUID. A GPU that becomes lost or unreadable turns unschedulable and is logged as an event;
/// a simulated GPU set follows the tasks placed on it.</summary>
public sealed class GpuInventory(IGpuProbe probe, ILogger<GpuInventory> logger) : IGpuInventory, IDisposable
{
    private readonly object _lock = new();
    private IReadOnlyList<GpuSample> _samples = [];
    private IReadOnlyList<GpuState> _states = [];

    public IGpuProbe Probe { get; } = probe;

    public IReadOnlyList<GpuSample> Samples
    {
        get
        {
            lock (_lock)
            {
                return _samples;
            }
        }
    }

    public IReadOnlyList<GpuState> Current
    {
        get
        {
            lock (_lock)
            {
                return _states;
            }
        }
    }

    public DateTimeOffset? LastSampledAt { get; private set; }

    public string? LastError { get; private set; }

    public string? UnavailableReason => Probe.Status.Available ? null : Probe.Status.Reason ?? "GPU probing is unavailable";

    /// <summary>Reads every GPU once. Processes are read only when asked (they cost milliseconds per GPU).</summary>
    public IReadOnlyList<GpuSample> Refresh(bool includeProcesses)
    {
        IReadOnlyList<GpuSample> samples;
        try
        {
            samples = Probe.Sample(includeProcesses);
            LastError = null;
        }
#pragma warning disable CA1031 // A failing driver must not stop the probe job; the error is kept and logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LastError = ex.Message;
            logger.LogError(ex, "GPU probe ({Provider}) failed", Probe.Provider);
            return Samples;
        }

        lock (_lock)
        {
            var before = _states.ToDictionary(s => s.Uuid);
            _states = samples.Select(ToState).ToList();
            foreach (var state in _states)
            {
                var wasSchedulable = before.TryGetValue(state.Uuid, out var old) ? old.Schedulable : true;
                if (wasSchedulable && !state.Schedulable)
                {
                    logger.LogError("GPU {Uuid} ({Name}) is unschedulable: {Problem}", state.Uuid, state.Name, state.Problem);
                }
                else if (!wasSchedulable && state.Schedulable)
                {
                    logger.LogWarning("GPU {Uuid} ({Name}) is schedulable again", state.Uuid, state.Name);
                }
            }

            _samples = samples;
            LastSampledAt = samples.Count > 0 ? samples.Max(s => s.At) : LastSampledAt;
        }

        return samples;
    }

    public void TaskStarted(string gpuUuid, long taskId, long bytes)
    {
        if (Probe is SimulatedGpuProbe simulated && !simulated.Reserve(gpuUuid, taskId, bytes))
        {
            logger.LogWarning("Simulated GPU {Uuid} could not hold {Bytes} bytes for task {TaskId}", gpuUuid, bytes, taskId);
        }
    }

    public void TaskFinished(long taskId)
    {
        if (Probe is SimulatedGpuProbe simulated)
        {
            simulated.Release(taskId);
        }
    }

    public void Dispose() => Probe.Dispose();

    private static GpuState ToState(GpuSample sample) => new(
        sample.Uuid, sample.Index, sample.Name, sample.MemoryTotalBytes, sample.MemoryFreeBytes,
        sample.Health == GpuHealth.Ok, sample.Health == GpuHealth.Ok ? null : sample.HealthReason ?? sample.Health.ToString(), sample.At);
}
