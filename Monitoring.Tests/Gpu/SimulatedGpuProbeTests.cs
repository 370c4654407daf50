using Microsoft.Extensions.Time.Testing;
using Monitoring.Gpu;

namespace Monitoring.Tests.Gpu;

public sealed class SimulatedGpuProbeTests : IDisposable
{
    private const long GiB = 1L << 30;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly SimulatedGpuProbe _probe;

    public SimulatedGpuProbeTests() => _probe = new SimulatedGpuProbe(2, 24 * GiB, _clock);

    public void Dispose() => _probe.Dispose();

    [Fact]
    public void NewProbe_ListsStableUuidsAndIdleReadings()
    {
        var samples = _probe.Sample(includeProcesses: false);

        Assert.Equal("simulated", _probe.Provider);
        Assert.True(_probe.Status.Available);
        Assert.Equal(["GPU-00000000-0000-0000-0000-000000000000", "GPU-00000000-0000-0000-0000-000000000001"], samples.Select(s => s.Uuid));
        Assert.Equal([0, 1], samples.Select(s => s.Index));
        Assert.All(samples, gpu =>
        {
            Assert.Equal("Simulated GPU", gpu.Name);
            Assert.Equal(24 * GiB, gpu.MemoryTotalBytes);
            Assert.Equal(SimulatedGpuProbe.BaseOverheadBytes, gpu.MemoryUsedBytes);
            Assert.Equal(24 * GiB - SimulatedGpuProbe.BaseOverheadBytes, gpu.MemoryFreeBytes);
            Assert.Equal(0, gpu.UtilizationPercent);
            Assert.Equal(35, gpu.TemperatureCelsius);
            Assert.Equal(60, gpu.PowerDrawWatts);
            Assert.Equal(700, gpu.PowerLimitWatts);
            Assert.Equal(GpuHealth.Ok, gpu.Health);
            Assert.Null(gpu.Processes);
            Assert.Equal(_clock.GetUtcNow(), gpu.At);
        });
    }

    [Fact]
    public void Reserve_MovesUsedAndFreeMemoryAndLoadOfThatGpuOnly()
    {
        var uuid = _probe.Uuids[1];

        Assert.True(_probe.Reserve(uuid, taskId: 7, bytes: 6 * GiB));

        var samples = _probe.Sample(includeProcesses: true);
        var busy = samples[1];
        Assert.Equal(SimulatedGpuProbe.BaseOverheadBytes + 6 * GiB, busy.MemoryUsedBytes);
        Assert.Equal(busy.MemoryTotalBytes - busy.MemoryUsedBytes, busy.MemoryFreeBytes);
        Assert.InRange(busy.UtilizationPercent!.Value, 38, 42);
        Assert.Equal(35 + 0.5 * busy.UtilizationPercent.Value, busy.TemperatureCelsius);
        Assert.Equal(60 + 3 * busy.UtilizationPercent.Value, busy.PowerDrawWatts);
        Assert.Equal([new GpuProcess(Environment.ProcessId, 6 * GiB)], busy.Processes);

        var idle = samples[0];
        Assert.Equal(SimulatedGpuProbe.BaseOverheadBytes, idle.MemoryUsedBytes);
        Assert.Equal(0, idle.UtilizationPercent);
        Assert.Equal([], idle.Processes);
    }

    [Fact]
    public void Release_FreesTheMemoryAndTheLoad()
    {
        var uuid = _probe.Uuids[0];
        _probe.Reserve(uuid, taskId: 1, bytes: 4 * GiB);

        Assert.True(_probe.Release(1));

        var gpu = _probe.Sample(includeProcesses: false)[0];
        Assert.Equal(SimulatedGpuProbe.BaseOverheadBytes, gpu.MemoryUsedBytes);
        Assert.Equal(0, gpu.UtilizationPercent);
    }

    [Fact]
    public void Release_OfATaskThatHoldsNothing_ReturnsFalse()
    {
        Assert.False(_probe.Release(42));
    }

    [Fact]
    public void Reserve_OnAnUnknownUuid_IsRefusedNamingTheUuid()
    {
        var error = Assert.Throws<ArgumentException>(() => _probe.Reserve("GPU-not-here", taskId: 1, bytes: GiB));

        Assert.Contains("GPU-not-here", error.Message, StringComparison.Ordinal);
        Assert.All(_probe.Sample(includeProcesses: false), gpu => Assert.Equal(SimulatedGpuProbe.BaseOverheadBytes, gpu.MemoryUsedBytes));
    }

    [Fact]
    public void Reserve_BeyondFreeMemory_IsRefusedAndReservesNothing()
    {
        var uuid = _probe.Uuids[0];
        Assert.True(_probe.Reserve(uuid, taskId: 1, bytes: 20 * GiB));

        Assert.False(_probe.Reserve(uuid, taskId: 2, bytes: 4 * GiB));

        Assert.Equal(SimulatedGpuProbe.BaseOverheadBytes + 20 * GiB, _probe.Sample(includeProcesses: false)[0].MemoryUsedBytes);
        Assert.False(_probe.Release(2));
    }

    [Fact]
    public void Reserve_ForTheSameTaskAgain_ReplacesItsReservation()
    {
        _probe.Reserve(_probe.Uuids[0], taskId: 1, bytes: 2 * GiB);

        Assert.True(_probe.Reserve(_probe.Uuids[1], taskId: 1, bytes: 3 * GiB));

        var samples = _probe.Sample(includeProcesses: false);
        Assert.Equal(SimulatedGpuProbe.BaseOverheadBytes, samples[0].MemoryUsedBytes);
        Assert.Equal(SimulatedGpuProbe.BaseOverheadBytes + 3 * GiB, samples[1].MemoryUsedBytes);
    }

    [Fact]
    public void Utilization_GrowsWithTasksAndIsCappedAt100()
    {
        var uuid = _probe.Uuids[0];
        _probe.Reserve(uuid, 1, GiB);
        var one = _probe.Sample(includeProcesses: false)[0].UtilizationPercent!.Value;
        _probe.Reserve(uuid, 2, GiB);
        var two = _probe.Sample(includeProcesses: false)[0].UtilizationPercent!.Value;
        _probe.Reserve(uuid, 3, GiB);
        var three = _probe.Sample(includeProcesses: false)[0].UtilizationPercent!.Value;

        Assert.InRange(one, 38, 42);
        Assert.InRange(two, 78, 82);
        Assert.Equal(100, three);
    }

    [Fact]
    public void Readings_AreDeterministicForTheSameClockReading()
    {
        _probe.Reserve(_probe.Uuids[0], 1, GiB);
        var first = _probe.Sample(includeProcesses: false)[0];
        var again = _probe.Sample(includeProcesses: false)[0];

        Assert.Equal(first.UtilizationPercent, again.UtilizationPercent);

        var jitter = new HashSet<double>();
        for (var second = 0; second < 5; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            jitter.Add(_probe.Sample(includeProcesses: false)[0].UtilizationPercent!.Value);
        }

        Assert.True(jitter.Count > 1, "utilization should jitter from one second to the next");
        Assert.All(jitter, value => Assert.InRange(value, 38, 42));
    }

    [Fact]
    public void LostGpu_StaysListedUnderItsUuidWithNoFreeMemory()
    {
        var uuid = _probe.Uuids[1];
        _probe.SetHealth(uuid, GpuHealth.Lost, "fell off the bus");

        var lost = _probe.Sample(includeProcesses: false)[1];

        Assert.Equal(uuid, lost.Uuid);
        Assert.Equal(GpuHealth.Lost, lost.Health);
        Assert.Equal("fell off the bus", lost.HealthReason);
        Assert.Equal(0, lost.MemoryFreeBytes);
        Assert.Equal(24 * GiB, lost.MemoryTotalBytes);
        Assert.False(_probe.Reserve(uuid, 1, GiB));

        _probe.SetHealth(uuid, GpuHealth.Ok, null);
        Assert.Equal(GpuHealth.Ok, _probe.Sample(includeProcesses: false)[1].Health);
    }

    [Fact]
    public void Constructor_RejectsNoGpusAndTooLittleMemory()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulatedGpuProbe(0, 24 * GiB, _clock));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulatedGpuProbe(1, 1024, _clock));
    }
}
