using System.Runtime.InteropServices;

namespace Monitoring.Gpu;

internal static partial class Interop
{
    /// <summary>
    /// NVML types and constants, named as in nvml.h. The entry points are bound per loaded library by
    /// <see cref="NvmlApi"/>, not by [LibraryImport]: a P/Invoke binds once per process, so a configured library path
    /// could never take effect after the first probe, and a test could not load a driver-shaped stub beside another.
    /// </summary>
    internal static class Nvml
    {
        /// <summary>NVML_DEVICE_UUID_V2_BUFFER_SIZE and NVML_DEVICE_NAME_V2_BUFFER_SIZE (the legacy sizes are 80 and 64).</summary>
        internal const int DeviceStringBufferSize = 96;

        /// <summary>NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE.</summary>
        internal const int DriverVersionBufferSize = 80;

        /// <summary>NVML_TEMPERATURE_GPU.</summary>
        internal const int TemperatureSensorGpu = 0;

        /// <summary>nvmlClockType_t values.</summary>
        internal const int ClockGraphics = 0;
        internal const int ClockSm = 1;
        internal const int ClockMemory = 2;

        /// <summary>NVML_VALUE_NOT_AVAILABLE: all bits set, e.g. a process's memory under Windows WDDM.</summary>
        internal const ulong ValueNotAvailable = ulong.MaxValue;

        /// <summary>nvmlMemory_t (v1). <c>used</c> includes memory the driver reserves.</summary>
        [StructLayout(LayoutKind.Explicit, Size = 24)]
        internal struct nvmlMemory_t
        {
            [FieldOffset(0)] public ulong total;
            [FieldOffset(8)] public ulong free;
            [FieldOffset(16)] public ulong used;
        }

        /// <summary>nvmlMemory_v2_t: <c>free = total - reserved - used</c>; what nvidia-smi shows.</summary>
        [StructLayout(LayoutKind.Explicit, Size = 40)]
        internal struct nvmlMemory_v2_t
        {
            /// <summary>
            /// NVML_STRUCT_VERSION(Memory, 2) = sizeof(nvmlMemory_v2_t) | 2 &lt;&lt; 24 (nvml.h l.141). Passing a plain 2,
            /// as the header's prose suggests, returns NVML_ERROR_FUNCTION_NOT_FOUND (NVIDIA/nvidia-settings#78).
            /// </summary>
            internal const uint Version = 40 | 2u << 24;

            [FieldOffset(0)] public uint version;
            [FieldOffset(8)] public ulong total;
            [FieldOffset(16)] public ulong reserved;
            [FieldOffset(24)] public ulong free;
            [FieldOffset(32)] public ulong used;
        }

        /// <summary>nvmlUtilization_t: percent of time over the last sample period (1/6 s to 1 s by product).</summary>
        [StructLayout(LayoutKind.Explicit, Size = 8)]
        internal struct nvmlUtilization_t
        {
            [FieldOffset(0)] public uint gpu;
            [FieldOffset(4)] public uint memory;
        }

        /// <summary>
        /// nvmlProcessInfo_v1_t. Only the unversioned nvmlDeviceGetComputeRunningProcesses export takes this 16-byte
        /// layout; the _v2/_v3 exports write 24-byte entries and would overrun an array of these.
        /// </summary>
        [StructLayout(LayoutKind.Explicit, Size = 16)]
        internal struct nvmlProcessInfo_v1_t
        {
            [FieldOffset(0)] public uint pid;
            [FieldOffset(8)] public ulong usedGpuMemory;
        }

        /// <summary>nvmlTemperature_v1_t, for nvmlDeviceGetTemperatureV (NVML 12.8+).</summary>
        [StructLayout(LayoutKind.Explicit, Size = 12)]
        internal struct nvmlTemperature_v1_t
        {
            /// <summary>NVML_STRUCT_VERSION(Temperature, 1) = sizeof(nvmlTemperature_v1_t) | 1 &lt;&lt; 24.</summary>
            internal const uint Version = 12 | 1u << 24;

            [FieldOffset(0)] public uint version;
            [FieldOffset(4)] public int sensorType;
            [FieldOffset(8)] public int temperature;
        }
    }
}
