namespace Monitoring.Core.Tasks;

/// <summary>A committed change of one task, published after the transaction commits.</summary>
/// <param name="From">Null when the task was created.</param>
/// <param name="To">Null when the task was deleted.</param>
public sealed record TaskChange(long TaskId, string Type, TaskPriority Priority, TaskState? From, TaskState? To, DateTimeOffset At);

/// <summary>What an audit entry or a delete keeps of a task.</summary>
public sealed record TaskSnapshot(
    long Id, string Type, TaskPriority Priority, TaskState Status, int Attempt, int MaxAttempts,
    string Parameters, FailureKind? FailureKind, string? Error, string? Result)
{
    public static TaskSnapshot Of(TaskItem task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new(task.Id, task.Type, task.Priority, task.Status, task.Attempt, task.MaxAttempts,
            task.Parameters, task.FailureKind, task.Error, task.Result);
    }
}

public sealed record EnqueueResult(TaskItem Task, bool Created);

/// <summary>How a bulk action went: how many tasks the filter matched in a state the action
/// applies to (all were changed, in one transaction) and the first few ids.</summary>
public sealed record BulkResult(string Action, int Affected, IReadOnlyList<long> SampleIds);

/// <summary>What an operator can do to a whole filter result at once.</summary>
public enum BulkAction
{
    Retry,
    Cancel,
    Delete,
}

public static class BulkActions
{
    /// <summary>The states an action changes: tasks of the filter in other states are left alone. The preview
    /// count (<see cref="TaskReader.CountAsync"/>) and the action itself both use this list.</summary>
    public static IReadOnlyList<TaskState> Sources(this BulkAction action) => action switch
    {
        BulkAction.Retry => TaskTransitions.SourcesOf(TaskTrigger.ManualRetry),
        BulkAction.Cancel => TaskTransitions.SourcesOf(TaskTrigger.Cancel),
        BulkAction.Delete => [.. TaskTransitions.Deletable],
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };
}

/// <summary>A failed attempt as a worker or the scheduler reports it.</summary>
/// <param name="Detail">Stack trace or other diagnostic text (bounded, the end kept).</param>
/// <param name="OutputTail">The last lines of the attempt's output, when it produced any.</param>
public sealed record TaskFailure(FailureKind Kind, string Message, string? Detail = null, string? OutputTail = null);
