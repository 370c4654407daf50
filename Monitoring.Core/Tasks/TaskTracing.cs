using System.Diagnostics;
using System.Globalization;

namespace Monitoring.Core.Tasks;

/// <summary>Each task's life as one distributed trace on the <c>Monitoring.Tasks</c> activity source.</summary>
/// <remarks>
/// <para>Enqueue starts the root span (<c>task.enqueue</c>); its trace and span id are stored with the task, so
/// every later span, in this process or after a restart, is a child of it: <c>task.wait</c> (joining the queue →
/// claim, its start set after the fact), <c>task.run</c> per attempt (worker, GPU, outcome; error status on
/// failure, a <c>task.retry</c> event carrying the backoff), <c>task.cancel</c>, <c>task.retry</c> (an operator's
/// retry) and <c>task.fail</c> for failures recorded outside a worker (lost at restart, no capacity).
/// The span that moves the task into its final state carries <c>task.status</c>.</para>
/// <para>A trace id is stored even when nothing listens (a random one, costing two random numbers): the task page
/// and API can always show it, logs can quote it, and a collector attached later still sees the remaining spans
/// of older tasks joined to their trace. Spans themselves cost nothing without a listener: the source returns
/// null and every method here returns at once.</para>
/// <para>Times come from the queue's <see cref="TimeProvider"/>, so spans agree with the task's recorded times.</para>
/// </remarks>
public static class TaskTracing
{
    public const string SourceName = "Monitoring.Tasks";

    public static readonly ActivitySource Source = new(SourceName);

    private const string RunName = "task.run";

    /// <summary>Starts the root span of a new task's trace. It never joins the caller's trace (an HTTP request
    /// would otherwise own every task it submits); the caller's span is linked instead.</summary>
    public static EnqueueTrace StartEnqueue(string type, TaskPriority priority) => new(type, priority);

    /// <summary>The stored root span as the parent of later spans; default when the task predates tracing.</summary>
    public static ActivityContext ParentOf(TaskItem task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.TraceId is not { Length: 32 } traceId || task.TraceSpanId is not { Length: 16 } spanId)
        {
            return default;
        }

        return new ActivityContext(ActivityTraceId.CreateFromString(traceId), ActivitySpanId.CreateFromString(spanId), ActivityTraceFlags.Recorded, isRemote: true);
    }

    /// <summary>Starts the span of one attempt; it becomes <see cref="Activity.Current"/>, so the handler's own spans nest in it.</summary>
    public static Activity? StartRun(TaskItem task, string workerId, string? gpuUuid, DateTimeOffset startedAt)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!Source.HasListeners())
        {
            return null;
        }

        var parent = ParentOf(task);
        if (parent == default)
        {
            return null;
        }

        var run = Source.StartActivity(RunName, ActivityKind.Internal, parent, startTime: startedAt);
        run?.SetTag("task.id", task.Id)
            .SetTag("task.type", task.Type)
            .SetTag("task.attempt", task.Attempt)
            .SetTag("worker.id", workerId)
            .SetTag("gpu.uuid", gpuUuid);
        return run;
    }

    /// <summary>The attempt stopped without an outcome of its own: cancelled by an operator (the cancel span
    /// records the final state) or interrupted by shutdown (the next start records it as lost).</summary>
    public static void RunStopped(Activity? run, string outcome, DateTimeOffset at)
    {
        if (run is null)
        {
            return;
        }

        run.SetTag("task.outcome", outcome);
        run.SetEndTime(at.UtcDateTime);
    }

    internal static bool Enabled => Source.HasListeners();

    /// <summary>Joining the queue (or its tail again after a retry) until the claim.</summary>
    internal static void Waited(TaskItem task, DateTimeOffset claimedAt) =>
        Point(task, "task.wait", task.EnqueuedAt, claimedAt, a => a
            .SetTag("task.attempt", task.Attempt)
            .SetTag("worker.id", task.WorkerId)
            .SetTag("gpu.uuid", task.GpuUuid));

    internal static void Completed(TaskItem task, DateTimeOffset at)
    {
        if (CurrentRun(task.Id) is { } run)
        {
            run.SetTag("task.outcome", "completed").SetTag("task.status", task.Status.ToString());
            run.SetStatus(ActivityStatusCode.Ok);
            run.SetEndTime(at.UtcDateTime);
        }
    }

    /// <summary>On the running attempt's span when a worker records it; otherwise (lost at restart, no capacity) as a span of its own.</summary>
    internal static void Failed(TaskItem task, TaskFailure failure, DateTimeOffset at)
    {
        void Describe(Activity a)
        {
            a.SetTag("task.outcome", task.Status == TaskState.Retrying ? "retrying" : "failed")
                .SetTag("task.failure_kind", failure.Kind.ToString())
                .SetTag("task.status", task.Status.ToString());
            a.SetStatus(ActivityStatusCode.Error, task.Error);
            if (task.NextAttemptAt is { } next)
            {
                a.AddEvent(new ActivityEvent("task.retry", at, new ActivityTagsCollection
                {
                    ["task.retry.backoff_s"] = (next - at).TotalSeconds,
                    ["task.retry.next_attempt_at"] = next.ToString("O", CultureInfo.InvariantCulture),
                    ["task.retry.attempt"] = task.Attempt + 1,
                }));
            }
        }

        if (CurrentRun(task.Id) is { } run)
        {
            Describe(run);
            run.SetEndTime(at.UtcDateTime);
        }
        else
        {
            Point(task, "task.fail", at, at, Describe);
        }
    }

    internal static void Cancelled(TaskItem task, Actor actor, string? reason, bool wasRunning, DateTimeOffset at) =>
        Point(task, "task.cancel", at, at, a => a
            .SetTag("task.actor", actor.Name)
            .SetTag("task.cancel_reason", reason)
            .SetTag("task.was_running", wasRunning)
            .SetTag("task.status", task.Status.ToString()));

    internal static void RetriedByOperator(TaskItem task, Actor actor, DateTimeOffset at) =>
        Point(task, "task.retry", at, at, a => a.SetTag("task.actor", actor.Name).SetTag("task.status", task.Status.ToString()));

    private static Activity? CurrentRun(long taskId) =>
        Activity.Current is { OperationName: RunName } run && run.Source == Source && run.GetTagItem("task.id") is long id && id == taskId ? run : null;

    /// <summary>A span whose times are already known, under the task's root.</summary>
    private static void Point(TaskItem task, string name, DateTimeOffset start, DateTimeOffset end, Action<Activity> describe)
    {
        var parent = ParentOf(task);
        if (parent == default)
        {
            return;
        }

        // Created, not started as current: it must not become the parent of whatever the caller does next.
        using var span = Source.CreateActivity(name, ActivityKind.Internal, parent);
        if (span is null)
        {
            return;
        }

        span.SetStartTime(start.UtcDateTime);
        span.SetTag("task.id", task.Id).SetTag("task.type", task.Type);
        describe(span);
        var previous = Activity.Current;
        span.Start();
        span.SetEndTime(end.UtcDateTime);
        span.Stop();
        Activity.Current = previous;
    }

    /// <summary>The root span of a task's trace while it is enqueued, and the ids to store with the task.</summary>
    public sealed class EnqueueTrace : IDisposable
    {
        private readonly bool _listening;
        private readonly Activity? _previous;
        private readonly Activity? _root;
        private readonly long _started = Stopwatch.GetTimestamp();
        private DateTimeOffset? _at;

        internal EnqueueTrace(string type, TaskPriority priority)
        {
            if (!Source.HasListeners())
            {
                TraceId = ActivityTraceId.CreateRandom().ToHexString();
                SpanId = ActivitySpanId.CreateRandom().ToHexString();
                return;
            }

            _listening = true;
            _previous = Activity.Current;
            Activity.Current = null;
            var links = _previous is null ? null : new[] { new ActivityLink(_previous.Context) };
            _root = Source.StartActivity("task.enqueue", ActivityKind.Producer, default(ActivityContext), links: links);
            _root?.SetTag("task.type", type).SetTag("task.priority", priority.ToString());
            TraceId = (_root?.TraceId ?? ActivityTraceId.CreateRandom()).ToHexString();
            SpanId = (_root?.SpanId ?? ActivitySpanId.CreateRandom()).ToHexString();
        }

        public string TraceId { get; }
        public string SpanId { get; }

        public void Enqueued(TaskItem task, bool created, DateTimeOffset at)
        {
            ArgumentNullException.ThrowIfNull(task);
            if (_root is null)
            {
                return;
            }

            _at = at;
            _root.SetStartTime(at.UtcDateTime);
            _root.SetTag("task.id", task.Id).SetTag("task.created", created).SetTag("task.status", task.Status.ToString());
            if (!created && ParentOf(task) is var existing && existing != default)
            {
                // An idempotent repeat: the task and its trace already exist.
                _root.AddLink(new ActivityLink(existing));
            }
        }

        public void Dispose()
        {
            if (!_listening)
            {
                return;
            }

            if (_root is not null && _at is { } at)
            {
                // On the queue's clock like every other span of the task, lasting as long as the enqueue did.
                _root.SetEndTime(at.UtcDateTime + Stopwatch.GetElapsedTime(_started));
            }

            _root?.Stop();
            Activity.Current = _previous;
        }
    }
}
