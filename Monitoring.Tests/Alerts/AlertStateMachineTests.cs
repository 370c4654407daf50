using Microsoft.Extensions.Time.Testing;
using Monitoring.Core.Alerts;

namespace Monitoring.Tests.Alerts;

public sealed class AlertStateMachineTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
    private AlertPhase _phase = AlertPhase.Initial;

    [Fact]
    public void Rule_goes_pending_and_fires_only_after_holding_for_its_for_duration()
    {
        var started = _clock.GetUtcNow();
        Assert.Equal(AlertEdge.None, Step(AlertObservation.Holds, forSeconds: 60));
        Assert.Equal(AlertState.Pending, _phase.State);
        Assert.Equal(started, _phase.ActiveSince);

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(AlertEdge.None, Step(AlertObservation.Holds, forSeconds: 60));
        Assert.Equal(AlertState.Pending, _phase.State);

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(AlertEdge.Fired, Step(AlertObservation.Holds, forSeconds: 60));
        Assert.Equal(AlertState.Firing, _phase.State);
        Assert.Equal(_clock.GetUtcNow(), _phase.FiredAt);
        Assert.Equal(started, _phase.ActiveSince);
    }

    [Fact]
    public void Rule_without_for_fires_on_the_first_evaluation()
    {
        Assert.Equal(AlertEdge.Fired, Step(AlertObservation.Holds, forSeconds: 0));
        Assert.Equal(AlertState.Firing, _phase.State);
    }

    [Fact]
    public void A_flapping_condition_starts_the_for_window_over()
    {
        Step(AlertObservation.Holds, forSeconds: 60);
        _clock.Advance(TimeSpan.FromSeconds(50));
        Step(AlertObservation.Clear, forSeconds: 60);
        Assert.Equal(AlertState.Inactive, _phase.State);
        Assert.Null(_phase.ActiveSince);

        _clock.Advance(TimeSpan.FromSeconds(10));
        Step(AlertObservation.Holds, forSeconds: 60);
        _clock.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(AlertEdge.None, Step(AlertObservation.Holds, forSeconds: 60));
        Assert.Equal(AlertState.Pending, _phase.State);

        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(AlertEdge.Fired, Step(AlertObservation.Holds, forSeconds: 60));
    }

    [Fact]
    public void Firing_resolves_when_the_condition_clears()
    {
        Step(AlertObservation.Holds);
        _clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(AlertEdge.Resolved, Step(AlertObservation.Clear));
        Assert.Equal(AlertState.Resolved, _phase.State);
        Assert.Equal(_clock.GetUtcNow(), _phase.ResolvedAt);
    }

    [Fact]
    public void Keep_firing_for_holds_a_cleared_alert_firing_until_the_window_passes()
    {
        Step(AlertObservation.Holds, keepSeconds: 120);
        _clock.Advance(TimeSpan.FromSeconds(30));
        var cleared = _clock.GetUtcNow();
        Assert.Equal(AlertEdge.None, Step(AlertObservation.Clear, keepSeconds: 120));
        Assert.Equal(AlertState.Firing, _phase.State);
        Assert.Equal(cleared, _phase.ClearedAt);

        _clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(AlertEdge.None, Step(AlertObservation.Clear, keepSeconds: 120));
        Assert.Equal(AlertState.Firing, _phase.State);

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(AlertEdge.Resolved, Step(AlertObservation.Clear, keepSeconds: 120));
        Assert.Equal(AlertState.Resolved, _phase.State);
    }

    [Fact]
    public void A_condition_that_returns_inside_keep_firing_for_restarts_the_window()
    {
        Step(AlertObservation.Holds, keepSeconds: 60);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Step(AlertObservation.Clear, keepSeconds: 60);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(AlertEdge.None, Step(AlertObservation.Holds, keepSeconds: 60));
        Assert.Null(_phase.ClearedAt);

        _clock.Advance(TimeSpan.FromSeconds(30));
        Step(AlertObservation.Clear, keepSeconds: 60);
        _clock.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal(AlertEdge.None, Step(AlertObservation.Clear, keepSeconds: 60));
        Assert.Equal(AlertState.Firing, _phase.State);
    }

    [Fact]
    public void A_resolved_alert_fires_again_when_the_condition_returns()
    {
        Step(AlertObservation.Holds, forSeconds: 30);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Step(AlertObservation.Holds, forSeconds: 30);
        Step(AlertObservation.Clear, forSeconds: 30);
        Assert.Equal(AlertState.Resolved, _phase.State);

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(AlertEdge.None, Step(AlertObservation.Holds, forSeconds: 30));
        Assert.Equal(AlertState.Pending, _phase.State);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(AlertEdge.Fired, Step(AlertObservation.Holds, forSeconds: 30));
        Assert.Null(_phase.ResolvedAt);
    }

    [Fact]
    public void Missing_data_is_NoData_not_resolved_and_a_firing_alert_resumes_firing_without_a_new_edge()
    {
        Step(AlertObservation.Holds);
        _clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(AlertEdge.None, Step(AlertObservation.NoData));
        Assert.Equal(AlertState.NoData, _phase.State);
        Assert.Null(_phase.ResolvedAt);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(AlertEdge.None, Step(AlertObservation.NoData));
        Assert.Equal(AlertState.NoData, _phase.State);

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(AlertEdge.None, Step(AlertObservation.Holds));
        Assert.Equal(AlertState.Firing, _phase.State);
    }

    [Fact]
    public void A_firing_alert_whose_data_returns_clear_resolves_then()
    {
        Step(AlertObservation.Holds);
        Step(AlertObservation.NoData);
        _clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(AlertEdge.Resolved, Step(AlertObservation.Clear));
        Assert.Equal(AlertState.Resolved, _phase.State);
        Assert.Equal(_clock.GetUtcNow(), _phase.ResolvedAt);
    }

    [Fact]
    public void A_pending_alert_starts_its_for_window_over_after_a_gap()
    {
        Step(AlertObservation.Holds, forSeconds: 60);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Step(AlertObservation.NoData, forSeconds: 60);
        _clock.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal(AlertEdge.None, Step(AlertObservation.Holds, forSeconds: 60));
        Assert.Equal(AlertState.Pending, _phase.State);
        Assert.Equal(_clock.GetUtcNow(), _phase.ActiveSince);
    }

    [Fact]
    public void An_inactive_series_that_disappears_is_NoData_and_returns_inactive()
    {
        Step(AlertObservation.Clear);
        Step(AlertObservation.NoData);
        Assert.Equal(AlertState.NoData, _phase.State);
        Assert.Equal(AlertState.Inactive, _phase.StateBeforeNoData);

        Step(AlertObservation.Clear);
        Assert.Equal(AlertState.Inactive, _phase.State);
        Assert.Null(_phase.StateBeforeNoData);
    }

    private AlertEdge Step(AlertObservation observation, int forSeconds = 0, int keepSeconds = 0)
    {
        var step = AlertStateMachine.Next(_phase, observation, _clock.GetUtcNow(), TimeSpan.FromSeconds(forSeconds), TimeSpan.FromSeconds(keepSeconds));
        _phase = step.Phase;
        return step.Edge;
    }
}
