using Microsoft.Extensions.Time.Testing;
using Monitoring.Core.Probes;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Probes;

/// <summary>
/// The probe over a fake /proc tree that each test rewrites between samples, timed by a fake clock, so every rate
/// has one exact expected value. Disk space still comes from the real filesystem at the mount points listed.
/// </summary>
public sealed class SystemProbeTests : IDisposable
{
    private const string RootMount = "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n";

    private readonly TempDirectory _proc = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly SystemProbe _probe;

    public SystemProbeTests()
    {
        Write("stat", "cpu  1000 0 500 8000 500 0 0 0 0 0\ncpu0 1000 0 500 8000 500 0 0 0 0 0\n");
        Write("loadavg", "0.50 0.40 0.30 1/100 1234\n");
        Write("meminfo", "MemTotal:  1000 kB\nMemFree:  100 kB\nMemAvailable:  250 kB\n");
        Write("self/mountinfo", RootMount
            + "25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw\n"
            + "28 27 254:16 / /no/such/mount rw,relatime - ext4 /dev/vdb rw\n");
        Write("diskstats", Disks(vdaSectorsRead: 1000, vdaSectorsWritten: 4000));
        Write("net/dev", Network(eth0Received: 1_000_000, eth0Transmitted: 500, loopback: 7));
        Write("self/stat", ProcessStat(userTicks: 60, systemTicks: 40));
        _probe = new SystemProbe(_clock, _proc.Path);
    }

    public void Dispose() => _proc.Dispose();

    [Fact]
    public void FirstSample_HasLevelsButNoRates()
    {
        var sample = _probe.Sample();

        Assert.Equal(_clock.GetUtcNow(), sample.At);
        Assert.Null(sample.CpuPercent);
        Assert.Equal((0.50, 0.40, 0.30), (sample.LoadAverage1, sample.LoadAverage5, sample.LoadAverage15));
        Assert.Equal(750 * 1024, sample.MemoryUsedBytes);
        Assert.Equal(1000 * 1024, sample.MemoryTotalBytes);
        var disk = Assert.Single(sample.Disks);
        Assert.Equal(("/", "vda"), (disk.Mount, disk.Device));
        Assert.Null(disk.ReadBytesPerSecond);
        Assert.Null(disk.WriteBytesPerSecond);
        Assert.Null(sample.NetworkReceiveBytesPerSecond);
        Assert.Null(sample.NetworkTransmitBytesPerSecond);
        Assert.Null(sample.ProcessCpuPercent);
        Assert.True(sample.ProcessWorkingSetBytes > 0);
        Assert.Null(_probe.LastError);
    }

    [Fact]
    public void SecondSample_FiveSecondsLater_HasExactRates()
    {
        _probe.Sample();
        // 1600 more ticks in total, of which 900 busy (600 user, 200 system, 100 softirq) and 700 idle + iowait.
        Write("stat", "cpu  1600 0 700 8600 600 0 100 0 0 0\n");
        Write("diskstats", Disks(vdaSectorsRead: 3000, vdaSectorsWritten: 14000));
        Write("net/dev", Network(eth0Received: 6_000_000, eth0Transmitted: 5_500, loopback: 900_000_000));
        Write("self/stat", ProcessStat(userTicks: 860, systemTicks: 240));
        _clock.Advance(TimeSpan.FromSeconds(5));

        var sample = _probe.Sample();

        Assert.Equal(56.25, sample.CpuPercent);
        var disk = Assert.Single(sample.Disks);
        Assert.Equal(2000 * 512 / 5.0, disk.ReadBytesPerSecond);
        Assert.Equal(10000 * 512 / 5.0, disk.WriteBytesPerSecond);
        Assert.True(disk.TotalBytes > 0 && disk.TotalBytes >= disk.FreeBytes);
        Assert.Equal(1_000_000, sample.NetworkReceiveBytesPerSecond);
        Assert.Equal(1_000, sample.NetworkTransmitBytesPerSecond);
        // 1000 ticks = 10 s of CPU in 5 s: two cores' worth, as a share of one core.
        Assert.Equal(200, sample.ProcessCpuPercent);
        Assert.Null(_probe.LastError);
    }

    [Fact]
    public void Rates_AreNullWhenTheClockHasNotMoved()
    {
        _probe.Sample();
        Write("net/dev", Network(eth0Received: 6_000_000, eth0Transmitted: 5_500, loopback: 7));

        var sample = _probe.Sample();

        Assert.Null(sample.NetworkReceiveBytesPerSecond);
        Assert.Null(sample.ProcessCpuPercent);
        Assert.Null(Assert.Single(sample.Disks).ReadBytesPerSecond);
    }

    [Fact]
    public void Rates_AreNullRatherThanNegativeWhenACounterGoesBack()
    {
        _probe.Sample();
        Write("net/dev", Network(eth0Received: 10, eth0Transmitted: 5_500, loopback: 7));
        Write("diskstats", Disks(vdaSectorsRead: 10, vdaSectorsWritten: 4000));
        _clock.Advance(TimeSpan.FromSeconds(5));

        var sample = _probe.Sample();

        Assert.Null(sample.NetworkReceiveBytesPerSecond);
        Assert.Equal(1_000, sample.NetworkTransmitBytesPerSecond);
        var disk = Assert.Single(sample.Disks);
        Assert.Null(disk.ReadBytesPerSecond);
        Assert.Equal(0, disk.WriteBytesPerSecond);
    }

    [Fact]
    public void MissingFile_MakesOnlyItsMetricNullAndIsReportedInLastError()
    {
        File.Delete(Path.Combine(_proc.Path, "meminfo"));

        var sample = _probe.Sample();

        Assert.Null(sample.MemoryUsedBytes);
        Assert.Null(sample.MemoryTotalBytes);
        Assert.Equal(0.50, sample.LoadAverage1);
        Assert.Single(sample.Disks);
        Assert.Equal($"{Path.Combine(_proc.Path, "meminfo")}: missing", _probe.LastError);
    }

    [Fact]
    public void MalformedFiles_AreEachNamedInLastErrorAndRatesResumeOnceTheyAreReadable()
    {
        Write("loadavg", "");
        Write("net/dev", "garbage\n");

        var broken = _probe.Sample();

        Assert.Null(broken.LoadAverage1);
        Assert.Equal(1000 * 1024, broken.MemoryTotalBytes);
        Assert.Contains("loadavg: unrecognized content", _probe.LastError, StringComparison.Ordinal);
        Assert.Contains("net/dev: unrecognized content", _probe.LastError, StringComparison.Ordinal);

        Write("loadavg", "0.50 0.40 0.30 1/100 1234\n");
        Write("net/dev", Network(eth0Received: 1_000_000, eth0Transmitted: 500, loopback: 7));
        _clock.Advance(TimeSpan.FromSeconds(5));
        var repaired = _probe.Sample();

        Assert.Null(_probe.LastError);
        Assert.Equal(0.50, repaired.LoadAverage1);
        Assert.Null(repaired.NetworkReceiveBytesPerSecond);
        Assert.Equal(0, repaired.ProcessCpuPercent);
    }

    [Fact]
    public void MissingMountinfo_LeavesNoDisksButTheOtherMetrics()
    {
        File.Delete(Path.Combine(_proc.Path, "self", "mountinfo"));

        var sample = _probe.Sample();

        Assert.Empty(sample.Disks);
        Assert.Equal(1000 * 1024, sample.MemoryTotalBytes);
        Assert.Contains("mountinfo: missing", _probe.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingDiskstats_StillListsDiskSpaceWithoutDeviceOrRates()
    {
        File.Delete(Path.Combine(_proc.Path, "diskstats"));

        var disk = Assert.Single(_probe.Sample().Disks);

        Assert.Equal(("/", null), (disk.Mount, disk.Device));
        Assert.True(disk.TotalBytes > 0);
        Assert.Null(disk.ReadBytesPerSecond);
        Assert.Contains("diskstats: missing", _probe.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void BindMountsOfTheSameDevice_ShowItsSpaceOnce()
    {
        Write("self/mountinfo", RootMount + "30 27 254:0 /tmp /tmp rw,relatime - ext4 /dev/vda rw\n");

        Assert.Equal("/", Assert.Single(_probe.Sample().Disks).Mount);
    }

    [Fact]
    public void WithoutProc_ReadsOnlyDiskSpaceAndThisProcess()
    {
        var probe = new SystemProbe(_clock, Path.Combine(_proc.Path, "absent"));

        probe.Sample();
        _clock.Advance(TimeSpan.FromSeconds(5));
        var sample = probe.Sample();

        Assert.Null(sample.CpuPercent);
        Assert.Null(sample.LoadAverage1);
        Assert.Null(sample.MemoryTotalBytes);
        Assert.Null(sample.NetworkReceiveBytesPerSecond);
        Assert.All(sample.Disks, disk =>
        {
            Assert.Null(disk.Device);
            Assert.True(disk.TotalBytes >= disk.FreeBytes);
            Assert.Null(disk.ReadBytesPerSecond);
        });
        Assert.NotNull(sample.ProcessCpuPercent);
        Assert.True(sample.ProcessCpuPercent >= 0);
        Assert.True(sample.ProcessWorkingSetBytes > 0);
        Assert.Null(probe.LastError);
    }

    private void Write(string relativePath, string text)
    {
        var path = Path.Combine(_proc.Path, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static string Disks(long vdaSectorsRead, long vdaSectorsWritten) =>
        $"   7       0 loop0 62 0 2182 12 0 0 0 0 0 20 12 0 0 0 0 0 0\n"
        + $" 254       0 vda 100 0 {vdaSectorsRead} 10 200 0 {vdaSectorsWritten} 20 0 30 30 0 0 0 0 0 0\n";

    private static string Network(long eth0Received, long eth0Transmitted, long loopback) =>
        "Inter-|   Receive                                                |  Transmit\n"
        + " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
        + $"    lo: {loopback} 10 0 0 0 0 0 0 {loopback} 10 0 0 0 0 0 0\n"
        + $"  eth0: {eth0Received} 10 0 0 0 0 0 0 {eth0Transmitted} 10 0 0 0 0 0 0\n";

    private static string ProcessStat(long userTicks, long systemTicks) =>
        $"4242 (Monitoring.Web) S 1 4242 4242 0 -1 4194560 100 0 0 0 {userTicks} {systemTicks} 0 0 20 0 12 0 25 41492480 2851\n";
}
