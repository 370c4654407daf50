namespace Monitoring.Core.Alerts;

/// <summary>How loud an alert is (SPEC §6).</summary>
public enum AlertSeverity
{
    Info,
    Warning,
    Critical,
}

/// <summary>Which edge of an alert a notification reports.</summary>
public enum AlertNotificationKind
{
    Firing,
    Resolved,
}

/// <summary>
/// One alert instance crossing into Firing or out of it (Resolved), as handed from the rule
/// evaluator to the notification channels. <see cref="Labels"/> identify the instance
/// (they always contain <c>alertname</c> and <c>severity</c>, plus the rule's own labels and the
/// series labels such as <c>uuid</c>); <see cref="Fingerprint"/> is a stable hash of them.
/// </summary>
public sealed record AlertNotification(
    long RuleId,
    string RuleName,
    AlertSeverity Severity,
    IReadOnlyDictionary<string, string> Labels,
    string Summary,
    AlertNotificationKind Kind,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    double? Value,
    string Fingerprint);

/// <summary>
/// Where the evaluator hands notifications. Publishing never waits on a slow channel
/// (webhook, SMTP, Alertmanager): implementations queue and deliver in the background.
/// The evaluator publishes on every transition to Firing and to Resolved of an alert that is
/// not silenced, and publishes Firing again when a silence ends while the alert still fires.
/// </summary>
public interface IAlertNotificationSink
{
    void Publish(AlertNotification notification);
}
