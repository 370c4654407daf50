using Microsoft.Extensions.DependencyInjection;
using Monitoring.Gpu;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Metrics;

public sealed class LostGpuMetricsTests
{
    [Fact]
    public async Task A_lost_gpu_reports_up_0_and_its_identity_but_no_readings()
    {
        await using var host = await MetricsHost.StartAsync(("Scheduler:Enabled", "false"), ("Gpu:Simulated:Count", "2"));
        var inventory = host.Services.GetRequiredService<GpuInventory>();
        var probe = Assert.IsType<SimulatedGpuProbe>(inventory.Probe);
        var lost = SimulatedGpuProbe.UuidOf(1);
        var healthy = SimulatedGpuProbe.UuidOf(0);
        await Eventually.TrueAsync(() => inventory.Samples.Count == 2, "the GPU probe reads both GPUs");
        Assert.Equal(2, Exposition.Parse(await host.ScrapeAsync()).Named("monitoring_gpu_memory_used_bytes").Count);

        probe.SetHealth(lost, GpuHealth.Lost, "GPU_IS_LOST");
        inventory.Refresh(includeProcesses: false);

        var samples = Exposition.Parse(await host.ScrapeAsync());
        Assert.Equal(0, samples.Named("monitoring_gpu_up").Single(s => s["uuid"] == lost).Value);
        Assert.Equal(1, samples.Named("monitoring_gpu_up").Single(s => s["uuid"] == healthy).Value);
        Assert.Equal([healthy, lost], samples.Named("monitoring_gpu_info").Select(s => s["uuid"]!).Order());
        // What a lost GPU carries over from its last good sample is not a reading: its series go.
        Assert.Equal([healthy], samples.Named("monitoring_gpu_memory_used_bytes").Select(s => s["uuid"]!));
        Assert.Equal([healthy], samples.Named("monitoring_gpu_temperature_celsius").Select(s => s["uuid"]!));
    }
}
