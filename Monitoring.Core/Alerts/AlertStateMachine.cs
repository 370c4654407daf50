namespace Monitoring.Core.Alerts;

/// <summary>Where an instance stands: its state and the times the transitions depend on.</summary>
public sealed record AlertPhase(
    AlertState State,
    DateTimeOffset? ActiveSince = null,
    DateTimeOffset? FiredAt = null,
    DateTimeOffset? ResolvedAt = null,
    DateTimeOffset? ClearedAt = null,
    AlertState? StateBeforeNoData = null)
{
    public static AlertPhase Initial { get; } = new(AlertState.Inactive);
}

/// <summary>What one evaluation saw for one instance: whether the series had a sample, and whether the rule's
/// condition held on it.</summary>
public enum AlertObservation
{
    NoData,
    Clear,
    Holds,
}

/// <summary>Which notification a step calls for (before silences are applied).</summary>
public enum AlertEdge
{
    None,
    Fired,
    Resolved,
}

public sealed record AlertStep(AlertPhase Phase, AlertEdge Edge);

/// <summary>
/// The alert state machine, in one place and without I/O (the evaluator feeds it; tests drive it with a fake clock).
/// Follows Prometheus' rule semantics (GPU-NOTES §4) with Grafana's separate NoData:
/// <list type="bullet">
/// <item>Inactive or Resolved → Pending when the condition holds (→ Firing at once when <c>for</c> is 0);</item>
/// <item>Pending → Firing once it has held continuously for <c>for</c>; Pending → Inactive when it clears (a flap starts over);</item>
/// <item>Firing → Resolved when it clears, or only after it stayed clear for <c>keep_firing_for</c>;</item>
/// <item>any → NoData when the series has no sample; back when data returns. A gap is not a resolution: a Firing
///   alert resumes as Firing (and resolves only on data that clears it); a Pending one starts over, because
///   nobody saw the condition hold through the gap.</item>
/// </list>
/// </summary>
public static class AlertStateMachine
{
    public static AlertStep Next(AlertPhase current, AlertObservation observation, DateTimeOffset now, TimeSpan forDuration, TimeSpan keepFiringFor)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (observation == AlertObservation.NoData)
        {
            return current.State == AlertState.NoData
                ? new AlertStep(current, AlertEdge.None)
                : new AlertStep(current with { State = AlertState.NoData, StateBeforeNoData = current.State }, AlertEdge.None);
        }

        var phase = current.State == AlertState.NoData
            ? current with
            {
                State = current.StateBeforeNoData switch
                {
                    AlertState.Firing => AlertState.Firing,
                    AlertState.Resolved => AlertState.Resolved,
                    _ => AlertState.Inactive,
                },
                StateBeforeNoData = null,
            }
            : current;
        if (phase.State == AlertState.Inactive)
        {
            phase = phase with { ActiveSince = null };
        }

        return observation == AlertObservation.Holds ? Holds(phase, now, forDuration) : Clears(phase, now, keepFiringFor);
    }

    private static AlertStep Holds(AlertPhase phase, DateTimeOffset now, TimeSpan forDuration)
    {
        switch (phase.State)
        {
            case AlertState.Firing:
                return new AlertStep(phase with { ClearedAt = null }, AlertEdge.None);
            case AlertState.Pending when now - phase.ActiveSince >= forDuration:
                return Fire(phase, now);
            case AlertState.Pending:
                return new AlertStep(phase, AlertEdge.None);
            default:
                var pending = phase with { State = AlertState.Pending, ActiveSince = now, ClearedAt = null };
                return forDuration <= TimeSpan.Zero ? Fire(pending, now) : new AlertStep(pending, AlertEdge.None);
        }
    }

    private static AlertStep Clears(AlertPhase phase, DateTimeOffset now, TimeSpan keepFiringFor)
    {
        switch (phase.State)
        {
            case AlertState.Pending:
                return new AlertStep(phase with { State = AlertState.Inactive, ActiveSince = null }, AlertEdge.None);
            case AlertState.Firing:
                var clearedAt = phase.ClearedAt ?? now;
                if (now - clearedAt < keepFiringFor)
                {
                    return new AlertStep(phase with { ClearedAt = clearedAt }, AlertEdge.None);
                }

                return new AlertStep(
                    phase with { State = AlertState.Resolved, ActiveSince = null, ResolvedAt = now, ClearedAt = null }, AlertEdge.Resolved);
            default:
                return new AlertStep(phase, AlertEdge.None);
        }
    }

    private static AlertStep Fire(AlertPhase pending, DateTimeOffset now) =>
        new(pending with { State = AlertState.Firing, FiredAt = now, ResolvedAt = null }, AlertEdge.Fired);
}
