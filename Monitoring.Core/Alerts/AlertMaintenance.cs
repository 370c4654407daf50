using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.Core.Storage;

namespace Monitoring.Core.Alerts;

/// <summary>Start-up seeding of the built-in rules and the retention of alert history and ended silences.</summary>
public sealed class AlertMaintenance(
    IDbContextFactory<MonitoringDbContext> dbFactory, IOptionsMonitor<AlertOptions> options, TimeProvider clock, ILogger<AlertMaintenance> logger)
{
    /// <summary>Adds each built-in rule that is not in the database yet (by its key). A rule already there is left as
    /// it is, so an operator's threshold, enabled flag or other edits survive every restart. Returns how many were added.</summary>
    public async Task<int> SeedBuiltInRulesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var present = await db.AlertRules.Where(r => r.BuiltIn != null).Select(r => r.BuiltIn!).ToListAsync(cancellationToken);
        var names = (await db.AlertRules.Select(r => r.Name).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var now = clock.GetUtcNow();
        var added = 0;
        foreach (var builtIn in BuiltInAlertRules.All.Where(b => !present.Contains(b.Key)))
        {
            if (names.Contains(builtIn.Name))
            {
                logger.LogWarning("Built-in alert rule {Key} is not added: an operator's rule is already named {Name}", builtIn.Key, builtIn.Name);
                continue;
            }

            db.AlertRules.Add(builtIn.ToRule(now));
            added++;
        }

        await db.SaveChangesAsync(cancellationToken);
        if (added > 0)
        {
            logger.LogInformation("Added {Count} built-in alert rule(s)", added);
        }

        return added;
    }

    /// <summary>Removes transitions older than <c>Alerts:HistoryDays</c> and silences that ended before then.
    /// Returns the rows removed.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = clock.GetUtcNow().AddDays(-options.CurrentValue.HistoryDays);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var removed = await db.AlertHistory.Where(h => h.At < cutoff).ExecuteDeleteAsync(cancellationToken);
        removed += await db.Silences.Where(s => s.EndsAt < cutoff || s.ExpiredAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        if (removed > 0)
        {
            logger.LogInformation("Alert retention removed {Count} history entries and silences", removed);
        }

        return removed;
    }
}
