using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.Core.Scheduling;

namespace Monitoring.Gpu;

public static class MonitoringGpuExtensions
{
    /// <summary>Registers the GPU probe chosen by <c>Gpu:Provider</c> and the inventory the scheduler reads.</summary>
    public static IHostApplicationBuilder AddMonitoringGpu(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<GpuOptions>().BindConfiguration(GpuOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp =>
        {
            var probe = GpuProbeFactory.Create(sp.GetRequiredService<IOptions<GpuOptions>>().Value, sp.GetRequiredService<TimeProvider>(), out var reason);
            var logger = sp.GetRequiredService<ILogger<GpuInventory>>();
            if (reason is not null)
            {
                logger.LogWarning("GPU provider {Provider}: {Reason}", probe.Provider, reason);
            }
            else
            {
                logger.LogInformation("GPU provider {Provider}", probe.Provider);
            }

            return new GpuInventory(probe, logger);
        });
        builder.Services.AddSingleton<IGpuInventory>(sp => sp.GetRequiredService<GpuInventory>());
        return builder;
    }
}
