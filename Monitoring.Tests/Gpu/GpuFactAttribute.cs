namespace Monitoring.Tests.Gpu;

/// <summary>
/// A fact that needs a real NVIDIA GPU. Where there is none it is reported as skipped, with the reason on screen,
/// rather than passing without having checked anything.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GpuFactAttribute : FactAttribute
{
    public GpuFactAttribute()
    {
        if (NvidiaDriver.UnavailableReason is { } reason)
        {
            Skip = $"No NVIDIA GPU: libnvidia-ml.so.1 could not be loaded ({reason})";
        }
    }
}
