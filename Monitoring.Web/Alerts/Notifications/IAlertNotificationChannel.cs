using Monitoring.Core.Alerts;

namespace Monitoring.Web.Alerts.Notifications;

/// <summary>One way out for alert notifications (log, webhook, e-mail, Alertmanager).</summary>
internal interface IAlertNotificationChannel
{
    /// <summary>Short lower-case name shown in delivery outcomes.</summary>
    string Name { get; }

    /// <summary>Whether it is configured; a channel that is not is never called.</summary>
    bool Enabled { get; }

    /// <summary>Delivers with the channel's own retries; returns the outcome instead of throwing.</summary>
    Task<DeliveryResult> DeliverAsync(AlertNotification notification, CancellationToken cancellationToken);
}

/// <summary>A channel that must repeat itself while alerts fire (Alertmanager forgets alerts not re-sent).</summary>
internal interface IRepeatingAlertNotificationChannel : IAlertNotificationChannel
{
    TimeSpan RepeatInterval { get; }

    Task RepeatAsync(CancellationToken cancellationToken);
}

/// <param name="Error">Null when delivered.</param>
internal readonly record struct DeliveryResult(int Attempts, string? Error)
{
    public bool Delivered => Error is null;
}

/// <summary>How notifications read as text in every channel (status and severity as Prometheus writes them).</summary>
internal static class AlertNotificationText
{
    public static string Status(AlertNotificationKind kind) => kind switch
    {
        AlertNotificationKind.Firing => "firing",
        _ => "resolved",
    };

    public static string Severity(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Info => "info",
        AlertSeverity.Warning => "warning",
        _ => "critical",
    };

    /// <summary>Scheme, host and port only: user info carries passwords, and webhook paths often carry tokens.</summary>
    public static string Describe(Uri uri) => $"{uri.Scheme}://{uri.Authority}";
}
