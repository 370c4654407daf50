using Microsoft.EntityFrameworkCore;
using Monitoring.Core.Storage;

namespace Monitoring.Core.Tasks;

public sealed record SuccessRate(long Completed, long Failed)
{
    /// <summary>Completed ÷ (completed + dead); null before anything finished.</summary>
    public double? Ratio => Completed + Failed == 0 ? null : (double)Completed / (Completed + Failed);
}

public sealed record Percentiles(double P50, double P95, double P99);

public sealed record TypeTimings(string Type, long Samples, Percentiles? DurationMs, Percentiles? QueueWaitMs);

public sealed record CountBy<TKey>(TKey Key, long Count);

public sealed record TaskStats(
    DateTimeOffset At,
    IReadOnlyList<CountBy<TaskState>> ByStatus,
    IReadOnlyList<CountBy<TaskPriority>> QueuedByPriority,
    IReadOnlyList<CountBy<string>> ByType,
    long Total,
    SuccessRate AllTime,
    TimeSpan Window,
    SuccessRate InWindow,
    IReadOnlyList<TypeTimings> Timings,
    bool TimingsSampled);

/// <summary>Queue statistics as queries over the database: the counter roll-up for counts and the
/// all-time rate, the tasks table (by <c>FinishedAt</c>) for the window. Nothing is held in memory,
/// so a restart changes none of it.</summary>
public sealed class TaskStatistics(IDbContextFactory<MonitoringDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>Percentiles read at most this many of the most recent tasks in the window.</summary>
    public const int MaxTimingSamples = 50_000;
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(7);

    public async Task<TaskStats> GetAsync(TimeSpan window, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(window, MaxWindow);
        var now = clock.GetUtcNow();
        var since = now - window;

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var counters = await db.TaskCounters.AsNoTracking().ToListAsync(cancellationToken);

        var byStatus = Enum.GetValues<TaskState>()
            .Select(s => new CountBy<TaskState>(s, counters.Where(c => c.Status == s).Sum(c => c.InStatus)))
            .ToList();
        var queuedByPriority = Enum.GetValues<TaskPriority>()
            .Select(p => new CountBy<TaskPriority>(p, counters.Where(c => c.Priority == p && c.Status == TaskState.Pending).Sum(c => c.InStatus)))
            .ToList();
        var byType = counters.GroupBy(c => c.Type)
            .Select(g => new CountBy<string>(g.Key, g.Sum(c => c.InStatus)))
            .Where(c => c.Count > 0)
            .OrderByDescending(c => c.Count)
            .ThenBy(c => c.Key, StringComparer.Ordinal)
            .ToList();
        var allTime = new SuccessRate(
            counters.Where(c => c.Status == TaskState.Completed).Sum(c => c.EnteredTotal),
            counters.Where(c => c.Status == TaskState.Failed).Sum(c => c.EnteredTotal));

        var windowCounts = await db.Tasks.AsNoTracking()
            .Where(t => t.FinishedAt >= since && (t.Status == TaskState.Completed || t.Status == TaskState.Failed))
            .GroupBy(t => t.Status)
            .Select(g => new { Status = g.Key, Count = g.LongCount() })
            .ToListAsync(cancellationToken);
        var inWindow = new SuccessRate(
            windowCounts.Where(c => c.Status == TaskState.Completed).Sum(c => c.Count),
            windowCounts.Where(c => c.Status == TaskState.Failed).Sum(c => c.Count));

        var samples = await db.Tasks.AsNoTracking()
            .Where(t => t.FinishedAt >= since && (t.Status == TaskState.Completed || t.Status == TaskState.Failed))
            .OrderByDescending(t => t.FinishedAt)
            .Take(MaxTimingSamples + 1)
            .Select(t => new { t.Type, t.Status, t.DurationMs, t.QueueWaitMs })
            .ToListAsync(cancellationToken);
        var sampled = samples.Count > MaxTimingSamples;
        var timings = samples.Take(MaxTimingSamples)
            .GroupBy(s => s.Type)
            .Select(g => new TypeTimings(
                g.Key,
                g.LongCount(),
                Percentile.Of(g.Where(s => s.Status == TaskState.Completed && s.DurationMs.HasValue).Select(s => (double)s.DurationMs!.Value)),
                Percentile.Of(g.Where(s => s.QueueWaitMs.HasValue).Select(s => (double)s.QueueWaitMs!.Value))))
            .OrderBy(t => t.Type, StringComparer.Ordinal)
            .ToList();

        return new TaskStats(now, byStatus, queuedByPriority, byType, byStatus.Sum(s => s.Count), allTime, window, inWindow, timings, sampled);
    }
}

public static class Percentile
{
    /// <summary>Nearest-rank percentiles; null for no values.</summary>
    public static Percentiles? Of(IEnumerable<double> values)
    {
        var sorted = values.ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        Array.Sort(sorted);
        return new Percentiles(Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99));
    }

    public static double Rank(double[] sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var index = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}
