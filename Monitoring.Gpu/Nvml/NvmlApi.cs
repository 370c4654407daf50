using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using static Monitoring.Gpu.Interop.Nvml;

namespace Monitoring.Gpu;

/// <summary>
/// The NVML entry points of one loaded library, named and typed as in nvml.h (every one blittable, C calling
/// convention, which is the only one on x64 Linux and Windows). An entry point the library lacks (an older driver)
/// throws <see cref="EntryPointNotFoundException"/> when called, as a missing P/Invoke would, so callers fall back the
/// same way; only the handful without which nothing can be read are demanded up front.
/// </summary>
#pragma warning disable CA1707, IDE1006 // Names mirror nvml.h so that they can be grepped against it.
internal sealed unsafe class NvmlApi
{
    private readonly delegate* unmanaged<NvmlReturn> _init;
    private readonly delegate* unmanaged<NvmlReturn> _shutdown;
    private readonly delegate* unmanaged<NvmlReturn, nint> _errorString;
    private readonly delegate* unmanaged<byte*, uint, NvmlReturn> _driverVersion;
    private readonly delegate* unmanaged<byte*, uint, NvmlReturn> _nvmlVersion;
    private readonly delegate* unmanaged<uint*, NvmlReturn> _count;
    private readonly delegate* unmanaged<uint, nint*, NvmlReturn> _handleByIndex;
    private readonly delegate* unmanaged<nint, byte*, uint, NvmlReturn> _uuid;
    private readonly delegate* unmanaged<nint, byte*, uint, NvmlReturn> _name;
    private readonly delegate* unmanaged<nint, nvmlMemory_t*, NvmlReturn> _memory;
    private readonly delegate* unmanaged<nint, nvmlMemory_v2_t*, NvmlReturn> _memoryV2;
    private readonly delegate* unmanaged<nint, nvmlUtilization_t*, NvmlReturn> _utilization;
    private readonly delegate* unmanaged<nint, nvmlTemperature_v1_t*, NvmlReturn> _temperatureV;
    private readonly delegate* unmanaged<nint, int, uint*, NvmlReturn> _temperature;
    private readonly delegate* unmanaged<nint, uint*, NvmlReturn> _power;
    private readonly delegate* unmanaged<nint, uint*, NvmlReturn> _powerLimit;
    private readonly delegate* unmanaged<nint, uint*, uint*, NvmlReturn> _encoder;
    private readonly delegate* unmanaged<nint, uint*, uint*, NvmlReturn> _decoder;
    private readonly delegate* unmanaged<nint, int, uint*, NvmlReturn> _clock;
    private readonly delegate* unmanaged<nint, uint*, uint*, NvmlReturn> _migMode;
    private readonly delegate* unmanaged<nint, uint*, nvmlProcessInfo_v1_t*, NvmlReturn> _processes;

    private NvmlApi(nint handle, string path)
    {
        Handle = handle;
        Path = path;
        _init = (delegate* unmanaged<NvmlReturn>)Export(nameof(nvmlInit_v2));
        _shutdown = (delegate* unmanaged<NvmlReturn>)Export(nameof(nvmlShutdown));
        _errorString = (delegate* unmanaged<NvmlReturn, nint>)Export(nameof(nvmlErrorString));
        _driverVersion = (delegate* unmanaged<byte*, uint, NvmlReturn>)Export(nameof(nvmlSystemGetDriverVersion));
        _nvmlVersion = (delegate* unmanaged<byte*, uint, NvmlReturn>)Export(nameof(nvmlSystemGetNVMLVersion));
        _count = (delegate* unmanaged<uint*, NvmlReturn>)Export(nameof(nvmlDeviceGetCount_v2));
        _handleByIndex = (delegate* unmanaged<uint, nint*, NvmlReturn>)Export(nameof(nvmlDeviceGetHandleByIndex_v2));
        _uuid = (delegate* unmanaged<nint, byte*, uint, NvmlReturn>)Export(nameof(nvmlDeviceGetUUID));
        _name = (delegate* unmanaged<nint, byte*, uint, NvmlReturn>)Export(nameof(nvmlDeviceGetName));
        _memory = (delegate* unmanaged<nint, nvmlMemory_t*, NvmlReturn>)Export(nameof(nvmlDeviceGetMemoryInfo));
        _memoryV2 = (delegate* unmanaged<nint, nvmlMemory_v2_t*, NvmlReturn>)Export(nameof(nvmlDeviceGetMemoryInfo_v2));
        _utilization = (delegate* unmanaged<nint, nvmlUtilization_t*, NvmlReturn>)Export(nameof(nvmlDeviceGetUtilizationRates));
        _temperatureV = (delegate* unmanaged<nint, nvmlTemperature_v1_t*, NvmlReturn>)Export(nameof(nvmlDeviceGetTemperatureV));
        _temperature = (delegate* unmanaged<nint, int, uint*, NvmlReturn>)Export(nameof(nvmlDeviceGetTemperature));
        _power = (delegate* unmanaged<nint, uint*, NvmlReturn>)Export(nameof(nvmlDeviceGetPowerUsage));
        _powerLimit = (delegate* unmanaged<nint, uint*, NvmlReturn>)Export(nameof(nvmlDeviceGetEnforcedPowerLimit));
        _encoder = (delegate* unmanaged<nint, uint*, uint*, NvmlReturn>)Export(nameof(nvmlDeviceGetEncoderUtilization));
        _decoder = (delegate* unmanaged<nint, uint*, uint*, NvmlReturn>)Export(nameof(nvmlDeviceGetDecoderUtilization));
        _clock = (delegate* unmanaged<nint, int, uint*, NvmlReturn>)Export(nameof(nvmlDeviceGetClockInfo));
        _migMode = (delegate* unmanaged<nint, uint*, uint*, NvmlReturn>)Export(nameof(nvmlDeviceGetMigMode));
        _processes = (delegate* unmanaged<nint, uint*, nvmlProcessInfo_v1_t*, NvmlReturn>)Export(nameof(nvmlDeviceGetComputeRunningProcesses));
    }

    /// <summary>The library's handle, from <see cref="NativeLibrary"/>.</summary>
    internal nint Handle { get; }

    /// <summary>The file it was loaded from, for messages.</summary>
    internal string Path { get; }

    /// <summary>Binds the entry points of <paramref name="handle"/>; fails when one the probe cannot do without is missing.</summary>
    internal static bool TryBind(nint handle, string path, [NotNullWhen(true)] out NvmlApi? api, [NotNullWhen(false)] out string? reason)
    {
        api = new NvmlApi(handle, path);
        var missing = new List<string>();
        if (api._init == null) missing.Add(nameof(nvmlInit_v2));
        if (api._shutdown == null) missing.Add(nameof(nvmlShutdown));
        if (api._count == null) missing.Add(nameof(nvmlDeviceGetCount_v2));
        if (api._handleByIndex == null) missing.Add(nameof(nvmlDeviceGetHandleByIndex_v2));
        if (api._uuid == null) missing.Add(nameof(nvmlDeviceGetUUID));
        if (api._memory == null) missing.Add(nameof(nvmlDeviceGetMemoryInfo));
        if (missing.Count == 0)
        {
            reason = null;
            return true;
        }

        api = null;
        reason = $"{path} has no {string.Join(", ", missing)}: not NVML, or a driver too old for this product";
        return false;
    }

    internal NvmlReturn nvmlInit_v2()
    {
        Ensure(_init, nameof(nvmlInit_v2));
        return _init();
    }

    internal NvmlReturn nvmlShutdown()
    {
        Ensure(_shutdown, nameof(nvmlShutdown));
        return _shutdown();
    }

    /// <summary>A pointer to a static string that must never be freed; zero where the library lacks the export.</summary>
    internal nint nvmlErrorString(NvmlReturn result) => _errorString == null ? 0 : _errorString(result);

    internal NvmlReturn nvmlSystemGetDriverVersion(byte* version, uint length)
    {
        Ensure(_driverVersion, nameof(nvmlSystemGetDriverVersion));
        return _driverVersion(version, length);
    }

    internal NvmlReturn nvmlSystemGetNVMLVersion(byte* version, uint length)
    {
        Ensure(_nvmlVersion, nameof(nvmlSystemGetNVMLVersion));
        return _nvmlVersion(version, length);
    }

    internal NvmlReturn nvmlDeviceGetCount_v2(out uint deviceCount)
    {
        uint value = 0;
        Ensure(_count, nameof(nvmlDeviceGetCount_v2));
        var result = _count(&value);
        deviceCount = value;
        return result;
    }

    internal NvmlReturn nvmlDeviceGetHandleByIndex_v2(uint index, out nint device)
    {
        nint value = 0;
        Ensure(_handleByIndex, nameof(nvmlDeviceGetHandleByIndex_v2));
        var result = _handleByIndex(index, &value);
        device = value;
        return result;
    }

    internal NvmlReturn nvmlDeviceGetUUID(nint device, byte* uuid, uint length)
    {
        Ensure(_uuid, nameof(nvmlDeviceGetUUID));
        return _uuid(device, uuid, length);
    }

    internal NvmlReturn nvmlDeviceGetName(nint device, byte* name, uint length)
    {
        Ensure(_name, nameof(nvmlDeviceGetName));
        return _name(device, name, length);
    }

    internal NvmlReturn nvmlDeviceGetMemoryInfo(nint device, out nvmlMemory_t memory)
    {
        nvmlMemory_t value = default;
        Ensure(_memory, nameof(nvmlDeviceGetMemoryInfo));
        var result = _memory(device, &value);
        memory = value;
        return result;
    }

    /// <summary>Since NVML 11.6 (R510); <paramref name="memory"/>.version must be set on the way in.</summary>
    internal NvmlReturn nvmlDeviceGetMemoryInfo_v2(nint device, ref nvmlMemory_v2_t memory)
    {
        fixed (nvmlMemory_v2_t* pointer = &memory)
        {
            Ensure(_memoryV2, nameof(nvmlDeviceGetMemoryInfo_v2));
            return _memoryV2(device, pointer);
        }
    }

    internal NvmlReturn nvmlDeviceGetUtilizationRates(nint device, out nvmlUtilization_t utilization)
    {
        nvmlUtilization_t value = default;
        Ensure(_utilization, nameof(nvmlDeviceGetUtilizationRates));
        var result = _utilization(device, &value);
        utilization = value;
        return result;
    }

    /// <summary>Since NVML 12.8; <paramref name="temperature"/>.version and .sensorType must be set on the way in.</summary>
    internal NvmlReturn nvmlDeviceGetTemperatureV(nint device, ref nvmlTemperature_v1_t temperature)
    {
        fixed (nvmlTemperature_v1_t* pointer = &temperature)
        {
            Ensure(_temperatureV, nameof(nvmlDeviceGetTemperatureV));
            return _temperatureV(device, pointer);
        }
    }

    /// <summary>Deprecated in 13.0 but still exported; the fallback for <see cref="nvmlDeviceGetTemperatureV"/>.</summary>
    internal NvmlReturn nvmlDeviceGetTemperature(nint device, int sensorType, out uint temperature) =>
        CallUInt(_temperature, nameof(nvmlDeviceGetTemperature), device, sensorType, out temperature);

    /// <summary>Milliwatts.</summary>
    internal NvmlReturn nvmlDeviceGetPowerUsage(nint device, out uint power) => CallUInt(_power, nameof(nvmlDeviceGetPowerUsage), device, out power);

    /// <summary>Milliwatts.</summary>
    internal NvmlReturn nvmlDeviceGetEnforcedPowerLimit(nint device, out uint limit) => CallUInt(_powerLimit, nameof(nvmlDeviceGetEnforcedPowerLimit), device, out limit);

    internal NvmlReturn nvmlDeviceGetEncoderUtilization(nint device, out uint utilization, out uint samplingPeriodUs) =>
        CallUIntPair(_encoder, nameof(nvmlDeviceGetEncoderUtilization), device, out utilization, out samplingPeriodUs);

    internal NvmlReturn nvmlDeviceGetDecoderUtilization(nint device, out uint utilization, out uint samplingPeriodUs) =>
        CallUIntPair(_decoder, nameof(nvmlDeviceGetDecoderUtilization), device, out utilization, out samplingPeriodUs);

    /// <summary>MHz; <paramref name="type"/> is one of the Clock* constants.</summary>
    internal NvmlReturn nvmlDeviceGetClockInfo(nint device, int type, out uint clock) => CallUInt(_clock, nameof(nvmlDeviceGetClockInfo), device, type, out clock);

    /// <summary>0 = disabled, 1 = enabled.</summary>
    internal NvmlReturn nvmlDeviceGetMigMode(nint device, out uint currentMode, out uint pendingMode) =>
        CallUIntPair(_migMode, nameof(nvmlDeviceGetMigMode), device, out currentMode, out pendingMode);

    /// <summary>
    /// The unversioned (v1) export: <paramref name="infos"/> holds 16-byte entries; the _v2/_v3 exports write 24-byte
    /// ones and would overrun them. <paramref name="infoCount"/> is in/out: capacity on the way in, entries written
    /// (or entries needed, with INSUFFICIENT_SIZE) on the way out.
    /// </summary>
    internal NvmlReturn nvmlDeviceGetComputeRunningProcesses(nint device, ref uint infoCount, nvmlProcessInfo_v1_t* infos)
    {
        fixed (uint* count = &infoCount)
        {
            Ensure(_processes, nameof(nvmlDeviceGetComputeRunningProcesses));
            return _processes(device, count, infos);
        }
    }

    private nint Export(string name) => NativeLibrary.TryGetExport(Handle, name, out var address) ? address : 0;

    /// <summary>Throws, as a P/Invoke to a missing export would, where this library lacks <paramref name="name"/>.</summary>
    private void Ensure(void* pointer, string name)
    {
        if (pointer == null)
        {
            throw new EntryPointNotFoundException($"{Path} has no {name}");
        }
    }

    private NvmlReturn CallUInt(delegate* unmanaged<nint, uint*, NvmlReturn> function, string name, nint device, out uint value)
    {
        uint result = 0;
        Ensure(function, name);
        var code = function(device, &result);
        value = result;
        return code;
    }

    private NvmlReturn CallUInt(delegate* unmanaged<nint, int, uint*, NvmlReturn> function, string name, nint device, int argument, out uint value)
    {
        uint result = 0;
        Ensure(function, name);
        var code = function(device, argument, &result);
        value = result;
        return code;
    }

    private NvmlReturn CallUIntPair(delegate* unmanaged<nint, uint*, uint*, NvmlReturn> function, string name, nint device, out uint first, out uint second)
    {
        uint a = 0, b = 0;
        Ensure(function, name);
        var code = function(device, &a, &b);
        first = a;
        second = b;
        return code;
    }
}
#pragma warning restore CA1707, IDE1006
