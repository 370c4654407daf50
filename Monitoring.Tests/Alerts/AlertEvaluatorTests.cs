using Microsoft.EntityFrameworkCore;
using Monitoring.Core.Alerts;
using Monitoring.Core.Metrics;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Alerts;

/// <summary>The evaluator over a real SQLite file, reading samples the metric store recorded.</summary>
public sealed class AlertEvaluatorTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private AlertEngine _alerts = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _alerts = new AlertEngine(_db);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_hot_gpu_goes_pending_fires_after_for_and_resolves_with_history_and_notifications()
    {
        await _alerts.CreateTemperatureRuleAsync(forSeconds: 60);

        await _alerts.RecordTemperaturesAsync(("GPU-1", 90), ("GPU-2", 50));
        await _alerts.Evaluator.EvaluateAsync();
        Assert.Equal(AlertState.Pending, (await _alerts.InstanceAsync("GPU-1")).State);
        Assert.Equal(AlertState.Inactive, (await _alerts.InstanceAsync("GPU-2")).State);

        await AdvanceAndRecordAsync(30, ("GPU-1", 91), ("GPU-2", 50));
        Assert.Equal(AlertState.Pending, (await _alerts.InstanceAsync("GPU-1")).State);
        Assert.Empty(_alerts.Sink.Published);

        await AdvanceAndRecordAsync(30, ("GPU-1", 92), ("GPU-2", 50));
        var firing = await _alerts.InstanceAsync("GPU-1");
        Assert.Equal(AlertState.Firing, firing.State);
        Assert.Equal("GPU GPU-1 at 92 °C", firing.Summary);
        var fired = Assert.Single(_alerts.Sink.Published);
        Assert.Equal(AlertNotificationKind.Firing, fired.Kind);
        Assert.Equal(AlertSeverity.Critical, fired.Severity);
        Assert.Equal("GpuHot", fired.Labels["alertname"]);
        Assert.Equal("critical", fired.Labels["severity"]);
        Assert.Equal("render", fired.Labels["team"]);
        Assert.Equal("GPU-1", fired.Labels["uuid"]);
        Assert.Equal(firing.Fingerprint, fired.Fingerprint);
        Assert.Equal(92, fired.Value);

        await AdvanceAndRecordAsync(30, ("GPU-1", 70), ("GPU-2", 50));
        Assert.Equal(AlertState.Resolved, (await _alerts.InstanceAsync("GPU-1")).State);
        var resolved = _alerts.Sink.Published[^1];
        Assert.Equal(AlertNotificationKind.Resolved, resolved.Kind);
        Assert.Equal(fired.Fingerprint, resolved.Fingerprint);
        Assert.Equal(_db.Clock.GetUtcNow(), resolved.EndsAt);

        var history = await _alerts.Reader.HistoryAsync(new AlertHistoryFilter());
        Assert.Equal(
            ["Inactive→Pending", "Pending→Firing", "Firing→Resolved"],
            history.Reverse().Select(h => $"{h.From}→{h.To}"));
        Assert.All(history, h => Assert.Equal("GPU-1", h.Labels["uuid"]));
    }

    [Fact]
    public async Task A_series_that_stops_reporting_is_NoData_not_resolved()
    {
        await _alerts.CreateTemperatureRuleAsync();
        await _alerts.RecordTemperaturesAsync(("GPU-1", 95));
        await _alerts.Evaluator.EvaluateAsync();
        Assert.Equal(AlertState.Firing, (await _alerts.InstanceAsync("GPU-1")).State);

        _db.Clock.Advance(AlertEngine.Lookback + TimeSpan.FromSeconds(1));
        await _alerts.Evaluator.EvaluateAsync();

        var gap = await _alerts.InstanceAsync("GPU-1");
        Assert.Equal(AlertState.NoData, gap.State);
        Assert.Null(gap.ResolvedAt);
        Assert.Equal(AlertNotificationKind.Firing, Assert.Single(_alerts.Sink.Published).Kind);

        await AdvanceAndRecordAsync(30, ("GPU-1", 96));
        Assert.Equal(AlertState.Firing, (await _alerts.InstanceAsync("GPU-1")).State);
        Assert.Single(_alerts.Sink.Published);

        await AdvanceAndRecordAsync(30, ("GPU-1", 60));
        Assert.Equal(AlertNotificationKind.Resolved, _alerts.Sink.Published[^1].Kind);
    }

    [Fact]
    public async Task A_silence_mutes_notifications_and_the_alert_is_announced_when_it_ends_while_still_firing()
    {
        await _alerts.CreateTemperatureRuleAsync();
        var silence = await _alerts.Silences.CreateAsync(
            new SilenceDraft(new Dictionary<string, string> { ["alertname"] = "GpuHot" }, null, _db.Clock.GetUtcNow().AddMinutes(10), "fan swap"),
            TestTasks.Operator);

        await _alerts.RecordTemperaturesAsync(("GPU-1", 95));
        await _alerts.Evaluator.EvaluateAsync();
        var muted = await _alerts.InstanceAsync("GPU-1");
        Assert.Equal(AlertState.Firing, muted.State);
        Assert.True(muted.Silenced);
        Assert.Empty(_alerts.Sink.Published);

        await AdvanceAndRecordAsync(30, ("GPU-1", 95));
        Assert.Empty(_alerts.Sink.Published);

        _db.Clock.Advance(TimeSpan.FromSeconds(30));
        await _alerts.Silences.ExpireAsync(silence.Id, TestTasks.Operator);
        await _alerts.RecordTemperaturesAsync(("GPU-1", 95));
        await _alerts.Evaluator.EvaluateAsync();

        var announced = Assert.Single(_alerts.Sink.Published);
        Assert.Equal(AlertNotificationKind.Firing, announced.Kind);
        Assert.False((await _alerts.InstanceAsync("GPU-1")).Silenced);

        await AdvanceAndRecordAsync(30, ("GPU-1", 95));
        Assert.Single(_alerts.Sink.Published);
    }

    [Fact]
    public async Task A_silence_that_runs_out_unmutes_by_itself()
    {
        await _alerts.CreateTemperatureRuleAsync();
        await _alerts.Silences.CreateAsync(
            new SilenceDraft(new Dictionary<string, string> { ["uuid"] = "GPU-1" }, null, _db.Clock.GetUtcNow().AddMinutes(1), "maintenance"), TestTasks.Operator);
        await _alerts.RecordTemperaturesAsync(("GPU-1", 95), ("GPU-2", 95));
        await _alerts.Evaluator.EvaluateAsync();
        Assert.Equal("GPU-2", Assert.Single(_alerts.Sink.Published).Labels["uuid"]);

        await AdvanceAndRecordAsync(60, ("GPU-1", 95), ("GPU-2", 95));

        Assert.Equal(2, _alerts.Sink.Published.Count);
        Assert.Equal("GPU-1", _alerts.Sink.Published[^1].Labels["uuid"]);
    }

    [Fact]
    public async Task Each_rule_gets_at_most_MaxInstancesPerRule_instances()
    {
        var capped = new AlertEngine(_db, o => o.MaxInstancesPerRule = 2);
        await capped.CreateTemperatureRuleAsync();
        await capped.RecordTemperaturesAsync(("GPU-1", 90), ("GPU-2", 90), ("GPU-3", 90));

        var evaluation = await capped.Evaluator.EvaluateAsync();

        Assert.Equal(2, evaluation.Instances);
        Assert.Equal(["GPU-1", "GPU-2"], (await capped.Reader.InstancesAsync()).Select(i => i.Labels["uuid"]).Order());
    }

    [Fact]
    public async Task Matchers_select_the_series_a_rule_watches()
    {
        await _alerts.Rules.CreateAsync(new AlertRuleDraft
        {
            Name = "Gpu2Hot", Metric = MetricNames.GpuTemperatureCelsius, Matchers = new Dictionary<string, string> { ["uuid"] = "GPU-2" },
            Comparison = ">=", Threshold = 80, Severity = "warning", Summary = "hot",
        }, TestTasks.Operator);
        await _alerts.RecordTemperaturesAsync(("GPU-1", 90), ("GPU-2", 80));

        await _alerts.Evaluator.EvaluateAsync();

        var instance = Assert.Single(await _alerts.Reader.InstancesAsync());
        Assert.Equal("GPU-2", instance.Labels["uuid"]);
        Assert.Equal(AlertState.Firing, instance.State);
    }

    [Fact]
    public async Task Disabling_a_rule_resolves_its_firing_alerts_and_stops_evaluating_it()
    {
        var rule = await _alerts.CreateTemperatureRuleAsync();
        await _alerts.RecordTemperaturesAsync(("GPU-1", 95));
        await _alerts.Evaluator.EvaluateAsync();

        await _alerts.Rules.UpdateAsync(rule.Id, new AlertRuleDraft { Enabled = false }, TestTasks.Operator);
        await AdvanceAndRecordAsync(30, ("GPU-1", 95));

        Assert.Equal(AlertState.Resolved, (await _alerts.InstanceAsync("GPU-1")).State);
        Assert.Equal(AlertNotificationKind.Resolved, _alerts.Sink.Published[^1].Kind);
        await AdvanceAndRecordAsync(30, ("GPU-1", 95));
        Assert.Equal(2, _alerts.Sink.Published.Count);
    }

    [Fact]
    public async Task Deleting_a_rule_announces_its_firing_alerts_resolved_and_keeps_their_history()
    {
        var rule = await _alerts.CreateTemperatureRuleAsync();
        await _alerts.RecordTemperaturesAsync(("GPU-1", 95));
        await _alerts.Evaluator.EvaluateAsync();

        await _alerts.Rules.DeleteAsync(rule.Id, TestTasks.Operator);

        Assert.Equal(AlertNotificationKind.Resolved, _alerts.Sink.Published[^1].Kind);
        Assert.Empty(await _alerts.Reader.InstancesAsync());
        Assert.Single(await _alerts.Reader.HistoryAsync(new AlertHistoryFilter(RuleId: rule.Id)));
    }

    [Fact]
    public async Task Alerts_that_fired_during_a_time_range_are_found_with_their_end()
    {
        await _alerts.CreateTemperatureRuleAsync();
        await _alerts.RecordTemperaturesAsync(("GPU-1", 95));
        await _alerts.Evaluator.EvaluateAsync();
        var firedAt = _db.Clock.GetUtcNow();
        await AdvanceAndRecordAsync(60, ("GPU-1", 60));
        var endedAt = _db.Clock.GetUtcNow();

        var overlapping = Assert.Single(await _alerts.Reader.FiredDuringAsync(endedAt.AddSeconds(-10), endedAt.AddMinutes(5)));
        Assert.Equal(firedAt, overlapping.FiredAt);
        Assert.Equal(endedAt, overlapping.EndedAt);
        Assert.Empty(await _alerts.Reader.FiredDuringAsync(endedAt.AddSeconds(1), endedAt.AddMinutes(5)));
        Assert.Empty(await _alerts.Reader.FiredDuringAsync(firedAt.AddMinutes(-5), firedAt.AddSeconds(-1)));
    }

    [Fact]
    public async Task History_older_than_HistoryDays_is_pruned_with_silences_that_ended_before_then()
    {
        await _alerts.CreateTemperatureRuleAsync();
        await _alerts.Silences.CreateAsync(
            new SilenceDraft(new Dictionary<string, string> { ["uuid"] = "GPU-1" }, null, _db.Clock.GetUtcNow().AddHours(1), "old"), TestTasks.Operator);
        await _alerts.RecordTemperaturesAsync(("GPU-1", 95));
        await _alerts.Evaluator.EvaluateAsync();
        _db.Clock.Advance(TimeSpan.FromDays(29));
        await AdvanceAndRecordAsync(30, ("GPU-1", 60));

        _db.Clock.Advance(TimeSpan.FromDays(2));
        var removed = await _alerts.Maintenance.PruneAsync();

        Assert.Equal(2, removed);
        var kept = Assert.Single(await _alerts.Reader.HistoryAsync(new AlertHistoryFilter()));
        Assert.Equal(AlertState.Resolved, kept.To);
        await using var db = await _db.OpenAsync();
        Assert.Equal(0, await db.Silences.CountAsync());
    }

    private async Task AdvanceAndRecordAsync(int seconds, params (string Uuid, double Celsius)[] readings)
    {
        _db.Clock.Advance(TimeSpan.FromSeconds(seconds));
        await _alerts.RecordTemperaturesAsync(readings);
        await _alerts.Evaluator.EvaluateAsync();
    }
}
