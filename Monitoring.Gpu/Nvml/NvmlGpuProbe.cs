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
    private readonly bool _initialized;
    private bool _disposed;

    // Last good sample per UUID, so a GPU that is lost or vanishes from the enumeration stays in the list.
    // Bounded by the GPUs this machine has had since start-up.
    private readonly Dictionary<string, GpuSample> _lastByUuid = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _uuidByIndex = [];

    // Entry points this driver lacks, so the EntryPointNotFoundException is paid once, not every sample.
    private readonly HashSet<string> _missingEntryPoints = new(StringComparer.Ordinal);

    private NvmlGpuProbe(TimeProvider clock, GpuProbeStatus status, bool initialized, string? driverVersion)
    {
        _clock = clock;
        Status = status;
        _initialized = initialized;
        DriverVersion = driverVersion;
    }

    public string Provider => "nvml";

    public GpuProbeStatus Status { get; }

    /// <summary>e.g. "570.124.06"; null when NVML is unavailable.</summary>
    public string? DriverVersion { get; }

    /// <summary>Loads and initializes NVML. Never throws for a missing library or driver: see <see cref="Status"/>.</summary>
    public static NvmlGpuProbe Create(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return TryInitialize(out var reason, out var driverVersion)
            ? new NvmlGpuProbe(clock, GpuProbeStatus.Ok, initialized: true, driverVersion)
            : new NvmlGpuProbe(clock, GpuProbeStatus.Unavailable(reason), initialized: false, driverVersion: null);
    }

    /// <summary>Like <see cref="Create"/>, but hands out the probe only when NVML is available.</summary>
    public static bool TryCreate(TimeProvider clock, [NotNullWhen(true)] out NvmlGpuProbe? probe, [NotNullWhen(false)] out string? reason)
    {
        var created = Create(clock);
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
            if (!_initialized)
            {
                return [];
            }

            var now = _clock.GetUtcNow();
            var countResult = nvmlDeviceGetCount_v2(out var count);
            if (countResult != NvmlReturn.SUCCESS)
            {
                throw new NvmlException(countResult, nameof(nvmlDeviceGetCount_v2));
            }

            var samples = new List<GpuSample>((int)count);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var index = 0; index < (int)count; index++)
            {
                var sample = SampleDevice(index, includeProcesses, now);
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
            if (_initialized)
            {
                // One shutdown per successful init (NVML is reference-counted). A failure here leaves nothing to undo.
                _ = nvmlShutdown();
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

    private static bool TryInitialize([NotNullWhen(false)] out string? reason, out string? driverVersion)
    {
        driverVersion = null;
        NvmlLibrary.EnsureResolverRegistered();
        if (!NvmlLibrary.TryLoad(out _))
        {
            reason = NvmlLibrary.NotFoundReason();
            return false;
        }

        try
        {
            var result = nvmlInit_v2();
            if (result != NvmlReturn.SUCCESS)
            {
                reason = $"{nameof(nvmlInit_v2)} failed: {result.Describe()} ({ErrorString(result)})";
                return false;
            }
        }
        catch (DllNotFoundException e)
        {
            reason = $"{NvmlLibrary.NotFoundReason()}: {e.Message}";
            return false;
        }
        catch (EntryPointNotFoundException e)
        {
            reason = $"{NvmlLibrary.DisplayName} has no {nameof(nvmlInit_v2)}, the driver is too old: {e.Message}";
            return false;
        }

        driverVersion = ReadDriverVersion();
        reason = null;
        return true;
    }

    private static unsafe string? ReadDriverVersion()
    {
        var buffer = stackalloc byte[DriverVersionBufferSize];
        return nvmlSystemGetDriverVersion(buffer, DriverVersionBufferSize) == NvmlReturn.SUCCESS
            ? DecodeString(new ReadOnlySpan<byte>(buffer, DriverVersionBufferSize))
            : null;
    }

    private static string ErrorString(NvmlReturn result)
    {
        // A pointer to a static string inside NVML; copied, never freed.
        var text = Marshal.PtrToStringUTF8(nvmlErrorString(result));
        return string.IsNullOrEmpty(text) ? "no description" : text;
    }

    private GpuSample SampleDevice(int index, bool includeProcesses, DateTimeOffset now)
    {
        var uuid = _uuidByIndex.GetValueOrDefault(index) ?? $"nvml-index-{index}";
        var handleResult = nvmlDeviceGetHandleByIndex_v2((uint)index, out var device);
        if (handleResult != NvmlReturn.SUCCESS)
        {
            return Unreadable(uuid, index, nameof(nvmlDeviceGetHandleByIndex_v2), handleResult, now);
        }

        var uuidResult = ReadUuid(device, out var readUuid);
        if (uuidResult != NvmlReturn.SUCCESS)
        {
            return Unreadable(uuid, index, nameof(nvmlDeviceGetUUID), uuidResult, now);
        }

        // Index order can change across reboots; the UUID is the identity (nvml.h l.4600).
        uuid = readUuid;
        _uuidByIndex[index] = uuid;

        var log = new DeviceReadLog();
        var name = ReadName(device, out var readName) == NvmlReturn.SUCCESS ? readName : "unknown GPU";

        // NOT_SUPPORTED before Ampere: null, not false.
        var migMode = ReadUInt(nameof(nvmlDeviceGetMigMode), log, (out uint v) => nvmlDeviceGetMigMode(device, out v, out _));
        bool? migEnabled = migMode is null ? null : migMode == 1;

        var memoryResult = ReadMemory(device, out var memory);
        if (memoryResult != NvmlReturn.SUCCESS)
        {
            var sample = Unreadable(uuid, index, "nvmlDeviceGetMemoryInfo", memoryResult, now);
            return migEnabled == true && sample.Health == GpuHealth.Error
                ? sample with { HealthReason = $"{sample.HealthReason}; MIG is enabled, and the whole-GPU memory reading needs a privileged process" }
                : sample;
        }

        double? utilization = null, memoryUtilization = null;
        if (ReadValue(nameof(nvmlDeviceGetUtilizationRates), log, (out nvmlUtilization_t u) => nvmlDeviceGetUtilizationRates(device, out u), out var rates))
        {
            utilization = rates.gpu;
            memoryUtilization = rates.memory;
        }

        var temperature = ReadTemperature(device, log);
        var power = ReadUInt(nameof(nvmlDeviceGetPowerUsage), log, (out uint v) => nvmlDeviceGetPowerUsage(device, out v)) / 1000.0;
        var powerLimit = ReadUInt(nameof(nvmlDeviceGetEnforcedPowerLimit), log, (out uint v) => nvmlDeviceGetEnforcedPowerLimit(device, out v)) / 1000.0;
        double? encoder = ReadUInt(nameof(nvmlDeviceGetEncoderUtilization), log, (out uint v) => nvmlDeviceGetEncoderUtilization(device, out v, out _));
        double? decoder = ReadUInt(nameof(nvmlDeviceGetDecoderUtilization), log, (out uint v) => nvmlDeviceGetDecoderUtilization(device, out v, out _));
        var smClock = (int?)ReadUInt(nameof(nvmlDeviceGetClockInfo), log, (out uint v) => nvmlDeviceGetClockInfo(device, ClockSm, out v));
        var memoryClock = (int?)ReadUInt(nameof(nvmlDeviceGetClockInfo), log, (out uint v) => nvmlDeviceGetClockInfo(device, ClockMemory, out v));

        IReadOnlyList<GpuProcess>? processes = null;
        if (includeProcesses)
        {
            if (ReadValue(nameof(nvmlDeviceGetComputeRunningProcesses), log, (out IReadOnlyList<GpuProcess> list) => ReadProcesses(device, out list), out var list))
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

    private static unsafe NvmlReturn ReadUuid(nint device, out string uuid)
    {
        var buffer = stackalloc byte[DeviceStringBufferSize];
        var result = nvmlDeviceGetUUID(device, buffer, DeviceStringBufferSize);
        uuid = result == NvmlReturn.SUCCESS ? DecodeString(new ReadOnlySpan<byte>(buffer, DeviceStringBufferSize)) : "";
        return result;
    }

    private static unsafe NvmlReturn ReadName(nint device, out string name)
    {
        var buffer = stackalloc byte[DeviceStringBufferSize];
        var result = nvmlDeviceGetName(device, buffer, DeviceStringBufferSize);
        name = result == NvmlReturn.SUCCESS ? DecodeString(new ReadOnlySpan<byte>(buffer, DeviceStringBufferSize)) : "";
        return result;
    }

    /// <summary>v2 (what nvidia-smi shows, with reserved memory split out), else v1 on drivers before R510.</summary>
    private NvmlReturn ReadMemory(nint device, out MemoryReading memory)
    {
        const string v2 = nameof(nvmlDeviceGetMemoryInfo_v2);
        if (!_missingEntryPoints.Contains(v2))
        {
            try
            {
                var reading = new nvmlMemory_v2_t { version = nvmlMemory_v2_t.Version };
                var result = nvmlDeviceGetMemoryInfo_v2(device, ref reading);
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

        var v1Result = nvmlDeviceGetMemoryInfo(device, out var v1);
        memory = v1Result == NvmlReturn.SUCCESS
            ? new(ToBytes(v1.total), ToBytes(v1.used), ToBytes(v1.free), Reserved: null)
            : default;
        return v1Result;
    }

    /// <summary>TemperatureV (NVML 12.8+), else the deprecated GetTemperature, which 13.0 still exports.</summary>
    private double? ReadTemperature(nint device, DeviceReadLog log)
    {
        const string versioned = nameof(nvmlDeviceGetTemperatureV);
        if (!_missingEntryPoints.Contains(versioned))
        {
            try
            {
                var reading = new nvmlTemperature_v1_t { version = nvmlTemperature_v1_t.Version, sensorType = TemperatureSensorGpu };
                var result = nvmlDeviceGetTemperatureV(device, ref reading);
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

        return ReadUInt(nameof(nvmlDeviceGetTemperature), log, (out uint v) => nvmlDeviceGetTemperature(device, TemperatureSensorGpu, out v));
    }

    /// <summary>The count / INSUFFICIENT_SIZE / retry protocol of nvml.h l.7370–7402.</summary>
    private static unsafe NvmlReturn ReadProcesses(nint device, out IReadOnlyList<GpuProcess> processes)
    {
        processes = [];
        uint count = 0;
        var result = nvmlDeviceGetComputeRunningProcesses(device, ref count, null);
        for (var attempt = 0; result == NvmlReturn.ERROR_INSUFFICIENT_SIZE && attempt < 4; attempt++)
        {
            // Headroom: processes can start between the sizing call and this one.
            var infos = new nvmlProcessInfo_v1_t[count + 8];
            count = (uint)infos.Length;
            fixed (nvmlProcessInfo_v1_t* pointer = infos)
            {
                result = nvmlDeviceGetComputeRunningProcesses(device, ref count, pointer);
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
