namespace Monitoring.Core.Probes;

/// <summary>Cumulative CPU time of all cores since boot, in USER_HZ ticks (aggregate <c>cpu</c> line of /proc/stat).</summary>
internal readonly record struct CpuTimes(long BusyTicks, long TotalTicks);

internal readonly record struct LoadAverages(double One, double Five, double Fifteen);

internal readonly record struct MemoryUsage(long UsedBytes, long TotalBytes);

/// <summary>One line of /proc/diskstats: cumulative bytes since boot for a block device or partition.</summary>
internal readonly record struct DiskCounters(int Major, int Minor, string Device, long ReadBytes, long WrittenBytes);

/// <summary>A mount of a real (storage-backed) filesystem from /proc/self/mountinfo.</summary>
/// <param name="Source">What was mounted, e.g. <c>/dev/vda1</c>; not necessarily a path.</param>
internal sealed record MountEntry(string MountPoint, int Major, int Minor, string FileSystem, string Source);

/// <summary>Cumulative bytes since boot summed over every interface except loopback.</summary>
internal readonly record struct NetworkTotals(long ReceivedBytes, long TransmittedBytes);
