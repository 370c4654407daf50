namespace Monitoring.Gpu;

/// <summary>GPU probes (NVML through P/Invoke, a simulated set) arrive with the scheduler issue.</summary>
internal static class GpuAssembly;
