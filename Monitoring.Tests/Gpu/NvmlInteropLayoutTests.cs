using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Monitoring.Gpu;
using static Monitoring.Gpu.Interop.Nvml;

namespace Monitoring.Tests.Gpu;

/// <summary>The managed structs must match nvml.h byte for byte (x64 natural alignment), or NVML writes past them.</summary>
public class NvmlInteropLayoutTests
{
    [Fact]
    public void MemoryV1_Is24Bytes_WithTotalFreeUsedInThatOrder()
    {
        Assert.Equal(24, Marshal.SizeOf<nvmlMemory_t>());
        Assert.Equal(24, Unsafe.SizeOf<nvmlMemory_t>());
        Assert.Equal(0, Offset<nvmlMemory_t>(nameof(nvmlMemory_t.total)));
        Assert.Equal(8, Offset<nvmlMemory_t>(nameof(nvmlMemory_t.free)));
        Assert.Equal(16, Offset<nvmlMemory_t>(nameof(nvmlMemory_t.used)));
    }

    [Fact]
    public void MemoryV2_Is40Bytes_WithVersionFirstAndPaddingBeforeTotal()
    {
        Assert.Equal(40, Marshal.SizeOf<nvmlMemory_v2_t>());
        Assert.Equal(40, Unsafe.SizeOf<nvmlMemory_v2_t>());
        Assert.Equal(0, Offset<nvmlMemory_v2_t>(nameof(nvmlMemory_v2_t.version)));
        Assert.Equal(8, Offset<nvmlMemory_v2_t>(nameof(nvmlMemory_v2_t.total)));
        Assert.Equal(16, Offset<nvmlMemory_v2_t>(nameof(nvmlMemory_v2_t.reserved)));
        Assert.Equal(24, Offset<nvmlMemory_v2_t>(nameof(nvmlMemory_v2_t.free)));
        Assert.Equal(32, Offset<nvmlMemory_v2_t>(nameof(nvmlMemory_v2_t.used)));
    }

    [Fact]
    public void MemoryV2Version_IsSizeOrTwoShiftedBy24_NotPlainTwo()
    {
        Assert.Equal(nvmlMemory_v2_t.Version, (uint)Unsafe.SizeOf<nvmlMemory_v2_t>() | 2u << 24);
        Assert.Equal(0x02000028u, nvmlMemory_v2_t.Version);
    }

    [Fact]
    public void ProcessInfoV1_Is16Bytes_WithUsedGpuMemoryAt8()
    {
        Assert.Equal(16, Marshal.SizeOf<nvmlProcessInfo_v1_t>());
        Assert.Equal(16, Unsafe.SizeOf<nvmlProcessInfo_v1_t>());
        Assert.Equal(0, Offset<nvmlProcessInfo_v1_t>(nameof(nvmlProcessInfo_v1_t.pid)));
        Assert.Equal(8, Offset<nvmlProcessInfo_v1_t>(nameof(nvmlProcessInfo_v1_t.usedGpuMemory)));
    }

    [Fact]
    public void Utilization_Is8Bytes_GpuThenMemory()
    {
        Assert.Equal(8, Marshal.SizeOf<nvmlUtilization_t>());
        Assert.Equal(8, Unsafe.SizeOf<nvmlUtilization_t>());
        Assert.Equal(0, Offset<nvmlUtilization_t>(nameof(nvmlUtilization_t.gpu)));
        Assert.Equal(4, Offset<nvmlUtilization_t>(nameof(nvmlUtilization_t.memory)));
    }

    [Fact]
    public void TemperatureV1_Is12Bytes_AndItsVersionIs0x0100000C()
    {
        Assert.Equal(12, Marshal.SizeOf<nvmlTemperature_v1_t>());
        Assert.Equal(12, Unsafe.SizeOf<nvmlTemperature_v1_t>());
        Assert.Equal(0, Offset<nvmlTemperature_v1_t>(nameof(nvmlTemperature_v1_t.version)));
        Assert.Equal(4, Offset<nvmlTemperature_v1_t>(nameof(nvmlTemperature_v1_t.sensorType)));
        Assert.Equal(8, Offset<nvmlTemperature_v1_t>(nameof(nvmlTemperature_v1_t.temperature)));
        Assert.Equal(nvmlTemperature_v1_t.Version, (uint)Unsafe.SizeOf<nvmlTemperature_v1_t>() | 1u << 24);
        Assert.Equal(0x0100000Cu, nvmlTemperature_v1_t.Version);
    }

    [Fact]
    public void ReturnCode_IsFourBytesLikeACEnum()
    {
        Assert.Equal(4, Unsafe.SizeOf<NvmlReturn>());
    }

    [Fact]
    public void StringBuffers_AreTheV2Sizes()
    {
        Assert.Equal(96, DeviceStringBufferSize);
        Assert.Equal(80, DriverVersionBufferSize);
    }

    [Fact]
    public void DecodeString_StopsAtTheFirstNul_AndReadsUtf8()
    {
        var buffer = new byte[DeviceStringBufferSize];
        var written = Encoding.UTF8.GetBytes("NVIDIA H200 — ünïcode", buffer);
        buffer[written + 1] = (byte)'x';

        Assert.Equal("NVIDIA H200 — ünïcode", NvmlGpuProbe.DecodeString(buffer));
    }

    [Fact]
    public void DecodeString_WithoutNul_ReadsTheWholeBuffer()
    {
        Assert.Equal("GPU-1", NvmlGpuProbe.DecodeString("GPU-1"u8));
    }

    [Fact]
    public void ValueNotAvailable_IsAllBitsSet_AndBytesNeverOverflow()
    {
        Assert.Equal(ulong.MaxValue, ValueNotAvailable);
        Assert.Equal(long.MaxValue, NvmlGpuProbe.ToBytes(ulong.MaxValue));
        Assert.Equal(80L << 30, NvmlGpuProbe.ToBytes(80UL << 30));
    }

    private static int Offset<T>(string field) => (int)Marshal.OffsetOf<T>(field);
}
