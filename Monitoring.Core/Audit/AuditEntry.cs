namespace Monitoring.Core.Audit;

/// <summary>One operator action. Append-only: nothing in the product edits or deletes these.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Actor { get; set; }
    public required string ActorKind { get; set; }
    /// <summary>Dotted verb, e.g. <c>task.retry</c>, <c>task.bulk-retry</c>.</summary>
    public required string Action { get; set; }
    /// <summary>What was acted on, e.g. <c>task:42</c> or a filter description.</summary>
    public required string Target { get; set; }
    /// <summary>JSON snapshot before the change, when there was something before.</summary>
    public string? Before { get; set; }
    /// <summary>JSON snapshot after the change, when something remains.</summary>
    public string? After { get; set; }
    public string? RemoteAddress { get; set; }
}
