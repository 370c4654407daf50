using Microsoft.EntityFrameworkCore;
using Monitoring.Core.Storage;

namespace Monitoring.Core.Tasks;

/// <summary>A row of the task list: everything but the large fields (parameters, result, output).</summary>
public sealed record TaskSummary(
    long Id, string Type, TaskPriority Priority, TaskState Status, int Attempt, int MaxAttempts,
    long RequiredGpuMemoryBytes, string Source, DateTimeOffset CreatedAt, DateTimeOffset EnqueuedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, DateTimeOffset? NextAttemptAt,
    string? WorkerId, string? GpuUuid, int Progress, FailureKind? FailureKind, string? Error, long? DurationMs);

public sealed record TaskPage(IReadOnlyList<TaskSummary> Items, long Total, int Page, int PageSize);

/// <summary>Tasks that failed for one cause.</summary>
public sealed record FailureGroup(
    string Fingerprint, FailureKind Kind, string Type, long Count, DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
    long SampleTaskId, string? SampleError);

/// <summary>The read side of the queue: lists, details, failure groups and exports, all queries.</summary>
public sealed class TaskReader(IDbContextFactory<MonitoringDbContext> dbFactory)
{
    public const int MaxPageSize = 500;
    public const int MaxFailureGroups = 500;

    public async Task<TaskPage> ListAsync(TaskFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = filter.Apply(db.Tasks.AsNoTracking());
        var total = filter.IsCountableFromRollup
            ? await CountFromRollupAsync(db, filter, cancellationToken)
            : await query.LongCountAsync(cancellationToken);
        var items = Paging.Offset(page, pageSize) is { } skip
            ? await Summaries(query.OrderByDescending(t => t.Id)).Skip(skip).Take(pageSize).ToListAsync(cancellationToken)
            : [];
        return new TaskPage(items, total, page, pageSize);
    }

    /// <summary>How many tasks of the filter a bulk action would change now (the confirmation shows it; the action
    /// reports what it really changed, as tasks may move in between).</summary>
    public async Task<long> CountAsync(TaskFilter filter, BulkAction action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var states = action.Sources().ToArray();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await filter.Apply(db.Tasks.AsNoTracking()).Where(t => states.Contains(t.Status)).LongCountAsync(cancellationToken);
    }

    public async Task<TaskItem?> GetAsync(long id, bool withEvents = true, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Tasks.AsNoTracking().Where(t => t.Id == id);
        if (withEvents)
        {
            query = query.Include(t => t.Events.OrderBy(e => e.Id));
        }

        return await query.FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Dead tasks grouped by failure fingerprint, the largest group first.</summary>
    public async Task<IReadOnlyList<FailureGroup>> FailureGroupsAsync(TaskFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var groups = await filter.Apply(db.Tasks.AsNoTracking())
            .Where(t => t.Status == TaskState.Failed && t.ErrorFingerprint != null)
            // The fingerprint hashes the kind too, so grouping by it alone is the same grouping — and
            // it keeps the read inside IX_Tasks_Status_ErrorFingerprint_FinishedAt (no table lookups).
            .GroupBy(t => t.ErrorFingerprint)
            .Select(g => new
            {
                ErrorFingerprint = g.Key,
                Count = g.LongCount(),
                First = g.Min(t => t.FinishedAt),
                Last = g.Max(t => t.FinishedAt),
                SampleId = g.Max(t => t.Id),
            })
            .OrderByDescending(g => g.Count)
            .Take(MaxFailureGroups)
            .ToListAsync(cancellationToken);

        var sampleIds = groups.Select(g => g.SampleId).ToArray();
        var samples = await db.Tasks.AsNoTracking()
            .Where(t => sampleIds.Contains(t.Id))
            .Select(t => new { t.Id, t.Type, t.Error, t.FailureKind })
            .ToDictionaryAsync(t => t.Id, cancellationToken);

        return groups
            .Select(g => new FailureGroup(
                g.ErrorFingerprint!, samples[g.SampleId].FailureKind ?? FailureKind.Error, samples[g.SampleId].Type, g.Count,
                g.First ?? default, g.Last ?? default, g.SampleId, samples[g.SampleId].Error))
            .ToList();
    }

    /// <summary>Streams every matching task in id order without holding them all in memory.</summary>
    public async IAsyncEnumerable<TaskItem> StreamAsync(
        TaskFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        const int batch = 1000;
        var lastId = 0L;
        while (true)
        {
            // Keyset batches, each its own short read, so a slow client never pins one long read transaction.
            List<TaskItem> rows;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                rows = await filter.Apply(db.Tasks.AsNoTracking())
                    .Where(t => t.Id > lastId)
                    .OrderBy(t => t.Id)
                    .Take(batch)
                    .ToListAsync(cancellationToken);
            }

            foreach (var row in rows)
            {
                yield return row;
            }

            if (rows.Count < batch)
            {
                yield break;
            }

            lastId = rows[^1].Id;
        }
    }

    private static async Task<long> CountFromRollupAsync(MonitoringDbContext db, TaskFilter filter, CancellationToken cancellationToken)
    {
        var counters = db.TaskCounters.AsNoTracking();
        if (filter.Statuses.Count > 0)
        {
            var statuses = filter.Statuses.Distinct().ToArray();
            counters = counters.Where(c => statuses.Contains(c.Status));
        }

        if (filter.Priorities.Count > 0)
        {
            var priorities = filter.Priorities.Distinct().ToArray();
            counters = counters.Where(c => priorities.Contains(c.Priority));
        }

        if (filter.Types.Count > 0)
        {
            var types = filter.Types.Distinct().ToArray();
            counters = counters.Where(c => types.Contains(c.Type));
        }

        return await counters.SumAsync(c => c.InStatus, cancellationToken);
    }

    private static IQueryable<TaskSummary> Summaries(IQueryable<TaskItem> tasks) =>
        tasks.Select(t => new TaskSummary(
            t.Id, t.Type, t.Priority, t.Status, t.Attempt, t.MaxAttempts, t.RequiredGpuMemoryBytes, t.Source,
            t.CreatedAt, t.EnqueuedAt, t.StartedAt, t.FinishedAt, t.NextAttemptAt, t.WorkerId, t.GpuUuid,
            t.Progress, t.FailureKind, t.Error, t.DurationMs));
}
