using Monitoring.Core;
using Monitoring.Core.Storage;
using Monitoring.Gpu;
using Monitoring.Web.Alerts.Notifications;
using Monitoring.Web.Alerts;
using Monitoring.Web.Jobs;
using Monitoring.Web.Logs;
using Monitoring.Web.Metrics;
using Monitoring.Web.Security;
using Monitoring.Web.Settings;
using Monitoring.Web.Telemetry;

namespace Monitoring.Web;

/// <summary>The whole application in one place, so Program.cs and every test host compose it identically.</summary>
public static class MonitoringComposition
{
    /// <summary>Used when no address is configured anywhere: this machine only. A container or a server sets its own
    /// (ASPNETCORE_URLS, --urls, Urls, Kestrel:Endpoints, ASPNETCORE_HTTP_PORTS) and nothing here overrides it.</summary>
    public const string DefaultAddress = "http://127.0.0.1:5080";

    /// <summary>The content root is the app's own folder unless one is set (ASPNETCORE_CONTENTROOT, --contentRoot):
    /// started from any other working directory, the host still finds appsettings.json and wwwroot instead of
    /// running silently without task types or settings.</summary>
    public static WebApplicationOptions HostOptions(string[] args)
    {
        // The same sources, in the same order, the host reads its content root from.
        var host = new ConfigurationBuilder().AddEnvironmentVariables("DOTNET_").AddEnvironmentVariables("ASPNETCORE_").AddCommandLine(args).Build();
        return new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = string.IsNullOrEmpty(host[HostDefaults.ContentRootKey]) ? AppContext.BaseDirectory : null,
        };
    }

    /// <summary>Whether the configuration names an address to listen on; when it does not, <see cref="DefaultAddress"/>.</summary>
    internal static bool HasAddress(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey]) ||
        !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey]) ||
        !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey]) ||
        configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();

    public static WebApplicationBuilder AddMonitoring(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!HasAddress(builder.Configuration))
        {
            builder.WebHost.UseUrls(DefaultAddress);
        }

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
        app.UseMonitoringForwardedHeaders();
        // Before MapMonitoring: request timing then wraps auth, status pages and errors, and sees the final status.
        app.MapMonitoringMetrics();
        app.MapMonitoring();
    }
}
