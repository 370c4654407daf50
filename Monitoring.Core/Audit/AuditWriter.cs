using Microsoft.EntityFrameworkCore;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;

namespace Monitoring.Core.Audit;

/// <summary>Records an operator action that changes no task (pool resize, configuration, …) in its own transaction.</summary>
public sealed class AuditWriter(IDbContextFactory<MonitoringDbContext> dbFactory, TimeProvider clock)
{
    public async Task RecordAsync(Actor actor, string action, string target, object? before, object? after, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        AuditLog.Record(db, clock.GetUtcNow(), actor, action, target, before, after);
        await db.SaveChangesAsync(cancellationToken);
    }
}
