using Monitoring.Core;
using Monitoring.Gpu;
using Monitoring.Web.Jobs;
using Monitoring.Web.Logs;
using Monitoring.Web.Metrics;

namespace Monitoring.Web;

/// <summary>The whole application in one place, so Program.cs and every test host compose it identically.</summary>
public static class MonitoringComposition
{
    public static WebApplicationBuilder AddMonitoring(this WebApplicationBuilder builder)
    {
        builder.AddMonitoringLogging();
        builder.AddMonitoringCore();
        builder.AddMonitoringGpu();
        builder.AddMonitoringScheduling();
        builder.AddMonitoringWeb();
        builder.AddPeriodicJobs();
        builder.AddMonitoringMetrics();
        return builder;
    }

    public static async Task UseMonitoringAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.PrepareMonitoringAsync();
        // Before MapMonitoring: request timing then wraps auth, status pages and errors, and sees the final status.
        app.MapMonitoringMetrics();
        app.MapMonitoring();
    }
}
