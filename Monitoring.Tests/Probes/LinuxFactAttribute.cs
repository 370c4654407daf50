namespace Monitoring.Tests.Probes;

/// <summary>A fact about what procfs reports. Elsewhere it is reported as skipped, with the reason on screen.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Needs Linux: the probe reads CPU, load, memory and network only from /proc";
        }
    }
}
