namespace Monitoring.Core.Alerts;

public enum AlertState
{
    Inactive,
    Pending,
    Firing,
    Resolved,
    /// <summary>The series had no sample in the lookback window. Not a resolution: a firing alert whose data stops
    /// stays unresolved until data says the condition cleared.</summary>
    NoData,
}

/// <summary>One rule applied to one series (label set): its place in the state machine
/// (<see cref="AlertStateMachine"/>). At most <see cref="AlertOptions.MaxInstancesPerRule"/> per rule.</summary>
public sealed class AlertInstance
{
    public const int MaxSeriesLabelsLength = 512;

    public long Id { get; set; }
    public long RuleId { get; set; }

    /// <summary>The series' canonical labels (<see cref="Metrics.MetricLabels"/>), empty for an unlabelled series.</summary>
    public required string SeriesLabels { get; set; }

    /// <summary>Hash of every identifying label (alertname, severity, the rule's labels, the series labels).</summary>
    public required string Fingerprint { get; set; }

    public AlertState State { get; set; }

    /// <summary>When the condition became true, continuously since (Pending and Firing).</summary>
    public DateTimeOffset? ActiveSince { get; set; }
    public DateTimeOffset? FiredAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }

    /// <summary>When the condition cleared while firing (keep-firing window).</summary>
    public DateTimeOffset? ClearedAt { get; set; }

    /// <summary>The state left for NoData, resumed when data returns.</summary>
    public AlertState? StateBeforeNoData { get; set; }

    public double? LastValue { get; set; }
    public DateTimeOffset LastEvaluatedAt { get; set; }

    /// <summary>A silence muted it at the last evaluation; a Firing alert is announced again when that ends.</summary>
    public bool Silenced { get; set; }

    internal AlertPhase Phase
    {
        get => new(State, ActiveSince, FiredAt, ResolvedAt, ClearedAt, StateBeforeNoData);
        set
        {
            State = value.State;
            ActiveSince = value.ActiveSince;
            FiredAt = value.FiredAt;
            ResolvedAt = value.ResolvedAt;
            ClearedAt = value.ClearedAt;
            StateBeforeNoData = value.StateBeforeNoData;
        }
    }
}

/// <summary>One transition of an instance, kept for <see cref="AlertOptions.HistoryDays"/>. The rule's name and the
/// labels are copied so the history outlives a deleted rule.</summary>
public sealed class AlertHistoryEntry
{
    public long Id { get; set; }
    public long InstanceId { get; set; }
    public long RuleId { get; set; }
    public required string RuleName { get; set; }
    public AlertSeverity Severity { get; set; }
    public required string SeriesLabels { get; set; }
    public AlertState From { get; set; }
    public AlertState To { get; set; }
    public DateTimeOffset At { get; set; }
    public double? Value { get; set; }
}

/// <summary>Mutes notifications of the instances whose labels match every matcher, from <see cref="StartsAt"/> to
/// <see cref="EndsAt"/> (or until expired early). Rules keep evaluating underneath.</summary>
public sealed class Silence
{
    public const int MaxReasonLength = 1024;
    public const int MaxAuthorLength = 128;

    public long Id { get; set; }

    /// <summary>Equality matchers as a JSON object; at least one.</summary>
    public required string Matchers { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public required string Author { get; set; }
    public required string Reason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiredAt { get; set; }

    public bool IsActiveAt(DateTimeOffset at) => ExpiredAt is null && StartsAt <= at && at < EndsAt;
}
