using System.Runtime.InteropServices;
using Monitoring.Gpu;
using static Monitoring.Gpu.Interop.Nvml;

namespace Monitoring.Tests.Gpu;

/// <summary>Against the real driver; skipped, with the reason shown, where there is no NVIDIA GPU.</summary>
public sealed class NvmlRealDriverTests : IDisposable
{
    // Holds one NVML initialization for the direct interop calls below.
    private readonly NvmlGpuProbe _probe = NvmlGpuProbe.Create(TimeProvider.System);

    public void Dispose() => _probe.Dispose();

    private NvmlApi Nvml => _probe.Api ?? throw new InvalidOperationException(_probe.Status.Reason);

    [GpuFact]
    public void Probe_IsAvailable_AndKnowsTheDriverVersion()
    {
        Assert.True(_probe.Status.Available, _probe.Status.Reason);
        Assert.Equal("nvml", _probe.Provider);
        Assert.False(string.IsNullOrWhiteSpace(_probe.DriverVersion));
    }

    [GpuFact]
    public void DeviceCount_IsAtLeastOne()
    {
        Assert.Equal(NvmlReturn.SUCCESS, Nvml.nvmlDeviceGetCount_v2(out var count));
        Assert.True(count >= 1);
    }

    [GpuFact]
    public void EveryGpu_HasAGpuUuidANameAndMemory()
    {
        var samples = _probe.Sample(includeProcesses: false);

        Assert.NotEmpty(samples);
        Assert.All(samples, gpu =>
        {
            Assert.Equal(GpuHealth.Ok, gpu.Health);
            Assert.StartsWith("GPU-", gpu.Uuid, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(gpu.Name));
            Assert.True(gpu.MemoryTotalBytes > 0);
            Assert.InRange(gpu.MemoryFreeBytes, 0, gpu.MemoryTotalBytes);
            Assert.InRange(gpu.MemoryUsedBytes, 0, gpu.MemoryTotalBytes);
        });
        Assert.Equal(samples.Count, samples.Select(s => s.Uuid).Distinct().Count());
    }

    [GpuFact]
    public void MetricsThatAreReported_AreInPlausibleRanges()
    {
        Assert.All(_probe.Sample(includeProcesses: false), gpu =>
        {
            if (gpu.UtilizationPercent is { } utilization)
            {
                Assert.InRange(utilization, 0, 100);
            }

            if (gpu.TemperatureCelsius is { } temperature)
            {
                Assert.InRange(temperature, 1, 120);
            }

            if (gpu.PowerDrawWatts is { } power)
            {
                Assert.InRange(power, 0, 5000);
            }

            if (gpu.PowerLimitWatts is { } limit)
            {
                Assert.InRange(limit, 1, 5000);
            }

            if (gpu.SmClockMhz is { } clock)
            {
                Assert.InRange(clock, 1, 10_000);
            }
        });
    }

    [GpuFact]
    public void MemoryV2Used_IsAtMostV1Used_BecauseV1CountsReservedAsUsed()
    {
        Assert.Equal(NvmlReturn.SUCCESS, Nvml.nvmlDeviceGetHandleByIndex_v2(0, out var device));
        Assert.Equal(NvmlReturn.SUCCESS, Nvml.nvmlDeviceGetMemoryInfo(device, out var v1));
        var v2 = new nvmlMemory_v2_t { version = nvmlMemory_v2_t.Version };
        Assert.Equal(NvmlReturn.SUCCESS, Nvml.nvmlDeviceGetMemoryInfo_v2(device, ref v2));

        Assert.Equal(v1.total, v2.total);
        Assert.True(v2.used <= v1.used, $"v2 used {v2.used} > v1 used {v1.used}");
        Assert.True(v2.free <= v2.total);
        Assert.True(v1.free <= v1.total);
    }

    [GpuFact]
    public void MemoryV2_WithAPlainTwoAsVersion_IsRejected()
    {
        Assert.Equal(NvmlReturn.SUCCESS, Nvml.nvmlDeviceGetHandleByIndex_v2(0, out var device));
        var memory = new nvmlMemory_v2_t { version = 2 };

        Assert.NotEqual(NvmlReturn.SUCCESS, Nvml.nvmlDeviceGetMemoryInfo_v2(device, ref memory));
    }

    [GpuFact]
    public void ErrorString_ReadsNvmlsStaticText()
    {
        var text = Marshal.PtrToStringUTF8(Nvml.nvmlErrorString(NvmlReturn.ERROR_NOT_SUPPORTED));

        Assert.False(string.IsNullOrWhiteSpace(text));
    }

    [GpuFact]
    public void ProcessList_UsesTheCountProtocolAndGivesPlausibleEntries()
    {
        var samples = _probe.Sample(includeProcesses: true);

        Assert.All(samples, gpu =>
        {
            Assert.Equal(GpuHealth.Ok, gpu.Health);
            Assert.All(gpu.Processes ?? [], process =>
            {
                Assert.True(process.Pid > 0);
                Assert.True(process.UsedMemoryBytes is null or >= 0);
            });
        });
    }

    [GpuFact]
    public void Sampling_Twice_KeepsTheSameUuidsInTheSameOrder()
    {
        var first = _probe.Sample(includeProcesses: false).Select(s => s.Uuid);
        var second = _probe.Sample(includeProcesses: false).Select(s => s.Uuid);

        Assert.Equal(first, second);
    }
}
