using Monitoring.Core.Tasks;

namespace Monitoring.Web.Metrics;

/// <summary>Feeds the task counters and histograms from <see cref="TaskQueue.Changed"/>: finished tasks by type and
/// status, queue wait at each claim, run time of each completed task. Labels are type and status only — never a
/// task id.</summary>
/// <remarks>
/// A change carries no durations, and looking each task up would add a database read per change on the writer's
/// thread. Instead the times come from the change stream itself: every write stamps its change with the same
/// <c>now</c> it stores as <c>EnqueuedAt</c>/<c>StartedAt</c>/<c>FinishedAt</c>, so the wait (enqueued → claimed) and
/// the run time (claimed → completed) equal the <c>QueueWaitMs</c>/<c>DurationMs</c> the database keeps. The
/// timestamps wait in a <see cref="TaskTimings"/> bounded to <see cref="TaskTimings.DefaultCapacity"/> tasks.
/// Tasks already waiting or running when the process started, or evicted from a full table, add no observation.
/// </remarks>
public sealed class TaskChangeMetrics : IDisposable
{
    private readonly MonitoringMeters _meters;
    private readonly TaskQueue _queue;
    private readonly TaskTimings _timings;

    public TaskChangeMetrics(MonitoringMeters meters, TaskQueue queue)
        : this(meters, queue, TaskTimings.DefaultCapacity)
    {
    }

    internal TaskChangeMetrics(MonitoringMeters meters, TaskQueue queue, int capacity)
    {
        ArgumentNullException.ThrowIfNull(queue);
        _meters = meters;
        _queue = queue;
        _timings = new TaskTimings(capacity);
        _queue.Changed += Record;
    }

    /// <summary>Tasks whose enqueue or claim time is held now.</summary>
    public int Tracked => _timings.Count;

    public void Dispose() => _queue.Changed -= Record;

    internal void Record(TaskChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var type = new KeyValuePair<string, object?>("type", change.Type);
        if (change.To is TaskState.Completed or TaskState.Failed or TaskState.Cancelled)
        {
            _meters.TasksFinished.Add(1, type, new KeyValuePair<string, object?>("status", PrometheusNaming.LabelValue(change.To.Value)));
        }

        var elapsed = _timings.Apply(change);
        if (elapsed is not { } e)
        {
            return;
        }

        if (change.To == TaskState.Processing)
        {
            _meters.TaskQueueWait.Record(e.TotalSeconds, type);
        }
        else if (change.To == TaskState.Completed)
        {
            _meters.TaskDuration.Record(e.TotalSeconds, type);
        }
    }
}

/// <summary>When each tracked task entered the queue (Pending) or started (Processing): one entry per task that
/// waits or runs, bounded. When full, the oldest tenth is dropped at once, so a burst costs one sort per
/// <c>capacity / 10</c> inserts rather than a scan per insert.</summary>
internal sealed class TaskTimings(int capacity)
{
    /// <summary>At roughly 64 bytes an entry, about 6 MB at most; a backlog deeper than this loses the wait of
    /// its oldest tasks only.</summary>
    public const int DefaultCapacity = 100_000;

    private readonly object _lock = new();
    private readonly Dictionary<long, (TaskState State, DateTimeOffset At)> _tasks = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _tasks.Count;
            }
        }
    }

    /// <summary>Records the change and returns the time since the task entered Pending (for a claim) or
    /// Processing (for a completion), when it was tracked.</summary>
    public TimeSpan? Apply(TaskChange change)
    {
        lock (_lock)
        {
            var known = _tasks.TryGetValue(change.TaskId, out var entry);
            // Changes of one task are published in commit order, except that a claim can commit between an
            // enqueue's commit and its publication; an older change than the one held is ignored.
            if (known && change.At < entry.At)
            {
                return null;
            }

            switch (change.To)
            {
                case TaskState.Pending:
                    Track(change.TaskId, TaskState.Pending, change.At);
                    return null;
                case TaskState.Processing:
                    Track(change.TaskId, TaskState.Processing, change.At);
                    return known && entry.State == TaskState.Pending ? change.At - entry.At : null;
                default:
                    // Completed, failed, cancelled, retrying (re-tracked when it is queued again) or deleted.
                    _tasks.Remove(change.TaskId);
                    return known && entry.State == TaskState.Processing && change.To is not null ? change.At - entry.At : null;
            }
        }
    }

    private void Track(long taskId, TaskState state, DateTimeOffset at)
    {
        if (_tasks.Count >= capacity && !_tasks.ContainsKey(taskId))
        {
            var drop = Math.Max(1, capacity / 10);
            foreach (var oldest in _tasks.OrderBy(t => t.Value.At).Take(drop).Select(t => t.Key).ToList())
            {
                _tasks.Remove(oldest);
            }
        }

        _tasks[taskId] = (state, at);
    }
}
