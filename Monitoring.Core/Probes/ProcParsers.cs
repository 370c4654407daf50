using System.Globalization;
using System.Text;

namespace Monitoring.Core.Probes;

/// <summary>
/// Parsers for the Linux procfs files the system probe reads (proc(5)). Each takes the whole file text and
/// returns null when the text is empty or not in the expected shape, never throws; columns a newer kernel
/// appends are ignored.
/// </summary>
internal static class ProcParsers
{
    /// <summary>
    /// Jiffies per second in every procfs tick count (USER_HZ). The kernel fixes it at 100 for user space on
    /// all Linux architectures .NET runs on, whatever the internal HZ, so <c>sysconf(_SC_CLK_TCK)</c> is not needed.
    /// </summary>
    public const int UserHz = 100;

    /// <summary>/proc/diskstats counts sectors of 512 bytes whatever the device's real sector size.</summary>
    private const int DiskStatsSectorBytes = 512;

    private static readonly char[] Blanks = [' ', '\t'];

    /// <summary>Filesystems with no storage behind them (or read-only images that are always full).</summary>
    private static readonly HashSet<string> VirtualFileSystems = new(StringComparer.Ordinal)
    {
        "proc", "sysfs", "devtmpfs", "devpts", "tmpfs", "ramfs", "cgroup", "cgroup2", "securityfs", "pstore",
        "bpf", "debugfs", "tracefs", "configfs", "fusectl", "mqueue", "hugetlbfs", "autofs", "binfmt_misc",
        "rpc_pipefs", "nsfs", "efivarfs", "selinuxfs", "squashfs", "iso9660", "fuse.lxcfs", "fuse.gvfsd-fuse",
        "fuse.portal",
    };

    /// <summary>
    /// Network filesystems are left out: statvfs on one whose server is unreachable can block for minutes, and
    /// the probe holds its lock while it reads disk space.
    /// </summary>
    private static readonly HashSet<string> NetworkFileSystems = new(StringComparer.Ordinal)
    {
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "9p", "fuse.sshfs", "fuse.glusterfs", "davfs", "fuse.rclone",
    };

    /// <summary>The aggregate <c>cpu</c> line of /proc/stat.</summary>
    /// <remarks>
    /// Columns: user nice system idle iowait irq softirq steal guest guest_nice. Idle time is idle + iowait;
    /// guest and guest_nice are already counted in user and nice, so they are not added to the total again.
    /// Kernels before 2.6 have only the first four columns.
    /// </remarks>
    public static CpuTimes? ParseCpuTimes(string text)
    {
        foreach (var line in Lines(text))
        {
            var fields = Fields(line);
            if (fields.Length == 0 || fields[0] != "cpu")
            {
                continue;
            }

            if (fields.Length < 5)
            {
                return null;
            }

            long total = 0;
            long idle = 0;
            for (var column = 1; column < Math.Min(fields.Length, 9); column++)
            {
                if (!TryParseLong(fields[column], out var ticks))
                {
                    return null;
                }

                total += ticks;
                if (column is 4 or 5)
                {
                    idle += ticks;
                }
            }

            return new CpuTimes(total - idle, total);
        }

        return null;
    }

    public static LoadAverages? ParseLoadAverages(string text)
    {
        var fields = Fields(text);
        if (fields.Length < 3
            || !TryParseDouble(fields[0], out var one)
            || !TryParseDouble(fields[1], out var five)
            || !TryParseDouble(fields[2], out var fifteen))
        {
            return null;
        }

        return new LoadAverages(one, five, fifteen);
    }

    /// <summary>
    /// Used = MemTotal − MemAvailable. Kernels before 3.14 have no MemAvailable; there the estimate is
    /// MemFree + Buffers + Cached, which is what <c>free</c> did on them.
    /// </summary>
    public static MemoryUsage? ParseMemory(string text)
    {
        long? total = null, available = null, free = null, buffers = null, cached = null;
        foreach (var line in Lines(text))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var fields = Fields(line[(colon + 1)..]);
            if (fields.Length == 0 || !TryParseLong(fields[0], out var value))
            {
                continue;
            }

            // Values are in kibibytes although the file says "kB".
            var bytes = value * 1024;
            switch (line[..colon])
            {
                case "MemTotal": total = bytes; break;
                case "MemAvailable": available = bytes; break;
                case "MemFree": free = bytes; break;
                case "Buffers": buffers = bytes; break;
                case "Cached": cached = bytes; break;
                default: break;
            }
        }

        available ??= free + buffers + cached;
        if (total is not { } totalBytes || available is not { } availableBytes)
        {
            return null;
        }

        return new MemoryUsage(Math.Max(0, totalBytes - availableBytes), totalBytes);
    }

    /// <summary>
    /// Every line of /proc/diskstats, whole disks and partitions alike; the probe picks the devices its mounts
    /// sit on. Columns: major minor name reads merged sectors_read ms writes merged sectors_written …
    /// Lines that do not parse are skipped; an empty result means nothing usable was found.
    /// </summary>
    public static IReadOnlyList<DiskCounters>? ParseDiskCounters(string text)
    {
        var disks = new List<DiskCounters>();
        foreach (var line in Lines(text))
        {
            var fields = Fields(line);
            if (fields.Length < 10
                || !TryParseInt(fields[0], out var major)
                || !TryParseInt(fields[1], out var minor)
                || !TryParseLong(fields[5], out var sectorsRead)
                || !TryParseLong(fields[9], out var sectorsWritten))
            {
                continue;
            }

            disks.Add(new DiskCounters(major, minor, fields[2], sectorsRead * DiskStatsSectorBytes, sectorsWritten * DiskStatsSectorBytes));
        }

        return disks.Count == 0 ? null : disks;
    }

    /// <summary>
    /// Mounts of real filesystems from /proc/self/mountinfo (proc(5)): <c>id parent major:minor root mount-point
    /// options [optional…] - fstype source super-options</c>. Virtual and network filesystems are left out, and so
    /// is overlay except as the root (a container's own filesystem; elsewhere it is another container's layer).
    /// Returns null when no line parses; an empty list when every mount is virtual.
    /// </summary>
    public static IReadOnlyList<MountEntry>? ParseMounts(string text)
    {
        var mounts = new List<MountEntry>();
        var parsedAny = false;
        foreach (var line in Lines(text))
        {
            var fields = Fields(line);
            var separator = fields.Length < 7 ? -1 : Array.IndexOf(fields, "-", 6);
            if (separator < 0 || separator + 2 >= fields.Length)
            {
                continue;
            }

            var device = fields[2].Split(':');
            if (device.Length != 2 || !TryParseInt(device[0], out var major) || !TryParseInt(device[1], out var minor))
            {
                continue;
            }

            parsedAny = true;
            var mountPoint = Unescape(fields[4]);
            var fileSystem = fields[separator + 1];
            if (!IsStorage(fileSystem, mountPoint))
            {
                continue;
            }

            mounts.Add(new MountEntry(mountPoint, major, minor, fileSystem, Unescape(fields[separator + 2])));
        }

        return parsedAny ? mounts : null;
    }

    /// <summary>Receive and transmit bytes of /proc/net/dev summed over all interfaces but <c>lo</c>.</summary>
    public static NetworkTotals? ParseNetworkTotals(string text)
    {
        long received = 0, transmitted = 0;
        var parsedAny = false;
        foreach (var line in Lines(text))
        {
            // Old kernels write "eth0:123" with no blank after the colon, so split there rather than on blanks.
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            var fields = Fields(line[(colon + 1)..]);
            if (name.Length == 0 || name.Contains('|', StringComparison.Ordinal) || fields.Length < 9
                || !TryParseLong(fields[0], out var rx) || !TryParseLong(fields[8], out var tx))
            {
                continue;
            }

            parsedAny = true;
            if (name == "lo")
            {
                continue;
            }

            received += rx;
            transmitted += tx;
        }

        return parsedAny ? new NetworkTotals(received, transmitted) : null;
    }

    /// <summary>utime + stime of /proc/self/stat in USER_HZ ticks.</summary>
    /// <remarks>
    /// Field 2 is the command name in parentheses and may itself hold blanks and parentheses, so the fields are
    /// counted from the last ')': utime and stime are fields 14 and 15 of the file.
    /// </remarks>
    public static long? ParseProcessCpuTicks(string text)
    {
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = Fields(text[(close + 1)..]);
        const int UtimeAfterName = 11;
        if (fields.Length <= UtimeAfterName + 1
            || !TryParseLong(fields[UtimeAfterName], out var user)
            || !TryParseLong(fields[UtimeAfterName + 1], out var system))
        {
            return null;
        }

        return user + system;
    }

    private static bool IsStorage(string fileSystem, string mountPoint) =>
        fileSystem == "overlay"
            ? mountPoint == "/"
            : !VirtualFileSystems.Contains(fileSystem) && !NetworkFileSystems.Contains(fileSystem);

    /// <summary>mountinfo writes blank, tab, newline and backslash in paths as octal escapes (<c>\040</c>).</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var result = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length
                && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                result.Append((char)(((field[i + 1] - '0') * 64) + ((field[i + 2] - '0') * 8) + (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                result.Append(field[i]);
            }
        }

        return result.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string[] Fields(string line) => line.Split(Blanks, StringSplitOptions.RemoveEmptyEntries);

    private static bool TryParseLong(string s, out long value) =>
        long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static bool TryParseInt(string s, out int value) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static bool TryParseDouble(string s, out double value) =>
        double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
}
