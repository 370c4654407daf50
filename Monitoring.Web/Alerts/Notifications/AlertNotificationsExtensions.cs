using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Monitoring.Core.Alerts;

namespace Monitoring.Web.Alerts.Notifications;

public static class AlertNotificationsExtensions
{
    /// <summary>Registers the notification dispatcher as the <see cref="IAlertNotificationSink"/> (replacing any
    /// log-only fallback registered with TryAdd) and its channels, configured by <c>Alerts:Notifications:*</c>.</summary>
    public static IServiceCollection AddAlertNotifications(this IServiceCollection services)
    {
        services.AddOptions<AlertNotificationOptions>().BindConfiguration(AlertNotificationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<AlertNotificationOptions>, ValidateAlertNotificationOptions>();
        services.TryAddSingleton(TimeProvider.System);

        // The delivery code bounds each attempt with its own (clock-driven) timeout.
        services.AddHttpClient(WebhookNotificationChannel.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddHttpClient(AlertmanagerNotificationChannel.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);

        services.AddSingleton<NotificationDeliveryLog>();
        services.AddSingleton<IAlertNotificationChannel, LogNotificationChannel>();
        services.AddSingleton<IAlertNotificationChannel, WebhookNotificationChannel>();
        services.AddSingleton<IAlertNotificationChannel, SmtpNotificationChannel>();
        services.AddSingleton<IAlertNotificationChannel, AlertmanagerNotificationChannel>();
        services.AddSingleton<AlertNotificationDispatcher>();
        services.AddSingleton<IAlertNotificationSink>(sp => sp.GetRequiredService<AlertNotificationDispatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<AlertNotificationDispatcher>());
        return services;
    }
}
