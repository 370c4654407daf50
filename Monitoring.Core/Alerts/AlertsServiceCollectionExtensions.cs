using Microsoft.Extensions.DependencyInjection;

namespace Monitoring.Core.Alerts;

public static class AlertsServiceCollectionExtensions
{
    /// <summary>Registers the alert engine: options (<c>Alerts:*</c>), rules, silences, the reader, the evaluator,
    /// seeding and retention. The host adds an <see cref="IAlertSignalSource"/> and an <see cref="IAlertNotificationSink"/>.</summary>
    public static IServiceCollection AddAlertEngine(this IServiceCollection services)
    {
        services.AddOptions<AlertOptions>().BindConfiguration(AlertOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AlertRules>();
        services.AddSingleton<AlertSilences>();
        services.AddSingleton<AlertReader>();
        services.AddSingleton<AlertEvaluator>();
        services.AddSingleton<AlertMaintenance>();
        services.AddSingleton<StoredAlertSignals>();
        services.AddSingleton<RunningTaskAnomalies>();
        return services;
    }
}
