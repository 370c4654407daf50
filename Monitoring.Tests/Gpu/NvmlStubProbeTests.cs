using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Gpu;
using Monitoring.Tests.Gpu.NvmlStub;
using Monitoring.Tests.Support;
using static Monitoring.Gpu.Interop.Nvml;

namespace Monitoring.Tests.Gpu;

/// <summary>
/// The real <see cref="NvmlGpuProbe"/>, loaded through its configured library path, against the driver-shaped stub
/// (NvmlStub/nvml_stub.c): what the stub's table says arrives unchanged, and each NVML error leads to what the probe
/// documents. Runs on every machine; the same probe against a real driver is <see cref="NvmlRealDriverTests"/>.
/// </summary>
public sealed class NvmlStubProbeTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Every_field_the_driver_fills_arrives_unchanged_in_the_samples()
    {
        using var stub = new NvmlStubDriver(StubScripts.ThreeGpus());
        using var probe = Create(stub);

        var samples = probe.Sample(includeProcesses: true);

        Assert.Equal(StubScripts.Gpus.Count, samples.Count);
        for (var index = 0; index < samples.Count; index++)
        {
            var gpu = StubScripts.Gpus[index];
            var expected = new GpuSample(
                Uuid: gpu.Uuid, Index: index, Name: gpu.Name,
                MemoryTotalBytes: gpu.Total, MemoryUsedBytes: gpu.Used, MemoryFreeBytes: gpu.Free, MemoryReservedBytes: gpu.Reserved,
                // A MIG-enabled GPU answers NOT_SUPPORTED to utilization, encoder and decoder queries (nvml.h).
                UtilizationPercent: gpu.Mig ? null : gpu.Utilization,
                MemoryUtilizationPercent: gpu.Mig ? null : gpu.MemoryUtilization,
                TemperatureCelsius: gpu.Temperature,
                PowerDrawWatts: gpu.PowerMilliwatts / 1000.0,
                PowerLimitWatts: gpu.LimitMilliwatts / 1000.0,
                EncoderUtilizationPercent: gpu.Mig ? null : gpu.Encoder,
                DecoderUtilizationPercent: gpu.Mig ? null : gpu.Decoder,
                SmClockMhz: gpu.SmClock,
                MemoryClockMhz: gpu.MemoryClock,
                MigEnabled: gpu.Mig,
                Processes: samples[index].Processes,
                Health: GpuHealth.Ok,
                HealthReason: null,
                At: _clock.GetUtcNow());
            Assert.Equal(expected, samples[index]);
        }

        Assert.Equal(
            StubScripts.Gpu0Processes.Select(p => new GpuProcess(p.Pid, p.Bytes)),
            samples[0].Processes!);
        Assert.Empty(samples[1].Processes!);
        Assert.Empty(samples[2].Processes!);
    }

    [Fact]
    public void The_probe_reads_memory_through_v2_with_the_version_the_driver_accepts_and_never_falls_back()
    {
        using var stub = new NvmlStubDriver(StubScripts.ThreeGpus());
        using var probe = Create(stub);

        probe.Sample(includeProcesses: false);
        probe.Sample(includeProcesses: false);

        Assert.Equal(6u, stub.CallCount("nvmlDeviceGetMemoryInfo_v2"));
        Assert.Equal(0u, stub.CallCount("nvmlDeviceGetMemoryInfo"));
        Assert.Equal(6u, stub.CallCount("nvmlDeviceGetTemperatureV"));
        Assert.Equal(0u, stub.CallCount("nvmlDeviceGetTemperature"));
    }

    [Fact]
    public void The_stub_answers_a_wrong_struct_version_with_ARGUMENT_VERSION_MISMATCH_like_the_driver()
    {
        using var stub = new NvmlStubDriver(StubScripts.ThreeGpus());
        using var probe = Create(stub);
        var nvml = probe.Api!;
        Assert.Equal(NvmlReturn.SUCCESS, nvml.nvmlDeviceGetHandleByIndex_v2(0, out var device));

        // The header's prose says "2"; the macro gives sizeof | 2 << 24 (GPU-NOTES §1).
        var plainTwo = new nvmlMemory_v2_t { version = 2 };
        var right = new nvmlMemory_v2_t { version = nvmlMemory_v2_t.Version };
        var temperatureWrong = new nvmlTemperature_v1_t { version = 1, sensorType = TemperatureSensorGpu };

        Assert.Equal(NvmlReturn.ERROR_ARGUMENT_VERSION_MISMATCH, nvml.nvmlDeviceGetMemoryInfo_v2(device, ref plainTwo));
        Assert.Equal(0ul, plainTwo.total);
        Assert.Equal(NvmlReturn.ERROR_ARGUMENT_VERSION_MISMATCH, nvml.nvmlDeviceGetTemperatureV(device, ref temperatureWrong));
        Assert.Equal(NvmlReturn.SUCCESS, nvml.nvmlDeviceGetMemoryInfo_v2(device, ref right));
        Assert.Equal((ulong)StubScripts.Gpu0.Total, right.total);
    }

    [Fact]
    public void The_versions_and_the_library_the_probe_loaded_are_reported()
    {
        using var stub = new NvmlStubDriver(StubScripts.ThreeGpus());
        using var probe = Create(stub);

        Assert.True(probe.Status.Available, probe.Status.Reason);
        Assert.Equal(StubScripts.Driver, probe.DriverVersion);
        Assert.Equal(StubScripts.NvmlVersion, probe.NvmlVersion);
        Assert.Equal(stub.LibraryPath, probe.LibraryPath);
    }

    [Fact]
    public void A_metric_the_driver_does_not_support_is_null_and_every_other_reading_is_intact()
    {
        using var stub = new NvmlStubDriver(StubScripts.ThreeGpus(
            "fail 1 nvmlDeviceGetPowerUsage 3",
            "fail 1 nvmlDeviceGetTemperatureV 3",
            "fail 1 nvmlDeviceGetTemperature 3",
            "fail 1 nvmlDeviceGetClockInfo 3"));
        using var probe = Create(stub);

        var gpu = probe.Sample(includeProcesses: false)[1];

        Assert.Equal(GpuHealth.Ok, gpu.Health);
        Assert.Null(gpu.HealthReason);
        Assert.Null(gpu.PowerDrawWatts);
        Assert.Null(gpu.TemperatureCelsius);
        Assert.Null(gpu.SmClockMhz);
        Assert.Null(gpu.MemoryClockMhz);
        Assert.Equal(StubScripts.Gpu1.Free, gpu.MemoryFreeBytes);
        Assert.Equal(StubScripts.Gpu1.Utilization, gpu.UtilizationPercent);
        Assert.Equal(StubScripts.Gpu1.LimitMilliwatts / 1000.0, gpu.PowerLimitWatts);
        Assert.Equal(StubScripts.Gpu1.Encoder, gpu.EncoderUtilizationPercent);
    }

    [Fact]
    public void A_metric_that_fails_for_another_reason_is_null_and_named_in_the_health_reason()
    {
        using var stub = new NvmlStubDriver(StubScripts.ThreeGpus("fail 0 nvmlDeviceGetEncoderUtilization 10"));
        using var probe = Create(stub);

        var gpu = probe.Sample(includeProcesses: false)[0];

        Assert.Equal(GpuHealth.Ok, gpu.Health);
        Assert.Null(gpu.EncoderUtilizationPercent);
        Assert.Equal("could not read nvmlDeviceGetEncoderUtilization: NVML_ERROR_TIMEOUT (10)", gpu.HealthReason);
        Assert.Equal(StubScripts.Gpu0.Decoder, gpu.DecoderUtilizationPercent);
    }

    [Theory]
    [InlineData(15, "NVML_ERROR_GPU_IS_LOST (15)")]
    [InlineData(16, "NVML_ERROR_RESET_REQUIRED (16)")]
    public void Gpu_1_lost_at_the_third_probe_turns_lost_and_unschedulable_keeping_its_identity(int code, string described)
    {
        using var stub = new NvmlStubDriver(StubScripts.ThreeGpus($"fail 1 * {code} from 3"));
        var logs = new RecordingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        using var inventory = new GpuInventory(Create(stub), loggers.CreateLogger<GpuInventory>());

        inventory.Refresh(includeProcesses: false);
        inventory.Refresh(includeProcesses: false);
        Assert.All(inventory.Current, g => Assert.True(g.Schedulable, g.Problem));

        var third = inventory.Refresh(includeProcesses: false);

        Assert.Equal(3u, stub.Probes);
        var lost = third[1];
        Assert.Equal(GpuHealth.Lost, lost.Health);
        Assert.Contains(described, lost.HealthReason, StringComparison.Ordinal);
        Assert.Equal(StubScripts.Gpu1.Uuid, lost.Uuid);
        Assert.Equal(StubScripts.Gpu1.Name, lost.Name);
        Assert.Equal(StubScripts.Gpu1.Total, lost.MemoryTotalBytes);
        Assert.Equal(0, lost.MemoryFreeBytes);
        Assert.Null(lost.TemperatureCelsius);
        Assert.Equal([GpuHealth.Ok, GpuHealth.Ok], new[] { third[0].Health, third[2].Health });

        var state = inventory.Current.Single(g => g.Uuid == StubScripts.Gpu1.Uuid);
        Assert.False(state.Schedulable);
        Assert.Contains(described, state.Problem, StringComparison.Ordinal);
        var logged = Assert.Single(logs.Events, e => e.Level == LogLevel.Error);
        Assert.Contains($"GPU {StubScripts.Gpu1.Uuid} ({StubScripts.Gpu1.Name}) is unschedulable", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gpu_lost_only_while_reading_power_is_still_lost_not_just_missing_power()
    {
        using var stub = new NvmlStubDriver(StubScripts.ThreeGpus("fail 0 nvmlDeviceGetPowerUsage 15 from 2 until 2"));
        using var probe = Create(stub);

        Assert.Equal(GpuHealth.Ok, probe.Sample(includeProcesses: false)[0].Health);
        var second = probe.Sample(includeProcesses: false)[0];
        var third = probe.Sample(includeProcesses: false)[0];

        Assert.Equal(GpuHealth.Lost, second.Health);
        Assert.Equal("nvmlDeviceGetPowerUsage: NVML_ERROR_GPU_IS_LOST (15): the GPU fell off the bus or is otherwise inaccessible", second.HealthReason);
        Assert.Equal(GpuHealth.Ok, third.Health);
        Assert.Equal(StubScripts.Gpu0.PowerMilliwatts / 1000.0, third.PowerDrawWatts);
    }

    [Fact]
    public void The_process_list_is_asked_again_with_the_count_the_driver_returned_while_processes_keep_starting()
    {
        // After each of the first two calls ten more processes start: sizing (2) → 2 + 8 headroom is short of 12 →
        // 12 + 8 is short of 22 → 22 + 8 fits.
        using var stub = new NvmlStubDriver(StubScripts.ThreeGpus("race 0 10 2"));
        using var probe = Create(stub);

        var processes = probe.Sample(includeProcesses: true)[0].Processes!;

        Assert.Equal(4u + 2, stub.CallCount("nvmlDeviceGetComputeRunningProcesses"));
        Assert.Equal(22, processes.Count);
        Assert.Equal(StubScripts.Gpu0Processes.Select(p => new GpuProcess(p.Pid, p.Bytes)), processes.Take(2));
        Assert.Equal(new GpuProcess(70002, 3L << 20), processes[2]);
        Assert.Equal(new GpuProcess(70021, 22L << 20), processes[^1]);
    }

    [Fact]
    public void A_process_list_that_keeps_growing_past_four_retries_is_left_out_and_the_gpu_stays_usable()
    {
        using var stub = new NvmlStubDriver(StubScripts.ThreeGpus("race 0 50 100"));
        using var probe = Create(stub);

        var gpu = probe.Sample(includeProcesses: true)[0];

        Assert.Equal(GpuHealth.Ok, gpu.Health);
        Assert.Null(gpu.Processes);
        Assert.Equal("could not read nvmlDeviceGetComputeRunningProcesses: NVML_ERROR_INSUFFICIENT_SIZE (7)", gpu.HealthReason);
        Assert.Equal(StubScripts.Gpu0.Free, gpu.MemoryFreeBytes);
    }

    [Fact]
    public void Without_processes_one_call_answers_and_nothing_is_retried()
    {
        using var stub = new NvmlStubDriver(StubScripts.ThreeGpus());
        using var probe = Create(stub);

        probe.Sample(includeProcesses: true);

        // GPU 0: sizing + read; GPUs 1 and 2: the sizing call alone says SUCCESS with none.
        Assert.Equal(2u + 1 + 1, stub.CallCount("nvmlDeviceGetComputeRunningProcesses"));
    }

    [Fact]
    public void Uninitialized_at_the_second_probe_fails_the_whole_reading_and_the_inventory_keeps_the_last_one()
    {
        using var stub = new NvmlStubDriver(StubScripts.ThreeGpus("fail * nvmlDeviceGetCount_v2 1 from 2"));
        using var inventory = new GpuInventory(Create(stub), Microsoft.Extensions.Logging.Abstractions.NullLogger<GpuInventory>.Instance);
        var first = inventory.Refresh(includeProcesses: false);

        var second = inventory.Refresh(includeProcesses: false);

        Assert.Same(first, second);
        Assert.Equal("nvmlDeviceGetCount_v2 failed: NVML_ERROR_UNINITIALIZED (1)", inventory.LastError);
        var exception = Assert.Throws<NvmlException>(() => inventory.Probe.Sample(includeProcesses: false));
        Assert.Equal(NvmlReturnClass.Unavailable, exception.Class);
    }

    [Fact]
    public void Calls_after_the_probe_shut_nvml_down_are_answered_UNINITIALIZED_by_the_stub()
    {
        using var stub = new NvmlStubDriver(StubScripts.ThreeGpus());
        var probe = Create(stub);
        var nvml = probe.Api!;

        probe.Dispose();

        Assert.Equal(1u, stub.CallCount("nvmlShutdown"));
        Assert.Equal(NvmlReturn.ERROR_UNINITIALIZED, nvml.nvmlDeviceGetCount_v2(out _));
    }

    [Fact]
    public void A_driver_that_fails_to_initialize_leaves_the_probe_unavailable_with_the_drivers_own_words()
    {
        using var stub = new NvmlStubDriver(StubScripts.ThreeGpus("init 9"));
        using var probe = Create(stub);

        Assert.False(probe.Status.Available);
        Assert.Equal(
            "nvmlInit_v2 failed: NVML_ERROR_DRIVER_NOT_LOADED (9): the NVIDIA kernel driver is not loaded (Driver Not Loaded)",
            probe.Status.Reason);
        Assert.Empty(probe.Sample(includeProcesses: true));
    }

    [Fact]
    public void On_a_driver_before_R510_memory_and_temperature_fall_back_to_the_v1_calls()
    {
        using var stub = new NvmlStubDriver(StubScripts.ThreeGpus(), oldDriver: true);
        using var probe = Create(stub);

        var gpu = probe.Sample(includeProcesses: false)[0];
        probe.Sample(includeProcesses: false);

        Assert.Equal(GpuHealth.Ok, gpu.Health);
        // v1 counts reserved memory as used and has no reserved field.
        Assert.Equal(StubScripts.Gpu0.Used + StubScripts.Gpu0.Reserved, gpu.MemoryUsedBytes);
        Assert.Null(gpu.MemoryReservedBytes);
        Assert.Equal(StubScripts.Gpu0.Free, gpu.MemoryFreeBytes);
        Assert.Equal(StubScripts.Gpu0.Temperature, gpu.TemperatureCelsius);
        Assert.Equal(6u, stub.CallCount("nvmlDeviceGetMemoryInfo"));
    }

    [Fact]
    public void A_mig_gpu_whose_memory_needs_privileges_is_an_error_that_says_so()
    {
        using var stub = new NvmlStubDriver(StubScripts.ThreeGpus("fail 2 nvmlDeviceGetMemoryInfo_v2 4", "fail 2 nvmlDeviceGetMemoryInfo 4"));
        using var probe = Create(stub);

        var gpu = probe.Sample(includeProcesses: false)[2];

        Assert.Equal(GpuHealth.Error, gpu.Health);
        Assert.Equal(0, gpu.MemoryFreeBytes);
        Assert.Contains("NVML_ERROR_NO_PERMISSION (4)", gpu.HealthReason, StringComparison.Ordinal);
        Assert.Contains("MIG is enabled", gpu.HealthReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_probes_on_two_stub_copies_answer_from_their_own_tables()
    {
        using var oneGpuLost = new NvmlStubDriver(StubScripts.ThreeGpus("fail 0 * 15"));
        using var healthy = new NvmlStubDriver(StubScripts.ThreeGpus());
        using var first = Create(oneGpuLost);
        using var second = Create(healthy);

        Assert.Equal(GpuHealth.Lost, first.Sample(includeProcesses: false)[0].Health);
        Assert.Equal(GpuHealth.Ok, second.Sample(includeProcesses: false)[0].Health);
    }

    private NvmlGpuProbe Create(NvmlStubDriver stub) =>
        (NvmlGpuProbe)GpuProbeFactory.Create(new GpuOptions { Provider = "nvml", Nvml = { LibraryPath = stub.LibraryPath } }, _clock, out _);
}
