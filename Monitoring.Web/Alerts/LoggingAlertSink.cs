using Monitoring.Core.Alerts;

namespace Monitoring.Web.Alerts;

/// <summary>The notification channel that is always there (SPEC §6: "the log always"). The channel dispatcher
/// replaces this registration when it is present; until then a transition is at least on record in the log.</summary>
public sealed partial class LoggingAlertSink(ILogger<LoggingAlertSink> logger) : IAlertNotificationSink
{
    public void Publish(AlertNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (notification.Kind == AlertNotificationKind.Firing)
        {
            LogFiring(notification.Severity, notification.RuleName, notification.Summary, notification.Fingerprint);
        }
        else
        {
            LogResolved(notification.RuleName, notification.Summary, notification.Fingerprint);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert firing ({Severity}): {Rule}: {Summary} [{Fingerprint}]")]
    private partial void LogFiring(AlertSeverity severity, string rule, string summary, string fingerprint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert resolved: {Rule}: {Summary} [{Fingerprint}]")]
    private partial void LogResolved(string rule, string summary, string fingerprint);
}
