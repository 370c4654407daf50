using Monitoring.Core.Audit;

namespace Monitoring.Web.Audit;

/// <summary>Which audit entries a list or an export covers: the API and the Audit page filter alike.</summary>
/// <param name="Actor">Exact actor name (a user, <c>apikey:&lt;name&gt;</c>, <c>system</c>).</param>
/// <param name="Action">An action (<c>task.retry</c>) or a prefix ending in a dot (<c>task.</c>).</param>
public sealed record AuditFilter(DateTimeOffset? From = null, DateTimeOffset? To = null, string? Actor = null, string? Action = null)
{
    public IQueryable<AuditEntry> Apply(IQueryable<AuditEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (From is { } from)
        {
            entries = entries.Where(a => a.At >= from);
        }

        if (To is { } to)
        {
            entries = entries.Where(a => a.At < to);
        }

        if (!string.IsNullOrWhiteSpace(Actor))
        {
            var actor = Actor.Trim();
            entries = entries.Where(a => a.Actor == actor);
        }

        if (!string.IsNullOrWhiteSpace(Action))
        {
            var action = Action.Trim();
            entries = action.EndsWith('.') ? entries.Where(a => a.Action.StartsWith(action)) : entries.Where(a => a.Action == action);
        }

        return entries;
    }
}
