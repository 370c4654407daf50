using System.Text.Json;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;

namespace Monitoring.Core.Audit;

/// <summary>Writes audit entries into the caller's context, so they commit or roll back with the change.</summary>
public static class AuditLog
{
    public static void Record(
        MonitoringDbContext db, DateTimeOffset at, Actor actor, string action, string target,
        object? before = null, object? after = null)
    {
        db.AuditEntries.Add(new AuditEntry
        {
            At = at,
            Actor = actor.Name,
            ActorKind = actor.Kind.ToString(),
            Action = action,
            Target = target,
            Before = before is null ? null : JsonSerializer.Serialize(before, MonitoringJson.Options),
            After = after is null ? null : JsonSerializer.Serialize(after, MonitoringJson.Options),
            RemoteAddress = actor.RemoteAddress,
        });
    }
}
