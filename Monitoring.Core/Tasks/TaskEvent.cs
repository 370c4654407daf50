namespace Monitoring.Core.Tasks;

/// <summary>One change of a task's status; the task's timeline.</summary>
public sealed class TaskEvent
{
    public long Id { get; set; }
    public long TaskId { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>Null for the event that created the task.</summary>
    public TaskState? From { get; set; }
    public TaskState To { get; set; }
    /// <summary><c>system</c>, <c>scheduler</c>, a user name or an API key name.</summary>
    public required string Actor { get; set; }
    public string? Message { get; set; }
    public string? WorkerId { get; set; }
    public string? GpuUuid { get; set; }
}
