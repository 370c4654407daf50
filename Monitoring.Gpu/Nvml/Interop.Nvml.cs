using System.Runtime.InteropServices;

namespace Monitoring.Gpu;

internal static partial class Interop
{
    /// <summary>
    /// NVML declarations, named as in nvml.h. Every signature returns <see cref="NvmlReturn"/> and is blittable,
    /// so the source generator emits no marshalling code. "nvml" is mapped to the real file by
    /// <see cref="NvmlLibrary"/>; call <see cref="NvmlLibrary.EnsureResolverRegistered"/> before the first call.
    /// </summary>
    internal static unsafe partial class Nvml
    {
        internal const string LibraryName = "nvml";

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

        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlInit_v2();

        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlShutdown();

        /// <summary>Returns a pointer to a static string that must never be freed, hence <c>nint</c> and not <c>string</c>.</summary>
        [LibraryImport(LibraryName)]
        internal static partial nint nvmlErrorString(NvmlReturn result);

        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlSystemGetDriverVersion(byte* version, uint length);

        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlDeviceGetCount_v2(out uint deviceCount);

        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlDeviceGetHandleByIndex_v2(uint index, out nint device);

        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlDeviceGetUUID(nint device, byte* uuid, uint length);

        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlDeviceGetName(nint device, byte* name, uint length);

        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlDeviceGetMemoryInfo(nint device, out nvmlMemory_t memory);

        /// <summary>Since NVML 11.6 (R510); <paramref name="memory"/>.version must be set on the way in.</summary>
        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlDeviceGetMemoryInfo_v2(nint device, ref nvmlMemory_v2_t memory);

        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlDeviceGetUtilizationRates(nint device, out nvmlUtilization_t utilization);

        /// <summary>Since NVML 12.8; <paramref name="temperature"/>.version and .sensorType must be set on the way in.</summary>
        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlDeviceGetTemperatureV(nint device, ref nvmlTemperature_v1_t temperature);

        /// <summary>Deprecated in 13.0 but still exported; the fallback for <see cref="nvmlDeviceGetTemperatureV"/>.</summary>
        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlDeviceGetTemperature(nint device, int sensorType, out uint temperature);

        /// <summary>Milliwatts.</summary>
        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlDeviceGetPowerUsage(nint device, out uint power);

        /// <summary>Milliwatts.</summary>
        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlDeviceGetEnforcedPowerLimit(nint device, out uint limit);

        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlDeviceGetEncoderUtilization(nint device, out uint utilization, out uint samplingPeriodUs);

        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlDeviceGetDecoderUtilization(nint device, out uint utilization, out uint samplingPeriodUs);

        /// <summary>MHz; <paramref name="type"/> is one of the Clock* constants.</summary>
        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlDeviceGetClockInfo(nint device, int type, out uint clock);

        /// <summary>0 = disabled, 1 = enabled.</summary>
        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlDeviceGetMigMode(nint device, out uint currentMode, out uint pendingMode);

        /// <summary>
        /// The unversioned (v1) export: <paramref name="infos"/> holds 16-byte entries. <paramref name="infoCount"/> is
        /// in/out: capacity on the way in, entries written (or entries needed, with INSUFFICIENT_SIZE) on the way out.
        /// </summary>
        [LibraryImport(LibraryName)]
        internal static partial NvmlReturn nvmlDeviceGetComputeRunningProcesses(nint device, ref uint infoCount, nvmlProcessInfo_v1_t* infos);
    }
}
