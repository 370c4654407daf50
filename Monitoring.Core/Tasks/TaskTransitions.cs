namespace Monitoring.Core.Tasks;

/// <summary>The operations that move a task between states.</summary>
public enum TaskTrigger
{
    Claim,
    Complete,
    /// <summary>A failed attempt with attempts left and a retryable kind.</summary>
    FailWithRetry,
    /// <summary>A failed attempt with no attempts left, or a non-retryable kind.</summary>
    FailFinal,
    /// <summary>The retry backoff has elapsed; the task rejoins the queue tail.</summary>
    Requeue,
    /// <summary>An operator retries a dead or cancelled task with a renewed attempt budget.</summary>
    ManualRetry,
    Cancel,
    /// <summary>The scheduler refuses a queued task that needs more GPU memory than any GPU offers (SPEC §3):
    /// it never ran, so it is not claimed and no attempt is used.</summary>
    RefuseNoCapacity,
    /// <summary>A graceful stop of the host ended the attempt: back to the queue, the attempt not counted.</summary>
    Interrupt,
}

/// <summary>The single list of legal transitions (SPEC §3). Everything else is refused.</summary>
public static class TaskTransitions
{
    private static readonly Dictionary<(TaskState From, TaskTrigger Trigger), TaskState> Legal = new()
    {
        [(TaskState.Pending, TaskTrigger.Claim)] = TaskState.Processing,
        [(TaskState.Processing, TaskTrigger.Complete)] = TaskState.Completed,
        [(TaskState.Processing, TaskTrigger.FailWithRetry)] = TaskState.Retrying,
        [(TaskState.Processing, TaskTrigger.FailFinal)] = TaskState.Failed,
        [(TaskState.Retrying, TaskTrigger.Requeue)] = TaskState.Pending,
        [(TaskState.Failed, TaskTrigger.ManualRetry)] = TaskState.Pending,
        [(TaskState.Cancelled, TaskTrigger.ManualRetry)] = TaskState.Pending,
        [(TaskState.Pending, TaskTrigger.Cancel)] = TaskState.Cancelled,
        [(TaskState.Retrying, TaskTrigger.Cancel)] = TaskState.Cancelled,
        [(TaskState.Processing, TaskTrigger.Cancel)] = TaskState.Cancelled,
        [(TaskState.Pending, TaskTrigger.RefuseNoCapacity)] = TaskState.Failed,
        [(TaskState.Processing, TaskTrigger.Interrupt)] = TaskState.Pending,
    };

    /// <summary>States from which a task may be deleted; a running task must be cancelled first.</summary>
    public static readonly IReadOnlySet<TaskState> Deletable =
        new HashSet<TaskState> { TaskState.Completed, TaskState.Failed, TaskState.Cancelled };

    public static IEnumerable<(TaskState From, TaskTrigger Trigger, TaskState To)> All =>
        Legal.Select(kv => (kv.Key.From, kv.Key.Trigger, kv.Value));

    public static bool TryNext(TaskState from, TaskTrigger trigger, out TaskState to) =>
        Legal.TryGetValue((from, trigger), out to);

    /// <summary>The states a trigger may start from, for set-based (bulk) updates.</summary>
    public static IReadOnlyList<TaskState> SourcesOf(TaskTrigger trigger) =>
        Legal.Keys.Where(k => k.Trigger == trigger).Select(k => k.From).ToArray();

    public static TaskState Next(long taskId, TaskState from, TaskTrigger trigger) =>
        TryNext(from, trigger, out var to)
            ? to
            : throw new IllegalTransitionException(taskId, from, trigger);
}

/// <summary>A requested change that the state machine does not allow; nothing was written.</summary>
public sealed class IllegalTransitionException(long taskId, TaskState from, string action)
    : InvalidOperationException($"Task {taskId} is {from}; it cannot be {action}.")
{
    public IllegalTransitionException(long taskId, TaskState from, TaskTrigger trigger)
        : this(taskId, from, Describe(trigger))
    {
    }

    public long TaskId { get; } = taskId;
    public TaskState From { get; } = from;

    private static string Describe(TaskTrigger trigger) => trigger switch
    {
        TaskTrigger.Claim => "claimed",
        TaskTrigger.Complete => "completed",
        TaskTrigger.FailWithRetry or TaskTrigger.FailFinal => "failed",
        TaskTrigger.Requeue => "requeued",
        TaskTrigger.ManualRetry => "retried (only Failed or Cancelled tasks can be)",
        TaskTrigger.Cancel => "cancelled (only Pending, Retrying or Processing tasks can be)",
        TaskTrigger.RefuseNoCapacity => "refused for capacity (only Pending tasks can be)",
        TaskTrigger.Interrupt => "interrupted (only a Processing task can be)",
        _ => trigger.ToString(),
    };
}

public sealed class TaskNotFoundException(long taskId) : KeyNotFoundException($"Task {taskId} does not exist.")
{
    public long TaskId { get; } = taskId;
}
