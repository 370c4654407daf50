namespace Monitoring.Core.Tasks;

/// <summary>Where a task is in its life (SPEC §3). Stored as an integer.</summary>
/// <remarks>Named <c>TaskState</c> rather than <c>TaskStatus</c> so it never collides with
/// <see cref="System.Threading.Tasks.TaskStatus"/> under implicit usings.</remarks>
public enum TaskState
{
    Pending = 0,
    Processing = 1,
    Retrying = 2,
    Completed = 3,
    Failed = 4,
    Cancelled = 5,
}

/// <summary>Queue priority; a lower value is served first.</summary>
public enum TaskPriority
{
    Critical = 0,
    High = 1,
    Normal = 2,
    Low = 3,
}

/// <summary>Why a task stopped without completing.</summary>
public enum FailureKind
{
    Error = 0,
    Timeout = 1,
    /// <summary>The process died or restarted while the task ran.</summary>
    Lost = 2,
    Cancelled = 3,
    /// <summary>No handler, or parameters the handler refuses.</summary>
    Rejected = 4,
    /// <summary>Needs more GPU memory than any GPU has.</summary>
    NoCapacity = 5,
}

public static class FailureKinds
{
    /// <summary>Failures worth another attempt; the others would fail the same way again.</summary>
    public static bool IsRetryable(this FailureKind kind) =>
        kind is FailureKind.Error or FailureKind.Timeout or FailureKind.Lost;
}
