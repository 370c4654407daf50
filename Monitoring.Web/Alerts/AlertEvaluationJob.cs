using Monitoring.Core.Alerts;
using Monitoring.Core.Jobs;
using Monitoring.Core.Scheduling;
using Monitoring.Web.Jobs;
using Monitoring.Web.Live;

namespace Monitoring.Web.Alerts;

/// <summary>Evaluates every rule (<c>Alerts:EvaluationIntervalSeconds</c>, 30 s by default) and tells open pages when
/// an alert changed state.</summary>
/// <remarks>A second process on the same database (read-only: another holds the scheduler lease) does not evaluate,
/// so each transition is written and announced once.</remarks>
public sealed class AlertEvaluationJob(
    AlertEvaluator evaluator, InstanceRole role, LiveFeed feed,
    PeriodicJobMonitor monitor, ILogger<AlertEvaluationJob> logger)
    : MonitoredJob(monitor, logger)
{
    public const string JobName = "alert-evaluation";

    protected override string Name => JobName;

    protected override async Task RunAsync(CancellationToken cancellationToken)
    {
        if (role.IsReadOnly)
        {
            return;
        }

        var evaluation = await evaluator.EvaluateAsync(cancellationToken);
        if (evaluation.Transitions.Count > 0)
        {
            feed.Publish(new AlertUpdate(evaluation.At, evaluation.Transitions.Count, evaluation.Firing.Values.Sum()));
        }
    }
}
