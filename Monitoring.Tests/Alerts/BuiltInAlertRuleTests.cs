using Microsoft.EntityFrameworkCore;
using Monitoring.Core.Alerts;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Alerts;

public sealed class BuiltInAlertRuleTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public void Every_built_in_rule_is_a_valid_rule_with_a_unique_key_and_name()
    {
        foreach (var builtIn in BuiltInAlertRules.All)
        {
            var errors = AlertRuleDraft.From(builtIn.ToRule(_db.Clock.GetUtcNow())).Validate();
            Assert.True(errors.Count == 0, $"{builtIn.Key}: {string.Join("; ", errors.SelectMany(e => e.Value))}");
        }

        Assert.Equal(BuiltInAlertRules.All.Count, BuiltInAlertRules.All.Select(r => r.Key).Distinct().Count());
        Assert.Equal(BuiltInAlertRules.All.Count, BuiltInAlertRules.All.Select(r => r.Name).Distinct().Count());
        Assert.Contains(BuiltInAlertRules.All, r => r.Metric == AlertSignalNames.TasksRunningOverP99);
    }

    [Fact]
    public async Task Seeding_adds_every_built_in_rule_once()
    {
        var alerts = new AlertEngine(_db);

        Assert.Equal(BuiltInAlertRules.All.Count, await alerts.Maintenance.SeedBuiltInRulesAsync());
        Assert.Equal(0, await alerts.Maintenance.SeedBuiltInRulesAsync());

        var rules = await alerts.Rules.ListAsync();
        Assert.Equal(BuiltInAlertRules.All.Select(r => r.Key).Order(), rules.Select(r => r.BuiltIn!).Order());
    }

    [Fact]
    public async Task An_operators_edits_to_a_built_in_rule_survive_a_restart()
    {
        await new AlertEngine(_db).Maintenance.SeedBuiltInRulesAsync();
        var cpu = (await new AlertEngine(_db).Rules.ListAsync()).Single(r => r.BuiltIn == "cpu-warning");
        await new AlertEngine(_db).Rules.UpdateAsync(cpu.Id, new AlertRuleDraft { Threshold = 0.95, Enabled = false }, TestTasks.Operator);

        await _db.RestartAsync();
        var alerts = new AlertEngine(_db);
        Assert.Equal(0, await alerts.Maintenance.SeedBuiltInRulesAsync());

        var after = await alerts.Rules.GetAsync(cpu.Id);
        Assert.Equal(0.95, after!.Threshold);
        Assert.False(after.Enabled);
        Assert.Equal(BuiltInAlertRules.All.Count, (await alerts.Rules.ListAsync()).Count);
    }

    [Fact]
    public async Task A_deleted_built_in_cannot_happen_but_a_missing_one_is_seeded_again()
    {
        var alerts = new AlertEngine(_db);
        await alerts.Maintenance.SeedBuiltInRulesAsync();
        var lost = (await alerts.Rules.ListAsync()).Single(r => r.BuiltIn == "gpu-lost");

        await Assert.ThrowsAsync<AlertConflictException>(() => alerts.Rules.DeleteAsync(lost.Id, TestTasks.Operator));

        await using (var db = await _db.OpenAsync())
        {
            await db.AlertRules.Where(r => r.Id == lost.Id).ExecuteDeleteAsync();
        }

        Assert.Equal(1, await alerts.Maintenance.SeedBuiltInRulesAsync());
    }
}
