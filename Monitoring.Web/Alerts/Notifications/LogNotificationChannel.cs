using Monitoring.Core.Alerts;

namespace Monitoring.Web.Alerts.Notifications;

/// <summary>Always on: every notification is one structured log event, so the log files hold the alert history
/// even where no other channel is configured.</summary>
internal sealed class LogNotificationChannel(ILoggerFactory loggers) : IAlertNotificationChannel
{
    private readonly ILogger _logger = loggers.CreateLogger("Monitoring.Alerts.Notifications");

    public string Name => "log";

    public bool Enabled => true;

    public Task<DeliveryResult> DeliverAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        var level = notification.Kind == AlertNotificationKind.Resolved ? LogLevel.Information
            : notification.Severity switch
            {
                AlertSeverity.Critical => LogLevel.Error,
                AlertSeverity.Warning => LogLevel.Warning,
                _ => LogLevel.Information,
            };
#pragma warning disable CA2254 // The level varies; the template is constant.
        _logger.Log(level, "Alert {AlertStatus}: {AlertName} ({Severity}) {Summary}; value {Value}, labels {@Labels}, fingerprint {Fingerprint}",
            AlertNotificationText.Status(notification.Kind), notification.RuleName, AlertNotificationText.Severity(notification.Severity),
            notification.Summary, notification.Value, notification.Labels, notification.Fingerprint);
#pragma warning restore CA2254
        return Task.FromResult(new DeliveryResult(1, null));
    }
}
