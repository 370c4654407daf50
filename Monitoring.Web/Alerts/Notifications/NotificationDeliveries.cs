using Microsoft.Extensions.Options;
using Monitoring.Core.Alerts;

namespace Monitoring.Web.Alerts.Notifications;

/// <summary>What became of one notification on one channel.</summary>
/// <param name="Channel">log, webhook, email, alertmanager; or queue when it was dropped before any channel saw it.</param>
/// <param name="Attempts">Tries made, retries included.</param>
/// <param name="Error">Why the last attempt failed; never a secret (no password, no URL user info or path).</param>
public sealed record NotificationDelivery(
    DateTimeOffset At,
    string Channel,
    AlertNotificationKind Kind,
    string AlertName,
    AlertSeverity Severity,
    string Fingerprint,
    bool Delivered,
    int Attempts,
    string? Error);

/// <summary>The last <see cref="AlertNotificationOptions.HistorySize"/> delivery outcomes, newest first on read.</summary>
public sealed class NotificationDeliveryLog(IOptions<AlertNotificationOptions> options)
{
    private readonly int _capacity = options.Value.HistorySize;
    private readonly Queue<NotificationDelivery> _deliveries = new();

    public void Add(NotificationDelivery delivery)
    {
        lock (_deliveries)
        {
            if (_deliveries.Count == _capacity)
            {
                _deliveries.Dequeue();
            }

            _deliveries.Enqueue(delivery);
        }
    }

    public IReadOnlyList<NotificationDelivery> Recent()
    {
        lock (_deliveries)
        {
            return _deliveries.Reverse().ToList();
        }
    }
}
