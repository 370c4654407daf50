using System.Diagnostics;

namespace Monitoring.Core.Probes;

/// <summary>
/// Reads CPU, load, memory, disks, network and this process's own use (SPEC §5, System). On Linux from procfs;
/// elsewhere only disk space and this process's CPU and working set, the rest null. Rates are over the interval
/// since the previous call, timed by the injected <see cref="TimeProvider"/>, so the first sample has none.
/// </summary>
/// <remarks>
/// Thread-safe: one sample at a time. The only state kept between calls is the previous reading.
/// <see cref="Sample"/> never throws for a missing or malformed file; that metric is null and
/// <see cref="LastError"/> says why.
/// </remarks>
public sealed class SystemProbe
{
    private readonly TimeProvider _clock;
    private readonly string? _procRoot;
    private readonly Lock _gate = new();
    private Reading? _previous;
    private string? _lastError;

    public SystemProbe(TimeProvider clock)
        : this(clock, OperatingSystem.IsLinux() ? "/proc" : null)
    {
    }

    /// <param name="procRoot">Folder laid out like <c>/proc</c> (stat, loadavg, meminfo, diskstats, net/dev,
    /// self/stat, self/mountinfo); null or missing to read the way non-Linux systems are read.</param>
    internal SystemProbe(TimeProvider clock, string? procRoot)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _procRoot = procRoot is not null && Directory.Exists(procRoot) ? procRoot : null;
    }

    /// <summary>What the latest <see cref="Sample"/> could not read, one clause per file; null when it read everything.</summary>
    public string? LastError
    {
        get
        {
            lock (_gate)
            {
                return _lastError;
            }
        }
    }

    /// <summary>
    /// Reads everything now. <see cref="SystemSample.CpuPercent"/> is the busy share of all cores together
    /// (0–100); <see cref="SystemSample.ProcessCpuPercent"/> is this process's CPU time as a share of ONE core,
    /// so it exceeds 100 when the process keeps several cores busy (like <c>top</c>).
    /// </summary>
    public SystemSample Sample()
    {
        lock (_gate)
        {
            var errors = new List<string>();
            var now = _clock.GetUtcNow();
            var previous = _previous;
            var seconds = previous is null ? 0 : (now - previous.At).TotalSeconds;

            var (current, load, memory, disks) = _procRoot is { } root
                ? ReadProc(root, now, previous, seconds, errors)
                : ReadWithoutProc(now, errors);

            _previous = current;
            _lastError = errors.Count == 0 ? null : string.Join("; ", errors);

            return new SystemSample(
                now,
                CpuPercent(previous?.Cpu, current.Cpu),
                load?.One,
                load?.Five,
                load?.Fifteen,
                memory?.UsedBytes,
                memory?.TotalBytes,
                disks,
                Rate(previous?.Network?.ReceivedBytes, current.Network?.ReceivedBytes, seconds),
                Rate(previous?.Network?.TransmittedBytes, current.Network?.TransmittedBytes, seconds),
                Rate(previous?.ProcessCpu?.Ticks, current.ProcessCpu?.Ticks, seconds) is { } ticksPerSecond
                    ? ticksPerSecond / TimeSpan.TicksPerSecond * 100
                    : null,
                Environment.WorkingSet);
        }
    }

    private static (Reading, LoadAverages?, MemoryUsage?, IReadOnlyList<DiskSample>) ReadProc(
        string root, DateTimeOffset now, Reading? previous, double seconds, List<string> errors)
    {
        var cpu = Read(root, "stat", ProcParsers.ParseCpuTimes, errors);
        var load = Read(root, "loadavg", ProcParsers.ParseLoadAverages, errors);
        var memory = Read(root, "meminfo", ProcParsers.ParseMemory, errors);
        var network = Read(root, "net/dev", ProcParsers.ParseNetworkTotals, errors);
        var processTicks = Read(root, "self/stat", ProcParsers.ParseProcessCpuTicks, errors);
        var mounts = Read(root, "self/mountinfo", ProcParsers.ParseMounts, errors) ?? [];
        var counters = Read(root, "diskstats", ProcParsers.ParseDiskCounters, errors) ?? [];

        var disks = new List<DiskSample>();
        var deviceCounters = new Dictionary<string, DiskCounters>(StringComparer.Ordinal);
        foreach (var mount in DistinctFileSystems(mounts))
        {
            if (DiskSpace(mount.MountPoint) is not { } space)
            {
                continue;
            }

            var device = FindDevice(mount, counters);
            double? readRate = null, writeRate = null;
            if (device is { } found)
            {
                deviceCounters[found.Device] = found;
                if (previous?.DiskCounters.TryGetValue(found.Device, out var before) == true)
                {
                    readRate = Rate(before.ReadBytes, found.ReadBytes, seconds);
                    writeRate = Rate(before.WrittenBytes, found.WrittenBytes, seconds);
                }
            }

            disks.Add(new DiskSample(mount.MountPoint, device?.Device, space.Total, space.Free, readRate, writeRate));
        }

        // USER_HZ ticks to TimeSpan ticks (exact: 100 000 each), so both ways of reading process CPU share one field.
        var processCpu = processTicks is { } ticks ? TimeSpan.FromTicks(ticks * (TimeSpan.TicksPerSecond / ProcParsers.UserHz)) : (TimeSpan?)null;
        return (new Reading(now, cpu, network, processCpu, deviceCounters), load, memory, disks);
    }

    private static (Reading, LoadAverages?, MemoryUsage?, IReadOnlyList<DiskSample>) ReadWithoutProc(
        DateTimeOffset now, List<string> errors)
    {
        var disks = new List<DiskSample>();
        try
        {
            foreach (var drive in DriveInfo.GetDrives())
            {
                if (drive.DriveType == DriveType.Fixed && drive.IsReady && DiskSpace(drive.Name) is { } space)
                {
                    disks.Add(new DiskSample(drive.Name, null, space.Total, space.Free, null, null));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"drives: {ex.Message}");
        }

        TimeSpan? processCpu = null;
        try
        {
            using var process = Process.GetCurrentProcess();
            processCpu = process.TotalProcessorTime;
        }
        catch (Exception ex) when (ex is PlatformNotSupportedException or NotSupportedException or InvalidOperationException)
        {
            errors.Add($"process CPU: {ex.Message}");
        }

        return (new Reading(now, null, null, processCpu, new Dictionary<string, DiskCounters>()), null, null, disks);
    }

    private static T Read<T>(string root, string relativePath, Func<string, T> parse, List<string> errors)
    {
        var path = Path.Combine(root, relativePath);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            errors.Add($"{path}: missing");
            return default!;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{path}: {ex.Message}");
            return default!;
        }

        var value = parse(text);
        if (value is null)
        {
            errors.Add($"{path}: unrecognized content");
        }

        return value;
    }

    /// <summary>
    /// One mount per filesystem: bind mounts and btrfs subvolumes repeat a device, and would show the same space
    /// twice. The shortest mount point stands for the device. Mounts of single files (a container's
    /// <c>/etc/hosts</c>) are not disks.
    /// </summary>
    private static IEnumerable<MountEntry> DistinctFileSystems(IReadOnlyList<MountEntry> mounts) =>
        mounts
            .Where(m => Directory.Exists(m.MountPoint))
            .GroupBy(m => (m.Major, m.Minor))
            .Select(g => g.OrderBy(m => m.MountPoint.Length).First())
            .OrderBy(m => m.MountPoint, StringComparer.Ordinal);

    /// <summary>By device number; failing that (btrfs reports an anonymous one) by the <c>/dev/…</c> source name.</summary>
    private static DiskCounters? FindDevice(MountEntry mount, IReadOnlyList<DiskCounters> counters)
    {
        foreach (var disk in counters)
        {
            if (disk.Major == mount.Major && disk.Minor == mount.Minor)
            {
                return disk;
            }
        }

        if (mount.Source.StartsWith("/dev/", StringComparison.Ordinal))
        {
            var name = Path.GetFileName(mount.Source);
            foreach (var disk in counters)
            {
                if (disk.Device == name)
                {
                    return disk;
                }
            }
        }

        return null;
    }

    /// <summary>Total and free bytes, or null for a mount this user cannot stat (skipped, not an error: another
    /// user's FUSE mount or a vanished removable drive is normal).</summary>
    private static (long Total, long Free)? DiskSpace(string mountPoint)
    {
        try
        {
            var drive = new DriveInfo(mountPoint);
            return (drive.TotalSize, drive.AvailableFreeSpace);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static double? CpuPercent(CpuTimes? previous, CpuTimes? current)
    {
        if (previous is not { } before || current is not { } now)
        {
            return null;
        }

        var total = now.TotalTicks - before.TotalTicks;
        var busy = now.BusyTicks - before.BusyTicks;
        return total <= 0 || busy < 0 ? null : Math.Clamp(100.0 * busy / total, 0, 100);
    }

    /// <summary>Per second; null without a previous value, without elapsed time, or when the counter went back
    /// (an interface or device disappeared).</summary>
    private static double? Rate(long? previous, long? current, double seconds) =>
        previous is { } before && current is { } now && seconds > 0 && now >= before
            ? (now - before) / seconds
            : null;

    /// <summary>The cumulative counters a rate needs from the previous call.</summary>
    private sealed record Reading(
        DateTimeOffset At,
        CpuTimes? Cpu,
        NetworkTotals? Network,
        TimeSpan? ProcessCpu,
        IReadOnlyDictionary<string, DiskCounters> DiskCounters);
}
