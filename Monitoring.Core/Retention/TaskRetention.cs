using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;

namespace Monitoring.Core.Retention;

/// <summary>Removes finished tasks past their retention (SPEC §10), and the output folders of tasks that no
/// longer exist (removed here or deleted by an operator). The all-time counters keep what they counted;
/// the audit trail is never touched.</summary>
public sealed class TaskRetention(
    TaskQueue queue, IDbContextFactory<MonitoringDbContext> dbFactory, IOptions<StorageOptions> storage,
    IOptionsMonitor<RetentionOptions> options, TimeProvider clock, ILogger<TaskRetention> logger)
{
    private const int SweepBatch = 500;

    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.CurrentValue;
        var now = clock.GetUtcNow();
        var removed = await queue.PurgeFinishedAsync([TaskState.Completed, TaskState.Cancelled], now.AddDays(-settings.CompletedDays), cancellationToken);
        removed += await queue.PurgeFinishedAsync([TaskState.Failed], now.AddDays(-settings.FailedDays), cancellationToken);
        if (removed > 0)
        {
            logger.LogInformation("Retention removed {Count} finished task(s)", removed);
        }

        var folders = await SweepOutputFoldersAsync(cancellationToken);
        if (folders > 0)
        {
            logger.LogInformation("Retention removed {Count} output folder(s) of tasks that no longer exist", folders);
        }

        return removed;
    }

    /// <summary>Deletes <c>tasks/&lt;id&gt;</c> folders whose task is gone. Returns how many were removed.</summary>
    public async Task<int> SweepOutputFoldersAsync(CancellationToken cancellationToken = default)
    {
        var root = Path.Combine(Path.GetFullPath(storage.Value.DataDirectory), "tasks");
        if (!Directory.Exists(root))
        {
            return 0;
        }

        var removed = 0;
        foreach (var batch in Directory.EnumerateDirectories(root)
                     .Select(d => (Path: d, Id: long.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0))
                     .Where(d => d.Id > 0)
                     .Chunk(SweepBatch))
        {
            var ids = batch.Select(d => d.Id).ToArray();
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var existing = (await db.Tasks.Where(t => ids.Contains(t.Id)).Select(t => t.Id).ToListAsync(cancellationToken)).ToHashSet();
            foreach (var (path, id) in batch.Where(d => !existing.Contains(d.Id)))
            {
                try
                {
                    Directory.Delete(path, recursive: true);
                    removed++;
                }
                catch (IOException ex)
                {
                    logger.LogWarning(ex, "Could not remove the output folder of task {TaskId}", id);
                }
            }
        }

        return removed;
    }
}
