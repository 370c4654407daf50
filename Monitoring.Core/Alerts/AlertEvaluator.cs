using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.Core.Storage;

namespace Monitoring.Core.Alerts;

/// <summary>What one evaluation changed.</summary>
/// <param name="Transitions">The state changes written to the history.</param>
/// <param name="Firing">Firing instances per severity after the evaluation.</param>
public sealed record AlertEvaluation(
    DateTimeOffset At, int Rules, int Instances, IReadOnlyList<AlertHistoryEntry> Transitions, IReadOnlyDictionary<AlertSeverity, int> Firing,
    int Notifications);

/// <summary>
/// Evaluates every rule against its signal (<see cref="IAlertSignalSource"/>), moves each instance through the
/// <see cref="AlertStateMachine"/>, writes the instances and their transitions in one transaction, and then hands
/// notifications to the <see cref="IAlertNotificationSink"/>: on Firing and Resolved of an instance no silence
/// mutes, and Firing again when a silence ends over an instance that still fires.
/// </summary>
/// <remarks>A disabled rule stops: its firing instances resolve, pending and no-data ones go inactive. A series
/// beyond <see cref="AlertOptions.MaxInstancesPerRule"/> for its rule gets no instance (logged once per rule).</remarks>
public sealed class AlertEvaluator(
    IDbContextFactory<MonitoringDbContext> dbFactory, IAlertSignalSource signals, IAlertNotificationSink sink,
    IOptionsMonitor<AlertOptions> options, TimeProvider clock, ILogger<AlertEvaluator> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<long> _overCapWarned = [];

    public AlertEvaluation? Last { get; private set; }

    public void Dispose() => _gate.Dispose();

    public async Task<AlertEvaluation> EvaluateAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var evaluation = await EvaluateOnceAsync(cancellationToken);
            Last = evaluation;
            return evaluation;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<AlertEvaluation> EvaluateOnceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var cap = options.CurrentValue.MaxInstancesPerRule;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rules = await db.AlertRules.AsNoTracking().OrderBy(r => r.Id).ToListAsync(cancellationToken);
        var instances = (await db.AlertInstances.ToListAsync(cancellationToken)).ToLookup(i => i.RuleId);
        var silences = (await db.Silences.AsNoTracking()
                .Where(s => s.ExpiredAt == null && s.StartsAt <= now && s.EndsAt > now)
                .ToListAsync(cancellationToken))
            .Select(s => AlertLabelSet.Parse(s.Matchers))
            .ToList();

        var read = new Dictionary<string, IReadOnlyList<AlertSignal>>(StringComparer.Ordinal);
        var transitions = new List<(AlertHistoryEntry Entry, AlertInstance Instance)>();
        var notifications = new List<AlertNotification>();
        var instanceCount = 0;
        foreach (var rule in rules)
        {
            var current = instances[rule.Id].ToList();
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            if (rule.Enabled)
            {
                if (!read.TryGetValue(rule.Metric, out var series))
                {
                    series = await signals.ReadAsync(rule.Metric, cancellationToken);
                    read[rule.Metric] = series;
                }

                var matchers = AlertLabelSet.Parse(rule.Matchers);
                foreach (var signal in series.Where(s => AlertLabelSet.Matches(matchers, AlertLabelSet.OfSeries(s.Labels))))
                {
                    values[signal.Labels] = signal.Value;
                }

                AddNewInstances(db, rule, current, values.Keys, cap, now);
            }

            foreach (var instance in current)
            {
                instanceCount++;
                var labels = AlertLabelSet.Identity(rule, instance.SeriesLabels);
                var silenced = silences.Any(m => AlertLabelSet.Matches(m, labels));
                var before = instance.State;
                var wasSilenced = instance.Silenced;
                var step = rule.Enabled ? Observe(rule, instance, values, now) : Stop(instance, now);
                instance.Phase = step.Phase;
                instance.LastEvaluatedAt = now;
                instance.Fingerprint = AlertLabelSet.Fingerprint(labels);
                instance.Silenced = silenced;
                if (instance.State != before)
                {
                    var entry = new AlertHistoryEntry
                    {
                        InstanceId = instance.Id,
                        RuleId = rule.Id,
                        RuleName = rule.Name,
                        Severity = rule.Severity,
                        SeriesLabels = instance.SeriesLabels,
                        From = before,
                        To = instance.State,
                        At = now,
                        Value = values.TryGetValue(instance.SeriesLabels, out var v) ? v : null,
                    };
                    transitions.Add((entry, instance));
                }

                if (silenced)
                {
                    continue;
                }

                if (step.Edge == AlertEdge.Fired || (instance.State == AlertState.Firing && wasSilenced && step.Edge == AlertEdge.None))
                {
                    notifications.Add(AlertNotifications.Of(rule, instance, AlertNotificationKind.Firing, now));
                }
                else if (step.Edge == AlertEdge.Resolved)
                {
                    notifications.Add(AlertNotifications.Of(rule, instance, AlertNotificationKind.Resolved, now));
                }
            }
        }

        // New instances need their ids before the history can point at them.
        await db.SaveChangesAsync(cancellationToken);
        foreach (var (entry, instance) in transitions)
        {
            entry.InstanceId = instance.Id;
        }

        db.AlertHistory.AddRange(transitions.Select(t => t.Entry));
        await db.SaveChangesAsync(cancellationToken);

        foreach (var notification in notifications)
        {
            sink.Publish(notification);
        }

        var firing = db.AlertInstances.Local
            .Where(i => i.State == AlertState.Firing)
            .Join(rules, i => i.RuleId, r => r.Id, (_, r) => r.Severity)
            .GroupBy(s => s)
            .ToDictionary(g => g.Key, g => g.Count());
        if (transitions.Count > 0)
        {
            logger.LogInformation("Alert evaluation: {Count} transition(s): {Transitions}", transitions.Count,
                string.Join("; ", transitions.Take(20).Select(t => $"{t.Entry.RuleName}{{{t.Entry.SeriesLabels}}} {t.Entry.From}→{t.Entry.To}")));
        }

        return new AlertEvaluation(now, rules.Count, instanceCount, transitions.Select(t => t.Entry).ToList(), firing, notifications.Count);
    }

    private void AddNewInstances(MonitoringDbContext db, AlertRule rule, List<AlertInstance> current, IEnumerable<string> seriesLabels, int cap, DateTimeOffset now)
    {
        var known = current.Select(i => i.SeriesLabels).ToHashSet(StringComparer.Ordinal);
        foreach (var labels in seriesLabels.Where(l => !known.Contains(l)).Order(StringComparer.Ordinal))
        {
            if (current.Count >= cap)
            {
                if (_overCapWarned.Add(rule.Id))
                {
                    logger.LogWarning("Alert rule {Rule} matches more than {Cap} series ({Setting}); series such as {{{Labels}}} get no alert",
                        rule.Name, cap, $"{AlertOptions.Section}:{nameof(AlertOptions.MaxInstancesPerRule)}", labels);
                }

                break;
            }

            if (labels.Length > AlertInstance.MaxSeriesLabelsLength)
            {
                continue;
            }

            var instance = new AlertInstance
            {
                RuleId = rule.Id,
                SeriesLabels = labels,
                Fingerprint = AlertLabelSet.Fingerprint(AlertLabelSet.Identity(rule, labels)),
                State = AlertState.Inactive,
                LastEvaluatedAt = now,
            };
            db.AlertInstances.Add(instance);
            current.Add(instance);
        }
    }

    private static AlertStep Observe(AlertRule rule, AlertInstance instance, Dictionary<string, double> values, DateTimeOffset now)
    {
        AlertObservation observation;
        if (values.TryGetValue(instance.SeriesLabels, out var value))
        {
            instance.LastValue = value;
            observation = rule.Comparison.Holds(value, rule.Threshold) ? AlertObservation.Holds : AlertObservation.Clear;
        }
        else
        {
            observation = AlertObservation.NoData;
        }

        return AlertStateMachine.Next(
            instance.Phase, observation, now, TimeSpan.FromSeconds(rule.ForSeconds), TimeSpan.FromSeconds(rule.KeepFiringForSeconds));
    }

    /// <summary>A disabled rule: a firing alert (also one in a data gap) resolves, since it is no longer watched;
    /// anything else rests.</summary>
    private static AlertStep Stop(AlertInstance instance, DateTimeOffset now) => instance.State switch
    {
        AlertState.Firing or AlertState.NoData when instance.State == AlertState.Firing || instance.StateBeforeNoData == AlertState.Firing =>
            new AlertStep(AlertPhase.Initial with { State = AlertState.Resolved, FiredAt = instance.FiredAt, ResolvedAt = now }, AlertEdge.Resolved),
        AlertState.Pending or AlertState.NoData => new AlertStep(AlertPhase.Initial, AlertEdge.None),
        _ => new AlertStep(instance.Phase, AlertEdge.None),
    };
}
