using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;
using static Monitoring.Gpu.Interop.Nvml;

namespace Monitoring.Gpu;

/// <summary>
/// Reads the GPUs through NVML. <see cref="Create"/> initializes NVML once; a missing driver gives a probe whose
/// <see cref="Status"/> says why, never an exception. Sampling is serialized by a lock: NVML itself is thread-safe,
/// but the remembered GPUs are not, and the driver takes a global lock per call anyway.
/// </summary>
public sealed class NvmlGpuProbe : IGpuProbe
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _clock;
    private readonly NvmlApi? _api;
    private bool _disposed;

    // Last good sample per UUID, so a GPU that is lost or vanishes from the enumeration stays in the list.
    // Bounded by the GPUs this machine has had since start-up.
    private readonly Dictionary<string, GpuSample> _lastByUuid = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _uuidByIndex = [];

    // Entry points this driver lacks, so the EntryPointNotFoundException is paid once, not every sample.
    private readonly HashSet<string> _missingEntryPoints = new(StringComparer.Ordinal);

    private NvmlGpuProbe(TimeProvider clock, GpuProbeStatus status, NvmlApi? api)
    {
        _clock = clock;
        Status = status;
        _api = api;
        DriverVersion = api is null ? null : ReadVersion(api, nameof(NvmlApi.nvmlSystemGetDriverVersion));
        NvmlVersion = api is null ? null : ReadVersion(api, nameof(NvmlApi.nvmlSystemGetNVMLVersion));
    }

    public string Provider => "nvml";

    public GpuProbeStatus Status { get; }

    /// <summary>e.g. "570.124.06"; null when NVML is unavailable.</summary>
    public string? DriverVersion { get; }

    /// <summary>e.g. "12.570.124.06"; null when NVML is unavailable or does not say.</summary>
    public string? NvmlVersion { get; }

    /// <summary>The file NVML was loaded from; null when it was not.</summary>
    public string? LibraryPath => _api?.Path;

    /// <summary>The bound entry points, for tests that call NVML directly beside the probe.</summary>
    internal NvmlApi? Api => _api;

    /// <summary>Loads and initializes NVML. Never throws for a missing library or driver: see <see cref="Status"/>.</summary>
    /// <param name="libraryPath">Gpu:Nvml:LibraryPath: the NVML file to load instead of searching the driver's usual places.</param>
    public static NvmlGpuProbe Create(TimeProvider clock, string? libraryPath = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return TryInitialize(libraryPath, out var api, out var reason)
            ? new NvmlGpuProbe(clock, GpuProbeStatus.Ok, api)
            : new NvmlGpuProbe(clock, GpuProbeStatus.Unavailable(reason), api: null);
    }

    /// <summary>Like <see cref="Create"/>, but hands out the probe only when NVML is available.</summary>
    public static bool TryCreate(TimeProvider clock, [NotNullWhen(true)] out NvmlGpuProbe? probe, [NotNullWhen(false)] out string? reason) =>
        TryCreate(clock, libraryPath: null, out probe, out reason);

    /// <inheritdoc cref="TryCreate(TimeProvider, out NvmlGpuProbe?, out string?)"/>
    public static bool TryCreate(TimeProvider clock, string? libraryPath, [NotNullWhen(true)] out NvmlGpuProbe? probe, [NotNullWhen(false)] out string? reason)
    {
        var created = Create(clock, libraryPath);
        if (created.Status.Available)
        {
            probe = created;
            reason = null;
            return true;
        }

        created.Dispose();
        probe = null;
        reason = created.Status.Reason ?? "NVML unavailable";
        return false;
    }

    /// <exception cref="NvmlException">The GPUs cannot be enumerated at all (not a per-GPU error).</exception>
    public IReadOnlyList<GpuSample> Sample(bool includeProcesses)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_api is not { } api)
            {
                return [];
            }

            var now = _clock.GetUtcNow();
            var countResult = api.nvmlDeviceGetCount_v2(out var count);
            if (countResult != NvmlReturn.SUCCESS)
            {
                throw new NvmlException(countResult, nameof(NvmlApi.nvmlDeviceGetCount_v2));
            }

            var samples = new List<GpuSample>((int)count);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var index = 0; index < (int)count; index++)
            {
                var sample = SampleDevice(api, index, includeProcesses, now);
                samples.Add(sample);
                seen.Add(sample.Uuid);
                if (sample.Health == GpuHealth.Ok)
                {
                    _lastByUuid[sample.Uuid] = sample;
                }
            }

            foreach (var (uuid, last) in _lastByUuid)
            {
                if (!seen.Contains(uuid))
                {
                    samples.Add(UnreadableGpuSample.From(
                        last, uuid, last.Index, GpuHealth.Lost, "no longer enumerated by NVML (fell off the bus?)", now));
                }
            }

            return samples;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_api is { } api)
            {
                // One shutdown per successful init (NVML is reference-counted). A failure here leaves nothing to undo.
                _ = api.nvmlShutdown();
            }
        }
    }

    /// <summary>Decodes an NVML string buffer: UTF-8 up to the first NUL.</summary>
    internal static string DecodeString(ReadOnlySpan<byte> buffer)
    {
        var end = buffer.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? buffer : buffer[..end]).Trim();
    }

    /// <summary>NVML counts bytes in <c>unsigned long long</c>; no GPU comes near <see cref="long.MaxValue"/>.</summary>
    internal static long ToBytes(ulong value) => value > long.MaxValue ? long.MaxValue : (long)value;

    private static bool TryInitialize(string? libraryPath, [NotNullWhen(true)] out NvmlApi? api, [NotNullWhen(false)] out string? reason)
    {
        api = null;
        if (!NvmlLibrary.TryLoad(libraryPath, out var handle, out var path, out reason))
        {
            return false;
        }

        if (!NvmlApi.TryBind(handle, path, out var bound, out reason))
        {
            return false;
        }

        var result = bound.nvmlInit_v2();
        if (result != NvmlReturn.SUCCESS)
        {
            reason = $"{nameof(NvmlApi.nvmlInit_v2)} failed: {result.Describe()} ({ErrorString(bound, result)})";
            return false;
        }

        api = bound;
        return true;
    }

    private static unsafe string? ReadVersion(NvmlApi api, string function)
    {
        var buffer = stackalloc byte[DriverVersionBufferSize];
        try
        {
            var result = function == nameof(NvmlApi.nvmlSystemGetDriverVersion)
                ? api.nvmlSystemGetDriverVersion(buffer, DriverVersionBufferSize)
                : api.nvmlSystemGetNVMLVersion(buffer, DriverVersionBufferSize);
            return result == NvmlReturn.SUCCESS ? DecodeString(new ReadOnlySpan<byte>(buffer, DriverVersionBufferSize)) : null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    private static string ErrorString(NvmlApi api, NvmlReturn result)
    {
        // A pointer to a static string inside NVML; copied, never freed.
        var text = Marshal.PtrToStringUTF8(api.nvmlErrorString(result));
        return string.IsNullOrEmpty(text) ? "no description" : text;
    }

    private GpuSample SampleDevice(NvmlApi api, int index, bool includeProcesses, DateTimeOffset now)
    {
        var uuid = _uuidByIndex.GetValueOrDefault(index) ?? $"nvml-index-{index}";
        var handleResult = api.nvmlDeviceGetHandleByIndex_v2((uint)index, out var device);
        if (handleResult != NvmlReturn.SUCCESS)
        {
            return Unreadable(uuid, index, nameof(NvmlApi.nvmlDeviceGetHandleByIndex_v2), handleResult, now);
        }

        var uuidResult = ReadUuid(api, device, out var readUuid);
        if (uuidResult != NvmlReturn.SUCCESS)
        {
            return Unreadable(uuid, index, nameof(NvmlApi.nvmlDeviceGetUUID), uuidResult, now);
        }

        // Index order can change across reboots; the UUID is the identity (nvml.h l.4600).
        uuid = readUuid;
        _uuidByIndex[index] = uuid;

        var log = new DeviceReadLog();
        var name = ReadName(api, device, out var readName) == NvmlReturn.SUCCESS ? readName : "unknown GPU";

        // NOT_SUPPORTED before Ampere: null, not false.
        var migMode = ReadUInt(nameof(NvmlApi.nvmlDeviceGetMigMode), log, (out uint v) => api.nvmlDeviceGetMigMode(device, out v, out _));
        bool? migEnabled = migMode is null ? null : migMode == 1;

        var memoryResult = ReadMemory(api, device, out var memory);
        if (memoryResult != NvmlReturn.SUCCESS)
        {
            var sample = Unreadable(uuid, index, "nvmlDeviceGetMemoryInfo", memoryResult, now);
            return migEnabled == true && sample.Health == GpuHealth.Error
                ? sample with { HealthReason = $"{sample.HealthReason}; MIG is enabled, and the whole-GPU memory reading needs a privileged process" }
                : sample;
        }

        double? utilization = null, memoryUtilization = null;
        if (ReadValue(nameof(NvmlApi.nvmlDeviceGetUtilizationRates), log, (out nvmlUtilization_t u) => api.nvmlDeviceGetUtilizationRates(device, out u), out var rates))
        {
            utilization = rates.gpu;
            memoryUtilization = rates.memory;
        }

        var temperature = ReadTemperature(api, device, log);
        var power = ReadUInt(nameof(NvmlApi.nvmlDeviceGetPowerUsage), log, (out uint v) => api.nvmlDeviceGetPowerUsage(device, out v)) / 1000.0;
        var powerLimit = ReadUInt(nameof(NvmlApi.nvmlDeviceGetEnforcedPowerLimit), log, (out uint v) => api.nvmlDeviceGetEnforcedPowerLimit(device, out v)) / 1000.0;
        double? encoder = ReadUInt(nameof(NvmlApi.nvmlDeviceGetEncoderUtilization), log, (out uint v) => api.nvmlDeviceGetEncoderUtilization(device, out v, out _));
        double? decoder = ReadUInt(nameof(NvmlApi.nvmlDeviceGetDecoderUtilization), log, (out uint v) => api.nvmlDeviceGetDecoderUtilization(device, out v, out _));
        var smClock = (int?)ReadUInt(nameof(NvmlApi.nvmlDeviceGetClockInfo), log, (out uint v) => api.nvmlDeviceGetClockInfo(device, ClockSm, out v));
        var memoryClock = (int?)ReadUInt(nameof(NvmlApi.nvmlDeviceGetClockInfo), log, (out uint v) => api.nvmlDeviceGetClockInfo(device, ClockMemory, out v));

        IReadOnlyList<GpuProcess>? processes = null;
        if (includeProcesses)
        {
            if (ReadValue(nameof(NvmlApi.nvmlDeviceGetComputeRunningProcesses), log, (out IReadOnlyList<GpuProcess> list) => ReadProcesses(api, device, out list), out var list))
            {
                processes = list;
            }
        }

        if (log.LostReason is { } lost)
        {
            return UnreadableGpuSample.From(_lastByUuid.GetValueOrDefault(uuid), uuid, index, GpuHealth.Lost, lost, now);
        }

        return new GpuSample(
            Uuid: uuid,
            Index: index,
            Name: name,
            MemoryTotalBytes: memory.Total,
            MemoryUsedBytes: memory.Used,
            MemoryFreeBytes: memory.Free,
            MemoryReservedBytes: memory.Reserved,
            UtilizationPercent: utilization,
            MemoryUtilizationPercent: memoryUtilization,
            TemperatureCelsius: temperature,
            PowerDrawWatts: power,
            PowerLimitWatts: powerLimit,
            EncoderUtilizationPercent: encoder,
            DecoderUtilizationPercent: decoder,
            SmClockMhz: smClock,
            MemoryClockMhz: memoryClock,
            MigEnabled: migEnabled,
            Processes: processes,
            Health: GpuHealth.Ok,
            // Metrics that failed for another reason than "not supported" are null too; say which, rather than hide it.
            HealthReason: log.Failures.Count == 0 ? null : $"could not read {string.Join("; ", log.Failures)}",
            At: now);
    }

    private GpuSample Unreadable(string uuid, int index, string function, NvmlReturn result, DateTimeOffset now)
    {
        var health = result.Classify() == NvmlReturnClass.GpuLost ? GpuHealth.Lost : GpuHealth.Error;
        return UnreadableGpuSample.From(
            _lastByUuid.GetValueOrDefault(uuid), uuid, index, health, $"{function}: {result.Describe()}", now);
    }

    private static unsafe NvmlReturn ReadUuid(NvmlApi api, nint device, out string uuid)
    {
        var buffer = stackalloc byte[DeviceStringBufferSize];
        var result = api.nvmlDeviceGetUUID(device, buffer, DeviceStringBufferSize);
        uuid = result == NvmlReturn.SUCCESS ? DecodeString(new ReadOnlySpan<byte>(buffer, DeviceStringBufferSize)) : "";
        return result;
    }

    private static unsafe NvmlReturn ReadName(NvmlApi api, nint device, out string name)
    {
        var buffer = stackalloc byte[DeviceStringBufferSize];
        var result = api.nvmlDeviceGetName(device, buffer, DeviceStringBufferSize);
        name = result == NvmlReturn.SUCCESS ? DecodeString(new ReadOnlySpan<byte>(buffer, DeviceStringBufferSize)) : "";
        return result;
    }

    /// <summary>v2 (what nvidia-smi shows, with reserved memory split out), else v1 on drivers before R510.</summary>
    private NvmlReturn ReadMemory(NvmlApi api, nint device, out MemoryReading memory)
    {
        const string v2 = nameof(NvmlApi.nvmlDeviceGetMemoryInfo_v2);
        if (!_missingEntryPoints.Contains(v2))
        {
            try
            {
                var reading = new nvmlMemory_v2_t { version = nvmlMemory_v2_t.Version };
                var result = api.nvmlDeviceGetMemoryInfo_v2(device, ref reading);
                if (result == NvmlReturn.SUCCESS)
                {
                    memory = new(ToBytes(reading.total), ToBytes(reading.used), ToBytes(reading.free), ToBytes(reading.reserved));
                    return result;
                }

                if (result is NvmlReturn.ERROR_FUNCTION_NOT_FOUND or NvmlReturn.ERROR_ARGUMENT_VERSION_MISMATCH)
                {
                    _missingEntryPoints.Add(v2);
                }
                else if (result.Classify() != NvmlReturnClass.NotSupported)
                {
                    memory = default;
                    return result;
                }
            }
            catch (EntryPointNotFoundException)
            {
                _missingEntryPoints.Add(v2);
            }
        }

        var v1Result = api.nvmlDeviceGetMemoryInfo(device, out var v1);
        memory = v1Result == NvmlReturn.SUCCESS
            ? new(ToBytes(v1.total), ToBytes(v1.used), ToBytes(v1.free), Reserved: null)
            : default;
        return v1Result;
    }

    /// <summary>TemperatureV (NVML 12.8+), else the deprecated GetTemperature, which 13.0 still exports.</summary>
    private double? ReadTemperature(NvmlApi api, nint device, DeviceReadLog log)
    {
        const string versioned = nameof(NvmlApi.nvmlDeviceGetTemperatureV);
        if (!_missingEntryPoints.Contains(versioned))
        {
            try
            {
                var reading = new nvmlTemperature_v1_t { version = nvmlTemperature_v1_t.Version, sensorType = TemperatureSensorGpu };
                var result = api.nvmlDeviceGetTemperatureV(device, ref reading);
                if (result == NvmlReturn.SUCCESS)
                {
                    return reading.temperature;
                }

                if (result is NvmlReturn.ERROR_FUNCTION_NOT_FOUND or NvmlReturn.ERROR_ARGUMENT_VERSION_MISMATCH)
                {
                    _missingEntryPoints.Add(versioned);
                }
                else if (result.Classify() != NvmlReturnClass.NotSupported)
                {
                    log.Accept(versioned, result);
                    return null;
                }
            }
            catch (EntryPointNotFoundException)
            {
                _missingEntryPoints.Add(versioned);
            }
        }

        return ReadUInt(nameof(NvmlApi.nvmlDeviceGetTemperature), log, (out uint v) => api.nvmlDeviceGetTemperature(device, TemperatureSensorGpu, out v));
    }

    /// <summary>The count / INSUFFICIENT_SIZE / retry protocol of nvml.h l.7370–7402.</summary>
    private static unsafe NvmlReturn ReadProcesses(NvmlApi api, nint device, out IReadOnlyList<GpuProcess> processes)
    {
        processes = [];
        uint count = 0;
        var result = api.nvmlDeviceGetComputeRunningProcesses(device, ref count, null);
        for (var attempt = 0; result == NvmlReturn.ERROR_INSUFFICIENT_SIZE && attempt < 4; attempt++)
        {
            // Headroom: processes can start between the sizing call and this one.
            var infos = new nvmlProcessInfo_v1_t[count + 8];
            count = (uint)infos.Length;
            fixed (nvmlProcessInfo_v1_t* pointer = infos)
            {
                result = api.nvmlDeviceGetComputeRunningProcesses(device, ref count, pointer);
            }

            if (result == NvmlReturn.SUCCESS)
            {
                processes = infos
                    .Take((int)Math.Min(count, (uint)infos.Length))
                    .Select(p => new GpuProcess((int)p.pid, p.usedGpuMemory == ValueNotAvailable ? null : ToBytes(p.usedGpuMemory)))
                    .ToArray();
            }
        }

        return result;
    }

    private delegate NvmlReturn OutCall<T>(out T value);

    private bool ReadValue<T>(string function, DeviceReadLog log, OutCall<T> call, [MaybeNullWhen(false)] out T value)
    {
        value = default;
        if (_missingEntryPoints.Contains(function))
        {
            return false;
        }

        try
        {
            return log.Accept(function, call(out value));
        }
        catch (EntryPointNotFoundException)
        {
            _missingEntryPoints.Add(function);
            return false;
        }
    }

    private uint? ReadUInt(string function, DeviceReadLog log, OutCall<uint> call) =>
        ReadValue(function, log, call, out var value) ? value : null;

    private readonly record struct MemoryReading(long Total, long Used, long Free, long? Reserved);

    /// <summary>Collects what went wrong while reading one GPU's optional metrics.</summary>
    private sealed class DeviceReadLog
    {
        public string? LostReason { get; private set; }

        public List<string> Failures { get; } = [];

        /// <summary>True when the value can be used; records the failure otherwise (NOT_SUPPORTED is just n/a).</summary>
        public bool Accept(string function, NvmlReturn result)
        {
            switch (result.Classify())
            {
                case NvmlReturnClass.Ok:
                    return true;
                case NvmlReturnClass.NotSupported:
                    return false;
                case NvmlReturnClass.GpuLost:
                    LostReason ??= $"{function}: {result.Describe()}";
                    return false;
                default:
                    Failures.Add($"{function}: {result.Describe()}");
                    return false;
            }
        }
    }
}
