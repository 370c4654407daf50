namespace Monitoring.Gpu;

/// <summary>The probe when there are no GPUs to read, with the reason shown to operators.</summary>
public sealed class NoGpuProbe(string reason) : IGpuProbe
{
    public string Provider => "none";

    public GpuProbeStatus Status { get; } = GpuProbeStatus.Unavailable(reason);

    public IReadOnlyList<GpuSample> Sample(bool includeProcesses) => [];

    public void Dispose()
    {
    }
}
