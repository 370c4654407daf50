using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core;
using Monitoring.Core.Tasks;
using Monitoring.Gpu;
using Monitoring.Tests.Gpu.NvmlStub;
using Monitoring.Tests.Metrics;
using Monitoring.Tests.Support;
using Monitoring.Web.Workers;

namespace Monitoring.Tests.Gpu;

/// <summary>
/// The whole app with <c>Gpu:Provider = nvml</c> and <c>Gpu:Nvml:LibraryPath</c> pointing at the driver-shaped stub,
/// as an operator with a driver in a non-standard place would configure it: the GPU API, /metrics, the scheduler and
/// the GpuLost alert see exactly what the driver reports.
/// </summary>
public sealed class NvmlStubAppTests
{
    private const long GiB = 1L << 30;

    // GPU 0 is the larger card but nearly full; GPU 1 is smaller with most of it free. Placing by total memory, or
    // by a field read at the wrong offset, would pick GPU 0.
    private static readonly StubGpu Full = StubScripts.Gpu2 with
    {
        Mig = false, Free = 6 * GiB + 12_345, Used = (80 * GiB) - StubScripts.Gpu2.Reserved - (6 * GiB + 12_345),
    };

    private static readonly StubGpu Roomy = StubScripts.Gpu0 with
    {
        Free = 20 * GiB + 777, Used = (24 * GiB) - StubScripts.Gpu0.Reserved - (20 * GiB + 777),
    };

    [Fact]
    public async Task The_gpu_api_metrics_and_placement_carry_exactly_what_the_driver_reports()
    {
        using var stub = new NvmlStubDriver(StubScripts.Script([Full, Roomy], []));
        await using var host = await StartAsync(stub);
        using var client = host.CreateClient();
        var inventory = host.Services.GetRequiredService<GpuInventory>();
        await Eventually.TrueAsync(() => inventory.Samples.Count == 2, "the GPU job reads both GPUs");

        var view = await (await client.GetAsync(new Uri("/api/v1/monitor/gpus", UriKind.Relative))).ReadAsync<GpuView>();
        Assert.Equal("nvml", view.Provider);
        Assert.True(view.Available, view.Reason);
        Assert.Equal([Full.Uuid, Roomy.Uuid], view.Gpus.Select(g => g.Uuid));
        foreach (var (gpu, stubGpu) in view.Gpus.Zip([Full, Roomy]))
        {
            Assert.Equal(GpuHealth.Ok, gpu.Health);
            Assert.Equal(stubGpu.Name, gpu.Name);
            Assert.Equal((stubGpu.Total, stubGpu.Used, stubGpu.Free, stubGpu.Reserved), (gpu.MemoryTotalBytes, gpu.MemoryUsedBytes, gpu.MemoryFreeBytes, gpu.MemoryReservedBytes));
            Assert.Equal(stubGpu.Utilization, gpu.UtilizationPercent);
            Assert.Equal(stubGpu.Temperature, gpu.TemperatureCelsius);
            Assert.Equal(stubGpu.PowerMilliwatts / 1000.0, gpu.PowerDrawWatts);
            Assert.Equal(stubGpu.SmClock, gpu.SmClockMhz);
            Assert.Equal(stubGpu.Encoder, gpu.EncoderUtilizationPercent);
        }

        var metrics = Exposition.Parse(await host.ScrapeAsync());
        foreach (var stubGpu in new[] { Full, Roomy })
        {
            double Value(string name) => metrics.Named(name).Single(s => s["uuid"] == stubGpu.Uuid).Value;
            Assert.Equal(1, Value("monitoring_gpu_up"));
            Assert.Equal(stubGpu.Free, Value("monitoring_gpu_memory_free_bytes"));
            Assert.Equal(stubGpu.Used, Value("monitoring_gpu_memory_used_bytes"));
            Assert.Equal(stubGpu.Total, Value("monitoring_gpu_memory_total_bytes"));
            Assert.Equal(stubGpu.Utilization / 100.0, Value("monitoring_gpu_utilization_ratio"), 1e-9);
            Assert.Equal(stubGpu.Temperature, Value("monitoring_gpu_temperature_celsius"));
            Assert.Equal(stubGpu.PowerMilliwatts / 1000.0, Value("monitoring_gpu_power_watts"), 1e-9);
            Assert.Equal(stubGpu.LimitMilliwatts / 1000.0, Value("monitoring_gpu_power_limit_watts"), 1e-9);
        }

        // 10 GiB: more than GPU 0 has free, well within GPU 1's free memory less its 2.4 GiB margin.
        var fits = (await host.Queue.EnqueueAsync(new TaskSubmission { Type = GateHandler.GpuType, RequiredGpuMemoryBytes = 10 * GiB }, Actor.System)).Task;
        await Eventually.TrueAsync(() => host.Gate.Started.Contains(fits.Id), "the 10 GiB task is placed");
        Assert.Equal(Roomy.Uuid, host.Gate.RunOf(fits.Id).GpuUuid);

        // 30 GiB: within GPU 0's total, so it waits rather than failing, but no GPU has it free.
        var waits = (await host.Queue.EnqueueAsync(new TaskSubmission { Type = GateHandler.GpuType, RequiredGpuMemoryBytes = 30 * GiB }, Actor.System)).Task;
        await WhyWaitingAsync(client, waits.Id, "needs 30.0 GiB; best GPU has");
        Assert.DoesNotContain(waits.Id, host.Gate.Started);
    }

    [Fact]
    public async Task A_gpu_the_driver_loses_gets_no_task_reports_up_0_and_fires_GpuLost()
    {
        // The GPU job samples every second; GPU 1 answers GPU_IS_LOST to everything from its fourth probe on.
        using var stub = new NvmlStubDriver(StubScripts.Script([Full, Roomy], ["fail 1 * 15 from 4"]));
        await using var host = await StartAsync(stub, ("Alerts:EvaluationIntervalSeconds", "5"));
        using var client = host.CreateClient();
        var inventory = host.Services.GetRequiredService<GpuInventory>();

        await Eventually.TrueAsync(
            () => inventory.Current.Any(g => g.Uuid == Roomy.Uuid && !g.Schedulable), "GPU 1 turns unschedulable", TimeSpan.FromSeconds(30));
        Assert.Contains("NVML_ERROR_GPU_IS_LOST (15)", inventory.Current.Single(g => g.Uuid == Roomy.Uuid).Problem, StringComparison.Ordinal);

        // Only the lost GPU had room for it.
        var task = (await host.Queue.EnqueueAsync(new TaskSubmission { Type = GateHandler.GpuType, RequiredGpuMemoryBytes = 10 * GiB }, Actor.System)).Task;
        await WhyWaitingAsync(client, task.Id, "needs 10.0 GiB; best GPU has");
        Assert.DoesNotContain(task.Id, host.Gate.Started);

        var metrics = Exposition.Parse(await host.ScrapeAsync());
        Assert.Equal(0, metrics.Named("monitoring_gpu_up").Single(s => s["uuid"] == Roomy.Uuid).Value);
        Assert.Equal(1, metrics.Named("monitoring_gpu_up").Single(s => s["uuid"] == Full.Uuid).Value);

        await Eventually.TrueAsync(async () =>
        {
            var firing = await (await client.GetAsync(new Uri("/api/v1/alerts?status=Firing", UriKind.Relative))).ReadJsonAsync();
            return firing.EnumerateArray().Any(a =>
                a.GetProperty("ruleName").GetString() == "GpuLost"
                && a.GetProperty("labels").TryGetProperty("uuid", out var uuid) && uuid.GetString() == Roomy.Uuid);
        }, "GpuLost fires for GPU 1", TimeSpan.FromSeconds(30));
    }

    private static Task<MetricsHost> StartAsync(NvmlStubDriver stub, params (string Key, string Value)[] more) =>
        MetricsHost.StartAsync([("Gpu:Provider", "nvml"), ("Gpu:Nvml:LibraryPath", stub.LibraryPath), .. more]);

    private static async Task WhyWaitingAsync(HttpClient client, long taskId, string prefix)
    {
        await Eventually.TrueAsync(async () =>
        {
            var task = await (await client.GetAsync(new Uri($"/api/v1/tasks/{taskId}", UriKind.Relative))).ReadJsonAsync();
            var why = task.GetProperty("whyWaiting").ValueKind == JsonValueKind.String ? task.GetProperty("whyWaiting").GetString() : null;
            return why?.StartsWith(prefix, StringComparison.Ordinal) == true;
        }, $"task {taskId} waits saying '{prefix}…'");
    }
}
