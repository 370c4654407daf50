namespace Monitoring.Gpu;

/// <summary>
/// A fixed set of fake GPUs whose memory and load follow the reservations of running demo tasks, for the demo
/// mode and for tests. Values are deterministic for a given clock reading.
/// </summary>
public sealed class SimulatedGpuProbe : IGpuProbe
{
    /// <summary>What a real GPU shows used with no work on it (CUDA context, driver).</summary>
    public const long BaseOverheadBytes = 300L << 20;

    public const double UtilizationPerTaskPercent = 40;
    public const double IdlePowerWatts = 60;
    public const double PowerWattsPerUtilizationPercent = 3;
    public const double PowerLimitWatts = 700;
    public const string Name = "Simulated GPU";

    private readonly Lock _lock = new();
    private readonly TimeProvider _clock;
    private readonly long _memoryBytes;
    private readonly string[] _uuids;
    private readonly (GpuHealth Health, string? Reason)[] _health;
    private readonly Dictionary<long, (int Gpu, long Bytes)> _reservations = [];

    public SimulatedGpuProbe(int count, long memoryBytes, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryBytes, 2 * BaseOverheadBytes);
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _memoryBytes = memoryBytes;
        _uuids = Enumerable.Range(0, count).Select(UuidOf).ToArray();
        _health = new (GpuHealth, string?)[count];
    }

    public string Provider => "simulated";

    public GpuProbeStatus Status => GpuProbeStatus.Ok;

    public IReadOnlyList<string> Uuids => _uuids;

    /// <summary>GPU-00000000-0000-0000-0000-000000000000 for index 0, …01 for index 1, and so on.</summary>
    public static string UuidOf(int index) => $"GPU-00000000-0000-0000-0000-{index:x12}";

    /// <summary>
    /// Holds <paramref name="bytes"/> on the GPU for <paramref name="taskId"/>, replacing any earlier reservation of
    /// that task. Returns false, reserving nothing, when the GPU lacks the free memory (a simulated out-of-memory)
    /// or is not healthy.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="uuid"/> is not one of <see cref="Uuids"/>.</exception>
    public bool Reserve(string uuid, long taskId, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var gpu = Array.IndexOf(_uuids, uuid);
        if (gpu < 0)
        {
            throw new ArgumentException(
                $"'{uuid}' is not a simulated GPU; the simulated GPUs are {string.Join(", ", _uuids)}.", nameof(uuid));
        }

        lock (_lock)
        {
            var previous = _reservations.Remove(taskId, out var held) ? held : ((int Gpu, long Bytes)?)null;
            if (_health[gpu].Health != GpuHealth.Ok || bytes > _memoryBytes - UsedBytes(gpu))
            {
                if (previous is { } restore)
                {
                    _reservations[taskId] = restore;
                }

                return false;
            }

            _reservations[taskId] = (gpu, bytes);
            return true;
        }
    }

    /// <summary>Frees what <paramref name="taskId"/> held. Returns false when it held nothing.</summary>
    public bool Release(long taskId)
    {
        lock (_lock)
        {
            return _reservations.Remove(taskId);
        }
    }

    /// <summary>Makes a GPU report <paramref name="health"/>, e.g. <see cref="GpuHealth.Lost"/>, to exercise alerts and the scheduler.</summary>
    public void SetHealth(string uuid, GpuHealth health, string? reason)
    {
        var gpu = Array.IndexOf(_uuids, uuid);
        if (gpu < 0)
        {
            throw new ArgumentException($"'{uuid}' is not a simulated GPU.", nameof(uuid));
        }

        lock (_lock)
        {
            _health[gpu] = (health, health == GpuHealth.Ok ? null : reason ?? "simulated failure");
        }
    }

    public IReadOnlyList<GpuSample> Sample(bool includeProcesses)
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            var samples = new GpuSample[_uuids.Length];
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] = SampleOf(i, includeProcesses, now);
            }

            return samples;
        }
    }

    public void Dispose()
    {
    }

    private GpuSample SampleOf(int gpu, bool includeProcesses, DateTimeOffset now)
    {
        var tasks = 0;
        var reserved = 0L;
        foreach (var (held, bytes) in _reservations.Values)
        {
            if (held == gpu)
            {
                tasks++;
                reserved += bytes;
            }
        }

        var used = BaseOverheadBytes + reserved;
        var utilization = Utilization(gpu, tasks, now);
        var healthy = new GpuSample(
            Uuid: _uuids[gpu],
            Index: gpu,
            Name: Name,
            MemoryTotalBytes: _memoryBytes,
            MemoryUsedBytes: used,
            MemoryFreeBytes: _memoryBytes - used,
            MemoryReservedBytes: 0,
            UtilizationPercent: utilization,
            MemoryUtilizationPercent: utilization / 2,
            TemperatureCelsius: 35 + 0.5 * utilization,
            PowerDrawWatts: IdlePowerWatts + PowerWattsPerUtilizationPercent * utilization,
            PowerLimitWatts: PowerLimitWatts,
            EncoderUtilizationPercent: null,
            DecoderUtilizationPercent: null,
            SmClockMhz: tasks > 0 ? 1980 : 345,
            MemoryClockMhz: 2619,
            MigEnabled: false,
            // Demo tasks run inside this process, so like nvidia-smi there is one entry for all of them.
            Processes: includeProcesses ? tasks > 0 ? [new GpuProcess(Environment.ProcessId, reserved)] : [] : null,
            Health: GpuHealth.Ok,
            HealthReason: null,
            At: now);

        var (health, reason) = _health[gpu];
        return health switch
        {
            GpuHealth.Ok => healthy,
            _ => UnreadableGpuSample.From(healthy, healthy.Uuid, gpu, health, reason!, now),
        };
    }

    /// <summary>Proportional to the number of tasks, capped at 100, with ±2 points of jitter that depends only on the clock's second and the GPU.</summary>
    private static double Utilization(int gpu, int tasks, DateTimeOffset now)
    {
        if (tasks == 0)
        {
            return 0;
        }

        var jitter = (int)((now.ToUnixTimeSeconds() * 7 + gpu * 13) % 5 + 5) % 5 - 2;
        return Math.Clamp(tasks * UtilizationPerTaskPercent + jitter, 0, 100);
    }

    private long UsedBytes(int gpu) =>
        BaseOverheadBytes + _reservations.Values.Where(r => r.Gpu == gpu).Sum(r => r.Bytes);
}
