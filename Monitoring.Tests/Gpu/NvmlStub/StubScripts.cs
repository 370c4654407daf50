namespace Monitoring.Tests.Gpu.NvmlStub;

/// <summary>
/// The machine the stub tests run against: three GPUs, GPU 2 in MIG mode, every field a distinct value (so a field
/// read at the wrong offset, or the wrong clock, shows as a wrong number rather than a plausible one).
/// </summary>
public static class StubScripts
{
    public const string Driver = "575.51.03";
    public const string NvmlVersion = "12.575.51.03";

    public static readonly StubGpu Gpu0 = new(
        "GPU-0a0b0c0d-1111-4111-8111-000000000000", "NVIDIA Stub L4",
        Total: 24L << 30, Reserved: 301_989_888, Used: 17_179_869_184 + 12_345, Free: (24L << 30) - 301_989_888 - (17_179_869_184 + 12_345),
        Utilization: 37, MemoryUtilization: 21, Temperature: 64, PowerMilliwatts: 123_456, LimitMilliwatts: 72_000,
        Encoder: 12, Decoder: 7, GraphicsClock: 1410, SmClock: 1395, MemoryClock: 6251, VideoClock: 1200, Mig: false);

    public static readonly StubGpu Gpu1 = new(
        "GPU-1a1b1c1d-2222-4222-8222-111111111111", "NVIDIA Stub L40S",
        Total: 48L << 30, Reserved: 536_870_912 + 4_096, Used: 3_221_225_472 + 777, Free: (48L << 30) - (536_870_912 + 4_096) - (3_221_225_472 + 777),
        Utilization: 58, MemoryUtilization: 44, Temperature: 71, PowerMilliwatts: 231_987, LimitMilliwatts: 350_000,
        Encoder: 33, Decoder: 19, GraphicsClock: 2010, SmClock: 1980, MemoryClock: 9001, VideoClock: 1650, Mig: false);

    public static readonly StubGpu Gpu2 = new(
        "GPU-2a2b2c2d-3333-4333-8333-222222222222", "NVIDIA Stub A100 80GB",
        Total: 80L << 30, Reserved: 645_922_816, Used: 10_737_418_240 + 4_242, Free: (80L << 30) - 645_922_816 - (10_737_418_240 + 4_242),
        Utilization: 91, MemoryUtilization: 66, Temperature: 55, PowerMilliwatts: 287_654, LimitMilliwatts: 400_000,
        Encoder: 5, Decoder: 3, GraphicsClock: 1275, SmClock: 1410, MemoryClock: 1593, VideoClock: 1155, Mig: true);

    public static IReadOnlyList<StubGpu> Gpus { get; } = [Gpu0, Gpu1, Gpu2];

    /// <summary>Two processes on GPU 0, one of whose memory the driver cannot tell (NVML_VALUE_NOT_AVAILABLE).</summary>
    public static readonly (int Pid, long? Bytes)[] Gpu0Processes = [(4242, 1_610_612_736 + 99), (4343, null)];

    /// <summary>The three GPUs plus <paramref name="more"/> lines (fail, race, init …).</summary>
    public static string ThreeGpus(params string[] more) =>
        Script(Gpus, Gpu0Processes.Select(p => $"process 0 {p.Pid} {(p.Bytes is { } bytes ? bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) : "na")}").Concat(more));

    /// <summary><paramref name="gpus"/> in index order, then <paramref name="more"/> lines.</summary>
    public static string Script(IEnumerable<StubGpu> gpus, IEnumerable<string> more)
    {
        var lines = new List<string> { $"driver {Driver}", $"nvml {NvmlVersion}" };
        lines.AddRange(gpus.SelectMany((gpu, index) => gpu.Lines(index)));
        lines.AddRange(more);
        return string.Join('\n', lines) + "\n";
    }
}

public sealed record StubGpu(
    string Uuid, string Name, long Total, long Reserved, long Used, long Free,
    int Utilization, int MemoryUtilization, int Temperature, int PowerMilliwatts, int LimitMilliwatts,
    int Encoder, int Decoder, int GraphicsClock, int SmClock, int MemoryClock, int VideoClock, bool Mig)
{
    public IEnumerable<string> Lines(int index) =>
    [
        $"gpu {index} {Uuid}",
        $"name {index} {Name}",
        Set(index, "total", Total), Set(index, "reserved", Reserved), Set(index, "used", Used), Set(index, "free", Free),
        Set(index, "util", Utilization), Set(index, "memutil", MemoryUtilization), Set(index, "temp", Temperature),
        Set(index, "power", PowerMilliwatts), Set(index, "limit", LimitMilliwatts), Set(index, "enc", Encoder), Set(index, "dec", Decoder),
        Set(index, "clock0", GraphicsClock), Set(index, "clock1", SmClock), Set(index, "clock2", MemoryClock), Set(index, "clock3", VideoClock),
        Set(index, "mig", Mig ? 1 : 0),
    ];

    private static string Set(int index, string key, long value) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"set {index} {key} {value}");
}
