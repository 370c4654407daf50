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

/// <summary>A failed attempt as a worker or the scheduler reports it.</summary>
/// <param name="Detail">Stack trace or other diagnostic text (bounded, the end kept).</param>
/// <param name="OutputTail">The last lines of the attempt's output, when it produced any.</param>
public sealed record TaskFailure(FailureKind Kind, string Message, string? Detail = null, string? OutputTail = null);
