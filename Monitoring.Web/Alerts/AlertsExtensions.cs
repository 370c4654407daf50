using Microsoft.Extensions.DependencyInjection.Extensions;
using Monitoring.Core.Alerts;

namespace Monitoring.Web.Alerts;

public static class AlertsExtensions
{
    /// <summary>Registers the alert engine with the app's signals, the log as the fallback notification channel,
    /// the <c>/metrics</c> gauges and the start-up seeding of the built-in rules. The evaluation job is scheduled
    /// with the other periodic jobs.</summary>
    public static WebApplicationBuilder AddMonitoringAlerts(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddAlertEngine();
        services.AddSingleton<LiveAlertSignals>();
        services.AddSingleton<IAlertSignalSource>(sp => sp.GetRequiredService<LiveAlertSignals>());
        services.AddSingleton<AlertGauges>();
        services.AddHostedService<BuiltInRuleSeeding>();
        return builder;
    }

    /// <summary>Seeds once the database is migrated (the host starts after <c>PrepareMonitoringAsync</c>), and creates
    /// the gauges so the first scrape has them.</summary>
    private sealed class BuiltInRuleSeeding(AlertMaintenance maintenance, AlertGauges gauges) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(gauges);
            await maintenance.SeedBuiltInRulesAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
