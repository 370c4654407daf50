using Microsoft.EntityFrameworkCore;
using Monitoring.Core.Storage;

namespace Monitoring.Core.Alerts;

/// <summary>Filters of the alert history; null is "any".</summary>
public sealed record AlertHistoryFilter(long? RuleId = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Limit = 100);

/// <summary>An alert that fired for a while: from its transition to Firing to the one that ended it (null: still firing).</summary>
public sealed record AlertFiringPeriod(
    long InstanceId, long RuleId, string RuleName, string Severity, IReadOnlyDictionary<string, string> Labels,
    DateTimeOffset FiredAt, DateTimeOffset? EndedAt, double? Value);

/// <summary>Read side of the alerts for the API and the console.</summary>
public sealed class AlertReader(IDbContextFactory<MonitoringDbContext> dbFactory)
{
    public const int MaxHistory = 1000;
    public const int MaxPeriods = 100;

    /// <summary>Instances with their rule, firing first, then by severity and newest; optionally only some states and severities.</summary>
    public async Task<IReadOnlyList<AlertInstanceView>> InstancesAsync(
        IReadOnlyCollection<AlertState>? states = null, IReadOnlyCollection<AlertSeverity>? severities = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = from instance in db.AlertInstances.AsNoTracking()
                    join rule in db.AlertRules.AsNoTracking() on instance.RuleId equals rule.Id
                    select new { instance, rule };
        if (states is { Count: > 0 })
        {
            query = query.Where(r => states.Contains(r.instance.State));
        }

        if (severities is { Count: > 0 })
        {
            query = query.Where(r => severities.Contains(r.rule.Severity));
        }

        var rows = await query.ToListAsync(cancellationToken);
        return rows
            .Select(r =>
            {
                var labels = AlertLabelSet.Identity(r.rule, r.instance.SeriesLabels);
                return new AlertInstanceView(
                    r.instance.Id, r.rule.Id, r.rule.Name, r.rule.Severity.Label(), r.instance.State, labels,
                    AlertLabelSet.Render(r.rule.Summary, labels, r.instance.LastValue), r.instance.LastValue, r.instance.ActiveSince,
                    r.instance.FiredAt, r.instance.ResolvedAt, r.instance.LastEvaluatedAt, r.instance.Silenced, r.instance.Fingerprint);
            })
            .OrderBy(v => v.State == AlertState.Firing ? 0 : v.State == AlertState.Pending ? 1 : v.State == AlertState.NoData ? 2 : 3)
            .ThenByDescending(v => AlertSeverities.TryParse(v.Severity, out var s) ? (int)s : 0)
            .ThenByDescending(v => v.FiredAt ?? v.ActiveSince ?? v.LastEvaluatedAt)
            .ToList();
    }

    /// <summary>Transitions newest first.</summary>
    public async Task<IReadOnlyList<AlertHistoryView>> HistoryAsync(AlertHistoryFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.AlertHistory.AsNoTracking();
        if (filter.RuleId is { } ruleId)
        {
            query = query.Where(h => h.RuleId == ruleId);
        }

        if (filter.From is { } from)
        {
            query = query.Where(h => h.At >= from);
        }

        if (filter.To is { } to)
        {
            query = query.Where(h => h.At < to);
        }

        var entries = await query.OrderByDescending(h => h.At).ThenByDescending(h => h.Id)
            .Take(Math.Clamp(filter.Limit, 1, MaxHistory)).ToListAsync(cancellationToken);
        return entries.Select(AlertHistoryView.Of).ToList();
    }

    /// <summary>Alerts whose firing overlapped [from, to]: fired before <paramref name="to"/> and not ended before
    /// <paramref name="from"/>. A gap in data (NoData) does not end a firing period; Resolved or Inactive does.</summary>
    public async Task<IReadOnlyList<AlertFiringPeriod>> FiredDuringAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.AlertHistory.AsNoTracking()
            .Where(h => h.To == AlertState.Firing && h.From != AlertState.NoData && h.At <= to)
            .Select(h => new
            {
                Entry = h,
                EndedAt = db.AlertHistory
                    .Where(e => e.InstanceId == h.InstanceId && e.Id > h.Id && (e.To == AlertState.Resolved || e.To == AlertState.Inactive))
                    .OrderBy(e => e.Id)
                    .Select(e => (DateTimeOffset?)e.At)
                    .FirstOrDefault(),
            })
            .Where(r => r.EndedAt == null || r.EndedAt >= from)
            .OrderByDescending(r => r.Entry.At)
            .Take(MaxPeriods)
            .ToListAsync(cancellationToken);
        return rows.Select(r => new AlertFiringPeriod(
                r.Entry.InstanceId, r.Entry.RuleId, r.Entry.RuleName, r.Entry.Severity.Label(), AlertLabelSet.OfSeries(r.Entry.SeriesLabels),
                r.Entry.At, r.EndedAt, r.Entry.Value))
            .ToList();
    }
}
