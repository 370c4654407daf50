using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.Core.Tasks;

namespace Monitoring.Core.Retention;

/// <summary>Removes finished tasks past their retention (SPEC §10). The all-time counters keep what they
/// counted; the audit trail is never touched.</summary>
public sealed class TaskRetention(TaskQueue queue, IOptionsMonitor<RetentionOptions> options, TimeProvider clock, ILogger<TaskRetention> logger)
{
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

        return removed;
    }
}
