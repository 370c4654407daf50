using Microsoft.EntityFrameworkCore;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;

namespace Monitoring.Core.Alerts;

/// <summary>The anomaly signal: per task type, how many running tasks have been running longer than
/// <see cref="Factor"/> × the p99 duration of that type's completed runs (last <see cref="HistoryWindow"/>,
/// at most <see cref="MaxSamples"/> runs). One series per type the queue has seen, 0 when nothing is overdue or
/// the type has fewer than <see cref="MinSamples"/> runs to judge by; never a series per task.</summary>
public sealed class RunningTaskAnomalies(IDbContextFactory<MonitoringDbContext> dbFactory, TimeProvider clock)
{
    public const double Factor = 2;
    public const int MinSamples = 10;
    public const int MaxSamples = 5_000;
    public const int MaxRunning = 10_000;
    public static readonly TimeSpan HistoryWindow = TimeSpan.FromDays(7);

    public async Task<IReadOnlyDictionary<string, int>> CountAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var counts = (await db.TaskCounters.AsNoTracking().Select(c => c.Type).Distinct().ToListAsync(cancellationToken))
            .ToDictionary(t => t, _ => 0, StringComparer.Ordinal);
        var running = await db.Tasks.AsNoTracking()
            .Where(t => t.Status == TaskState.Processing && t.StartedAt != null)
            // The longest-running first: past the bound, those are the ones most likely over the limit.
            .OrderBy(t => t.StartedAt)
            .Select(t => new { t.Type, StartedAt = t.StartedAt!.Value })
            .Take(MaxRunning)
            .ToListAsync(cancellationToken);
        var since = now - HistoryWindow;
        foreach (var type in running.Select(r => r.Type).Distinct())
        {
            var durations = await db.Tasks.AsNoTracking()
                .Where(t => t.Type == type && t.Status == TaskState.Completed && t.FinishedAt >= since && t.DurationMs != null)
                .OrderByDescending(t => t.FinishedAt)
                .Take(MaxSamples)
                .Select(t => (double)t.DurationMs!.Value)
                .ToListAsync(cancellationToken);
            if (durations.Count < MinSamples || Percentile.Of(durations) is not { } percentiles)
            {
                continue;
            }

            var limit = TimeSpan.FromMilliseconds(percentiles.P99 * Factor);
            counts[type] = running.Count(r => r.Type == type && now - r.StartedAt > limit);
        }

        return counts;
    }
}
