using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Monitoring.Core;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;
using Monitoring.Core.Workers;
using Monitoring.Web.Alerts.Notifications;
using Monitoring.Web.Alerts;
using Monitoring.Web.Api;
using Monitoring.Web.Audit;
using Monitoring.Web.Components;
using Monitoring.Web.Demo;
using Monitoring.Web.Monitor;
using Monitoring.Web.Security;
using Monitoring.Web.Security.Accounts;
using Monitoring.Web.Settings;
using Monitoring.Web.Health;
using Monitoring.Web.Live;
using Monitoring.Web.Logs;
using Monitoring.Web.MetricHistory;
using Monitoring.Web.Tasks;
using Monitoring.Web.Workers;
using MudBlazor.Services;

namespace Monitoring.Web;

public static class MonitoringWebExtensions
{
    /// <summary>Registers the console, the API, security and the demo producer.</summary>
    public static WebApplicationBuilder AddMonitoringWeb(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        builder.AddMonitoringSecurity();
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddReadinessChecks();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => MonitoringJson.Configure(o.SerializerOptions));
        services.AddOpenApi();

        // The host binds only Kestrel's endpoints from configuration; its limits are bound here. Each page load
        // leaves the browser's parallel HTTP/1.1 connections open (about six) and every one keeps its buffers
        // until the keep-alive timeout ends it: appsettings.json sets 15 s (Kestrel's default is 130 s; Apache's 5 s).
        builder.WebHost.ConfigureKestrel((context, kestrel) => context.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits));

        services.AddRazorComponents().AddInteractiveServerComponents(circuits =>
        {
            // Render batches the browser has not acknowledged are kept, serialized, until it does: a slow page
            // holds up to this many (default 10). The live pages draw at most twice a second, so three are a
            // second and a half of changes; past that the renderer waits and sends the newest state at once.
            circuits.MaxBufferedUnacknowledgedRenderBatches = 3;
            // A disconnected circuit keeps all of its page's memory until it is resumed or evicted; the default
            // (100) is far more tabs than one machine's console has dropped at once.
            circuits.DisconnectedCircuitMaxRetained = 25;
        });
        services.AddMudServices();
        services.AddSingleton<LiveFeed>();
        services.AddSingleton<LiveStatistics>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveStatistics>());

        services.AddHostedService<DemoProducer>();

        // The worker pool's graceful stop runs inside the host's stop, which the host cuts off after ShutdownTimeout
        // (30 s by default): it must outlast Workers:ShutdownGraceSeconds plus killing what still runs, recording it
        // and releasing the lease.
        services.AddOptions<HostOptions>().Configure<IOptions<WorkerOptions>>((host, workers) =>
        {
            var needed = TimeSpan.FromSeconds(workers.Value.ShutdownGraceSeconds + 15);
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });
        return builder;
    }

    /// <summary>Brings the database up to date. Work a previous process left running is recovered by the
    /// scheduler once it holds the lease, so a second process on the same database never touches it.</summary>
    public static async Task PrepareMonitoringAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.Services.InitializeDatabaseAsync();
        await app.Services.InitializeAccountsAsync();
    }

    public static WebApplication MapMonitoring(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler();
        }

        app.UseSecurityHeaders();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseReadOnlyGuard();
        app.UseAntiforgery();
        app.MapStaticAssets();

        app.MapHealthEndpoints();
        app.MapOpenApi().RequireAuthorization(Roles.ViewPolicy);
        app.MapAccountEndpoints();
        app.MapTasksApi();
        app.MapMonitorApi();
        app.MapWorkersApi();
        app.MapMetricHistoryApi();
        app.MapApiKeysApi();
        app.MapLogsApi();
        app.MapConfigApi();
        app.MapAuditApi();
        app.MapAlertNotificationsApi();
        app.MapAlertsApi();
        // WebSocket compression off: per-message deflate keeps a compressor per connection outside the managed heap
        // for as long as the page is open (turning it off took the circuits benchmark from 797 to 486 KiB of working
        // set per open dashboard), to save bandwidth a console on the same machine or LAN does not need. (It also ends the compression side channel; the security
        // headers already forbid framing, which Blazor adds only when compression is on.)
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(server => server.DisableWebSocketCompression = true)
            .RequireAuthorization(Roles.ViewPolicy);

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Urls.Count > 0 ? string.Join(", ", app.Urls) : "(no addresses)";
            app.Logger.LogInformation("Monitoring console listening on {Addresses}", addresses);
        });
        return app;
    }
}
