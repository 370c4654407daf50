using Monitoring.Core;
using Monitoring.Core.Storage;
using Monitoring.Gpu;
using Monitoring.Web.Alerts.Notifications;
using Monitoring.Web.Alerts;
using Monitoring.Web.Jobs;
using Monitoring.Web.Logs;
using Monitoring.Web.Metrics;
using Monitoring.Web.Settings;
using Monitoring.Web.Telemetry;

namespace Monitoring.Web;

/// <summary>The whole application in one place, so Program.cs and every test host compose it identically.</summary>
public static class MonitoringComposition
{
    public static WebApplicationBuilder AddMonitoring(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Run-time overrides are the last source: they win over appsettings.json, the environment and the command line.
        var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        ((IConfigurationBuilder)builder.Configuration).Add(new OverridesConfigurationSource(storage.DatabasePath));
        builder.Services.AddSingleton<LiveSettings>();
        builder.AddMonitoringLogging();
        builder.AddMonitoringCore();
        builder.AddMonitoringGpu();
        builder.AddMonitoringScheduling();
        builder.AddMonitoringWeb();
        builder.AddPeriodicJobs();
        builder.AddMonitoringMetrics();
        builder.Services.AddAlertNotifications();
        builder.AddMonitoringTelemetry();
        builder.AddMonitoringAlerts();
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
