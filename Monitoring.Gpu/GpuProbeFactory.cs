namespace Monitoring.Gpu;

public static class GpuProbeFactory
{
    /// <summary>
    /// Creates the configured probe. Never throws because a GPU or driver is missing: the probe's
    /// <see cref="IGpuProbe.Status"/> and <paramref name="reason"/> say why there is nothing to read.
    /// </summary>
    /// <param name="reason">Null when the probe is available; otherwise the text the UI shows.</param>
    public static IGpuProbe Create(GpuOptions options, TimeProvider clock, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);

        IGpuProbe probe;
        switch (options.Provider.ToUpperInvariant())
        {
            case "AUTO":
                var nvml = NvmlGpuProbe.Create(clock, options.Nvml.LibraryPath);
                if (nvml.Status.Available)
                {
                    probe = nvml;
                    break;
                }

                nvml.Dispose();
                probe = new NoGpuProbe($"no NVIDIA GPU detected: {nvml.Status.Reason}");
                break;
            case "NVML":
                probe = NvmlGpuProbe.Create(clock, options.Nvml.LibraryPath);
                break;
            case "SIMULATED":
                probe = new SimulatedGpuProbe(options.Simulated.Count, options.Simulated.MemoryBytes, clock);
                break;
            case "NONE":
                probe = new NoGpuProbe("GPU probing is off (Gpu:Provider = none)");
                break;
            default:
                throw new ArgumentException(
                    $"Gpu:Provider '{options.Provider}' is not one of auto, nvml, simulated, none.", nameof(options));
        }

        reason = probe.Status.Reason;
        return probe;
    }
}
