using System.Diagnostics.Metrics;
using Monitoring.Core.Alerts;
using Monitoring.Web.Metrics;

namespace Monitoring.Web.Alerts;

/// <summary>Alert state on <c>/metrics</c>, from the last evaluation held in memory (a scrape never queries):
/// <c>monitoring_alerts_firing{severity}</c> and the anomaly signal <c>monitoring_tasks_running_over_p99{type}</c>,
/// which the generated Prometheus rule for overdue tasks watches.</summary>
public sealed class AlertGauges
{
    public AlertGauges(MonitoringMeters meters, AlertEvaluator evaluator, LiveAlertSignals signals)
    {
        ArgumentNullException.ThrowIfNull(meters);
        meters.Meter.CreateObservableGauge("monitoring.alerts.firing", () => Firing(evaluator), "{alert}",
            "Alert instances firing at the last rule evaluation, by severity; absent until the first evaluation.");
        meters.Meter.CreateObservableGauge("monitoring.tasks.running_over_p99",
            () => signals.LastOverdue.Select(o => new Measurement<int>(o.Value, new KeyValuePair<string, object?>("type", o.Key))), "{task}",
            "Running tasks whose elapsed time exceeds twice the p99 duration of their type, by type, at the last rule evaluation.");
    }

    private static IEnumerable<Measurement<int>> Firing(AlertEvaluator evaluator) =>
        evaluator.Last is { } last
            ? Enum.GetValues<AlertSeverity>().Select(s => new Measurement<int>(last.Firing.GetValueOrDefault(s), new KeyValuePair<string, object?>("severity", s.Label())))
            : [];
}
