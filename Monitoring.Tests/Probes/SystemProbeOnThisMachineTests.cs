using Monitoring.Core.Probes;

namespace Monitoring.Tests.Probes;

/// <summary>The probe on the real machine and clock: plausible values rather than exact ones.</summary>
public sealed class SystemProbeOnThisMachineTests
{
    [Fact]
    public void Sample_FindsAtLeastOneDiskAndThisProcessesWorkingSet()
    {
        var sample = new SystemProbe(TimeProvider.System).Sample();

        Assert.NotEmpty(sample.Disks);
        Assert.All(sample.Disks, disk => Assert.True(disk.TotalBytes > 0 && disk.TotalBytes >= disk.FreeBytes, $"{disk.Mount}: {disk.FreeBytes} free of {disk.TotalBytes}"));
        Assert.True(sample.ProcessWorkingSetBytes > 0);
    }

    [LinuxFact]
    public void SecondSample_HasMemoryCpuLoadAndNetworkFromProc()
    {
        var probe = new SystemProbe(TimeProvider.System);
        probe.Sample();
        // Real time has to pass for the kernel's tick counters to move (100 per second per core).
        Thread.Sleep(TimeSpan.FromMilliseconds(300));

        var sample = probe.Sample();

        Assert.Null(probe.LastError);
        Assert.True(sample.MemoryTotalBytes > 0);
        Assert.InRange(sample.MemoryUsedBytes!.Value, 1, sample.MemoryTotalBytes!.Value);
        Assert.InRange(sample.CpuPercent!.Value, 0, 100);
        Assert.True(sample.LoadAverage1 >= 0);
        Assert.True(sample.NetworkReceiveBytesPerSecond >= 0);
        Assert.True(sample.ProcessCpuPercent >= 0);
        Assert.Contains(sample.Disks, disk => disk.Mount == "/");
    }
}
