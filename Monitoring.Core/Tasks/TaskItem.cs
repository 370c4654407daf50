namespace Monitoring.Core.Tasks;

/// <summary>One unit of pipeline work and everything known about it (SPEC §3).</summary>
/// <remarks>Only <see cref="TaskQueue"/> changes a task's <see cref="Status"/>, through
/// <see cref="TaskTransitions"/>, so every change is checked and leaves a <see cref="TaskEvent"/>.</remarks>
public sealed class TaskItem
{
    public const int MaxParametersBytes = 64 * 1024;
    public const int MaxTypeLength = 128;
    public const int MaxIdempotencyKeyLength = 200;
    public const int MaxErrorLength = 4000;
    public const int MaxErrorDetailLength = 16 * 1024;
    public const int MaxOutputTailLength = 16 * 1024;

    public long Id { get; set; }
    public required string Type { get; set; }
    public TaskPriority Priority { get; set; } = TaskPriority.Normal;

    /// <summary>A JSON object, at most <see cref="MaxParametersBytes"/> bytes of UTF-8.</summary>
    public string Parameters { get; set; } = "{}";

    public TaskState Status { get; set; } = TaskState.Pending;

    /// <summary>How many times the task has been claimed since its budget was last renewed.</summary>
    public int Attempt { get; set; }
    public int MaxAttempts { get; set; }
    public int TimeoutSeconds { get; set; }

    /// <summary>GPU memory the task needs; 0 means a CPU task.</summary>
    public long RequiredGpuMemoryBytes { get; set; }

    public string? IdempotencyKey { get; set; }
    public string Source { get; set; } = "api";

    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>When the task last joined the queue tail; FIFO order within a priority.</summary>
    public DateTimeOffset EnqueuedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }

    public string? WorkerId { get; set; }
    public string? GpuUuid { get; set; }
    public int Progress { get; set; }

    /// <summary>JSON written by the handler on success.</summary>
    public string? Result { get; set; }
    public FailureKind? FailureKind { get; set; }
    public string? Error { get; set; }
    public string? ErrorDetail { get; set; }
    /// <summary>The last lines of the attempt's output (bounded); the full log is a file under the data folder.</summary>
    public string? OutputTail { get; set; }
    /// <summary>Groups failures of one cause: a hash of task type, kind and the normalized message.</summary>
    public string? ErrorFingerprint { get; set; }

    public long? PeakGpuMemoryBytes { get; set; }
    /// <summary>Run time of the last attempt, kept so percentiles need no date arithmetic in SQL.</summary>
    public long? DurationMs { get; set; }
    /// <summary>Time from joining the queue to the last claim.</summary>
    public long? QueueWaitMs { get; set; }

    /// <summary>The task's trace (W3C trace id, 32 hex digits) and its root span (16 hex digits): every span of
    /// the task's life is a child of it (<see cref="TaskTracing"/>). Null for tasks created before tracing.</summary>
    public string? TraceId { get; set; }
    public string? TraceSpanId { get; set; }

    /// <summary>Optimistic concurrency token; bumped on every write.</summary>
    public long Version { get; set; }

    public List<TaskEvent> Events { get; set; } = [];

    public bool IsFinished => Status is TaskState.Completed or TaskState.Failed or TaskState.Cancelled;
}
