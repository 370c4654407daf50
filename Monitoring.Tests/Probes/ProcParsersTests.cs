using Monitoring.Core.Probes;

namespace Monitoring.Tests.Probes;

/// <summary>The procfs parsers on files captured from a Linux VM (TestData) and on the shapes other kernels write.</summary>
public sealed class ProcParsersTests
{
    private const long KiB = 1024;

    [Fact]
    public void CpuTimes_FromCapturedStat_UseTheAggregateLineWithIdleAndIowaitAsIdle()
    {
        var cpu = ProcParsers.ParseCpuTimes(Sample("stat.txt"));

        // cpu  113826 221 23116 190367 3774 0 679 186 0 0
        Assert.Equal(new CpuTimes(BusyTicks: 113826 + 221 + 23116 + 679 + 186, TotalTicks: 332169), cpu);
    }

    [Fact]
    public void CpuTimes_DoNotCountGuestTimeTwice()
    {
        Assert.Equal(new CpuTimes(20, 100), ProcParsers.ParseCpuTimes("cpu  10 0 10 75 5 0 0 0 7 3\n"));
    }

    [Fact]
    public void CpuTimes_IgnoreAColumnANewerKernelAppends()
    {
        Assert.Equal(new CpuTimes(20, 100), ProcParsers.ParseCpuTimes("cpu  10 0 10 75 5 0 0 0 0 0 42\n"));
    }

    [Fact]
    public void CpuTimes_ReadTheFourColumnsOfOldKernels()
    {
        Assert.Equal(new CpuTimes(20, 100), ProcParsers.ParseCpuTimes("cpu 10 0 10 80\ncpu0 10 0 10 80\n"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("cpu0 10 0 10 80\n")]
    [InlineData("cpu  10 x 10 80 0\n")]
    [InlineData("cpu  10 0\n")]
    public void CpuTimes_AreNullForAnEmptyOrMalformedFile(string text)
    {
        Assert.Null(ProcParsers.ParseCpuTimes(text));
    }

    [Fact]
    public void LoadAverages_FromCapturedLoadavg_AreTheFirstThreeColumns()
    {
        Assert.Equal(new LoadAverages(1.41, 2.49, 1.91), ProcParsers.ParseLoadAverages(Sample("loadavg.txt")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.41 2.49\n")]
    [InlineData("1,41 2,49 1,91 1/84 19890\n")]
    public void LoadAverages_AreNullForAnEmptyOrMalformedFile(string text)
    {
        Assert.Null(ProcParsers.ParseLoadAverages(text));
    }

    [Fact]
    public void Memory_FromCapturedMeminfo_IsTotalMinusAvailableInBytes()
    {
        var memory = ProcParsers.ParseMemory(Sample("meminfo.txt"));

        Assert.Equal(new MemoryUsage(UsedBytes: (24684084 - 24184972) * KiB, TotalBytes: 24684084 * KiB), memory);
    }

    [Fact]
    public void Memory_WithoutMemAvailable_FallsBackToFreePlusBuffersPlusCached()
    {
        const string OldKernel = """
            MemTotal:        2048000 kB
            MemFree:          500000 kB
            Buffers:           40000 kB
            Cached:           300000 kB
            SwapCached:            0 kB
            """;

        var memory = ProcParsers.ParseMemory(OldKernel);

        Assert.Equal(new MemoryUsage((2048000 - 500000 - 40000 - 300000) * KiB, 2048000 * KiB), memory);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MemFree:  500000 kB\nMemAvailable:  600000 kB\n")]
    [InlineData("MemTotal:  2048000 kB\nMemFree:  500000 kB\n")]
    [InlineData("MemTotal: lots\nMemAvailable:  600000 kB\n")]
    public void Memory_IsNullWithoutTotalOrAnyWayToTellAvailable(string text)
    {
        Assert.Null(ProcParsers.ParseMemory(text));
    }

    [Fact]
    public void DiskCounters_FromCapturedDiskstats_AreSectorsTimes512PerDevice()
    {
        var disks = ProcParsers.ParseDiskCounters(Sample("diskstats.txt"));

        Assert.Equal(
            [new DiskCounters(254, 0, "vda", 8216274L * 512, 53274312L * 512), new DiskCounters(253, 0, "zram0", 0, 0)],
            disks);
    }

    [Fact]
    public void DiskCounters_KeepPartitionsAndMapperDevicesSoMountsCanFindTheirOwn()
    {
        var disks = ProcParsers.ParseDiskCounters(Sample("diskstats-host.txt"))!;

        Assert.Equal(
            ["loop0", "nvme0n1", "nvme0n1p1", "nvme0n1p2", "nvme0n1p3", "dm-0", "sda", "sda1", "sdb"],
            disks.Select(d => d.Device));
        Assert.Equal(new DiskCounters(253, 0, "dm-0", 17798834L * 512, 42395524L * 512), disks.Single(d => d.Device == "dm-0"));
    }

    [Fact]
    public void DiskCounters_ReadTheFourteenColumnsOfKernelsBefore418()
    {
        var disks = ProcParsers.ParseDiskCounters("   8       0 sda 10234 122 2050160 9012 2210 301 409600 2012 0 8211 11024\n");

        Assert.Equal([new DiskCounters(8, 0, "sda", 2050160L * 512, 409600L * 512)], disks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   8       0 sda 10234 122\n")]
    public void DiskCounters_AreNullWhenNoLineParses(string text)
    {
        Assert.Null(ProcParsers.ParseDiskCounters(text));
    }

    [Fact]
    public void Mounts_FromCapturedMountinfo_KeepOnlyTheRealRootFilesystem()
    {
        var mounts = ProcParsers.ParseMounts(Sample("mountinfo.txt"));

        Assert.Equal([new MountEntry("/", 254, 0, "ext4", "/dev/vda")], mounts);
    }

    [Fact]
    public void Mounts_OnAHost_SkipVirtualNetworkSnapAndContainerLayerFilesystems()
    {
        var mounts = ProcParsers.ParseMounts(Sample("mountinfo-host.txt"))!;

        Assert.Equal(["/", "/boot", "/boot/efi", "/mnt/media library", "/srv/data", "/home"], mounts.Select(m => m.MountPoint));
        Assert.Equal(new MountEntry("/", 253, 0, "ext4", "/dev/mapper/vg0-root"), mounts[0]);
        Assert.Equal(new MountEntry("/home", 0, 52, "btrfs", "/dev/sdb"), mounts[^1]);
    }

    [Fact]
    public void Mounts_InAContainer_KeepTheOverlayRootAndBindMounts()
    {
        var mounts = ProcParsers.ParseMounts(Sample("mountinfo-container.txt"))!;

        Assert.Equal(["/", "/etc/resolv.conf", "/etc/hosts", "/app/data"], mounts.Select(m => m.MountPoint));
        Assert.Equal("overlay", mounts[0].FileSystem);
    }

    [Fact]
    public void Mounts_WhereEveryFilesystemIsVirtual_AreAnEmptyList()
    {
        Assert.Equal([], ProcParsers.ParseMounts("22 27 0:21 / /proc rw,relatime - proc proc rw\n"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a mountinfo line\n")]
    [InlineData("27 1 254:0 / / rw,relatime ext4 /dev/vda rw\n")]
    public void Mounts_AreNullWhenNoLineParses(string text)
    {
        Assert.Null(ProcParsers.ParseMounts(text));
    }

    [Fact]
    public void NetworkTotals_FromCapturedNetDev_SumEveryInterfaceButLoopback()
    {
        Assert.Equal(new NetworkTotals(638546815, 794819), ProcParsers.ParseNetworkTotals(Sample("net-dev.txt")));
    }

    [Fact]
    public void NetworkTotals_ReadNamesGluedToTheFirstCounterAsOldKernelsWrite()
    {
        const string OldKernel = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
              eth0:1234567890 14788 0 0 0 0 0 0 794819 9330 0 0 0 0 0 0
              eth1:10 1 0 0 0 0 0 0 20 1 0 0 0 0 0 0
            """;

        Assert.Equal(new NetworkTotals(1234567900, 794839), ProcParsers.ParseNetworkTotals(OldKernel));
    }

    [Fact]
    public void NetworkTotals_WithOnlyLoopback_AreZero()
    {
        Assert.Equal(new NetworkTotals(0, 0), ProcParsers.ParseNetworkTotals("    lo: 8108389 2998 0 0 0 0 0 0 8108389 2998 0 0 0 0 0 0\n"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Inter-|   Receive  |  Transmit\n face |bytes    packets|bytes    packets\n")]
    [InlineData("  eth0: 12 34\n")]
    public void NetworkTotals_AreNullWhenNoInterfaceLineParses(string text)
    {
        Assert.Null(ProcParsers.ParseNetworkTotals(text));
    }

    [Fact]
    public void ProcessCpuTicks_FromCapturedSelfStat_AreUserPlusSystemTime()
    {
        Assert.Equal(108 + 644, ProcParsers.ParseProcessCpuTicks(Sample("self-stat.txt")));
    }

    [Fact]
    public void ProcessCpuTicks_CountFieldsAfterACommandNameHoldingBlanksAndParentheses()
    {
        const string Stat = "4242 (my (odd) app) S 1 4242 4242 0 -1 4194560 100 0 0 0 31 9 0 0 20 0 12 0 25 41492480 2851\n";

        Assert.Equal(40, ProcParsers.ParseProcessCpuTicks(Stat));
    }

    [Theory]
    [InlineData("")]
    [InlineData("4242 (app S 1 4242 4242 0 -1 4194560 100 0 0 0 31 9\n")]
    [InlineData("4242 (app) S 1 4242\n")]
    public void ProcessCpuTicks_AreNullForAnEmptyOrTruncatedFile(string text)
    {
        Assert.Null(ProcParsers.ParseProcessCpuTicks(text));
    }

    private static string Sample(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Probes", "TestData", name));
}
