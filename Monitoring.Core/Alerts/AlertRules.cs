using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Monitoring.Core.Audit;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;

namespace Monitoring.Core.Alerts;

/// <summary>Rules as operators change them (API and console alike): validated, written and audited
/// (<c>alert.rule.create</c>, <c>.update</c>, <c>.delete</c> with before/after) in one transaction.</summary>
public sealed class AlertRules(
    IDbContextFactory<MonitoringDbContext> dbFactory, IAlertNotificationSink sink, InstanceRole role, TimeProvider clock, ILogger<AlertRules> logger)
{
    public async Task<IReadOnlyList<AlertRuleView>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rules = await db.AlertRules.AsNoTracking().OrderBy(r => r.Name).ToListAsync(cancellationToken);
        return rules.Select(AlertRuleView.From).ToList();
    }

    public async Task<AlertRuleView?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AlertRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken) is { } rule ? AlertRuleView.From(rule) : null;
    }

    /// <exception cref="AlertValidationException">The draft is not a valid rule, or the name is taken.</exception>
    public async Task<AlertRuleView> CreateAsync(AlertRuleDraft draft, Actor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(actor);
        role.EnsureWritable();
        Check(draft);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await CheckNameFreeAsync(db, draft.Name!, null, cancellationToken);
        var now = clock.GetUtcNow();
        var rule = new AlertRule { Name = "", Metric = "", Summary = "", CreatedAt = now, UpdatedAt = now };
        draft.ApplyTo(rule);
        db.AlertRules.Add(rule);
        await db.SaveChangesAsync(cancellationToken);
        var view = AlertRuleView.From(rule);
        AuditLog.Record(db, now, actor, "alert.rule.create", Target(rule), after: view);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Alert rule {Rule} created by {Actor}: {Condition}", rule.Name, actor, view.Condition);
        return view;
    }

    /// <summary>Changes the fields the draft gives; the others keep their values. A new metric or new matchers
    /// start the rule's instances over (their history stays).</summary>
    /// <exception cref="AlertNotFoundException"/>
    /// <exception cref="AlertValidationException"/>
    public async Task<AlertRuleView> UpdateAsync(long id, AlertRuleDraft changes, Actor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(actor);
        role.EnsureWritable();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var rule = await db.AlertRules.SingleOrDefaultAsync(r => r.Id == id, cancellationToken)
            ?? throw new AlertNotFoundException($"Alert rule {id} does not exist.");
        var before = AlertRuleView.From(rule);
        var draft = changes.Over(AlertRuleDraft.From(rule));
        Check(draft);
        await CheckNameFreeAsync(db, draft.Name!, id, cancellationToken);
        draft.ApplyTo(rule);
        var now = clock.GetUtcNow();
        rule.UpdatedAt = now;
        if (rule.Metric != before.Metric || rule.Matchers != AlertLabelSet.ToJson(before.Matchers))
        {
            await db.AlertInstances.Where(i => i.RuleId == id).ExecuteDeleteAsync(cancellationToken);
        }

        var after = AlertRuleView.From(rule);
        AuditLog.Record(db, now, actor, "alert.rule.update", Target(rule), before, after);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Alert rule {Rule} updated by {Actor}: {Condition}, enabled {Enabled}", rule.Name, actor, after.Condition, rule.Enabled);
        return after;
    }

    /// <summary>Deletes a user rule with its instances (their history stays); a firing instance is announced resolved.
    /// A built-in rule cannot be deleted, only disabled.</summary>
    /// <exception cref="AlertNotFoundException"/>
    /// <exception cref="AlertConflictException">The rule is built in.</exception>
    public async Task DeleteAsync(long id, Actor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        role.EnsureWritable();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rule = await db.AlertRules.SingleOrDefaultAsync(r => r.Id == id, cancellationToken)
            ?? throw new AlertNotFoundException($"Alert rule {id} does not exist.");
        if (rule.BuiltIn is not null)
        {
            throw new AlertConflictException($"Alert rule '{rule.Name}' is built in: disable it instead of deleting it.");
        }

        var firing = await db.AlertInstances.AsNoTracking()
            .Where(i => i.RuleId == id && i.State == AlertState.Firing && !i.Silenced)
            .ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        db.AlertRules.Remove(rule);
        AuditLog.Record(db, now, actor, "alert.rule.delete", Target(rule), before: AlertRuleView.From(rule));
        await db.SaveChangesAsync(cancellationToken);
        foreach (var instance in firing)
        {
            sink.Publish(AlertNotifications.Of(rule, instance, AlertNotificationKind.Resolved, now));
        }

        logger.LogInformation("Alert rule {Rule} deleted by {Actor}", rule.Name, actor);
    }

    private static void Check(AlertRuleDraft draft)
    {
        var errors = draft.Validate();
        if (errors.Count > 0)
        {
            throw new AlertValidationException(errors);
        }
    }

    private static async Task CheckNameFreeAsync(MonitoringDbContext db, string name, long? id, CancellationToken cancellationToken)
    {
        var trimmed = name.Trim();
        if (await db.AlertRules.AnyAsync(r => r.Name == trimmed && r.Id != id, cancellationToken))
        {
            throw new AlertValidationException(new Dictionary<string, string[]> { ["name"] = [$"a rule named '{trimmed}' already exists."] });
        }
    }

    private static string Target(AlertRule rule) => $"alert-rule:{rule.Id}";
}

/// <summary>Builds what the notification channels receive.</summary>
public static class AlertNotifications
{
    public static AlertNotification Of(AlertRule rule, AlertInstance instance, AlertNotificationKind kind, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(instance);
        var labels = AlertLabelSet.Identity(rule, instance.SeriesLabels);
        return new AlertNotification(
            rule.Id, rule.Name, rule.Severity, labels, AlertLabelSet.Render(rule.Summary, labels, instance.LastValue), kind,
            instance.FiredAt ?? instance.ActiveSince ?? now, kind == AlertNotificationKind.Resolved ? instance.ResolvedAt ?? now : null,
            instance.LastValue, AlertLabelSet.Fingerprint(labels));
    }
}
