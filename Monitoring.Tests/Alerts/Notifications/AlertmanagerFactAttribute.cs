using Monitoring.Tests.Support;

namespace Monitoring.Tests.Alerts.Notifications;

/// <summary>A fact that needs the real Alertmanager binary. Where it is missing the test is reported as skipped,
/// with the reason on screen, rather than passing without having checked anything.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AlertmanagerFactAttribute : FactAttribute
{
    public AlertmanagerFactAttribute()
    {
        if (AlertmanagerProcess.Binary is null)
        {
            Skip = "Needs Prometheus Alertmanager: neither prometheus-alertmanager nor alertmanager is on PATH " +
                "(./scripts/test.sh installs the Debian package prometheus-alertmanager)";
        }
    }
}
