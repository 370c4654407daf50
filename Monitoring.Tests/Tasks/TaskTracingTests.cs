using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Core.Handlers;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;
using Monitoring.Core.Workers;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Tasks;

public sealed class TaskTracingTests
{
    [Fact]
    public async Task A_task_that_fails_once_then_completes_is_one_trace_under_its_stored_root()
    {
        using var spans = new SpanRecorder(TaskTracing.SourceName);
        await using var db = await TestDatabase.CreateAsync(new Dictionary<string, string?> { ["Tasks:RetryBaseDelaySeconds"] = "5" });
        var handler = new FlakyHandler(db.Clock, failures: 1, runTime: TimeSpan.FromSeconds(3));
        await using var pool = new WorkerPool(db.Queue, new TaskTypeRegistry([handler]), new NoGpus(),
            Options.Create(new StorageOptions { DataDirectory = db.DataDirectory }), Options.Create(new WorkerOptions { Count = 1 }),
            db.Clock, NullLogger<WorkerPool>.Instance);
        var t0 = db.Clock.GetUtcNow();

        var task = (await db.Queue.EnqueueAsync(TestTasks.Submission(FlakyHandler.Type, maxAttempts: 3), Actor.System)).Task;
        db.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(pool.TryStart(await db.Queue.ClaimAsync(task.Id, "w1", gpuUuid: null), null, 0));
        await Eventually.TrueAsync(() => Named(spans, task, "task.run").Count == 1, "the first attempt's span ends");
        db.Clock.Advance(TimeSpan.FromSeconds(5));
        var retry = Assert.Single(await db.Queue.ClaimNextAsync(1, "w1"));
        Assert.True(pool.TryStart(retry, null, 0));
        await Eventually.TrueAsync(() => Named(spans, task, "task.run").Count == 2, "the second attempt's span ends");

        var stored = (await db.Reader.GetAsync(task.Id))!;
        Assert.Equal(TaskState.Completed, stored.Status);
        Assert.Matches("^[0-9a-f]{32}$", stored.TraceId);
        var trace = spans.InTrace(stored.TraceId!);
        Assert.Equal(["task.enqueue", "task.wait", "task.run", "task.wait", "task.run"], trace.Select(s => s.OperationName));

        var root = trace[0];
        Assert.Equal(stored.TraceSpanId, root.SpanId.ToHexString());
        Assert.Equal(default, root.ParentSpanId);
        Assert.Equal(ActivityKind.Producer, root.Kind);
        Assert.Equal(task.Id, root.GetTagItem("task.id"));
        Assert.Equal(t0.UtcDateTime, root.StartTimeUtc);
        Assert.All(trace.Skip(1), s => Assert.Equal(root.SpanId, s.ParentSpanId));
        Assert.All(trace, s => Assert.Equal(task.Id, s.GetTagItem("task.id")));

        var (wait1, run1, wait2, run2) = (trace[1], trace[2], trace[3], trace[4]);
        Assert.Equal(t0.UtcDateTime, wait1.StartTimeUtc);
        Assert.Equal(TimeSpan.FromSeconds(2), wait1.Duration);
        Assert.Equal(t0.AddSeconds(2).UtcDateTime, run1.StartTimeUtc);
        Assert.Equal(TimeSpan.FromSeconds(3), run1.Duration);
        Assert.Equal(ActivityStatusCode.Error, run1.Status);
        Assert.Equal("flaky on purpose", run1.StatusDescription);
        Assert.Equal("retrying", run1.GetTagItem("task.outcome"));
        Assert.Equal("Retrying", run1.GetTagItem("task.status"));
        Assert.Equal("w1", run1.GetTagItem("worker.id"));
        var retryEvent = Assert.Single(run1.Events);
        Assert.Equal("task.retry", retryEvent.Name);
        Assert.Equal(5.0, retryEvent.Tags.Single(t => t.Key == "task.retry.backoff_s").Value);
        // The second wait starts when the backoff has elapsed and the task rejoins the queue.
        Assert.Equal(t0.AddSeconds(10).UtcDateTime, wait2.StartTimeUtc);
        Assert.Equal(2, wait2.GetTagItem("task.attempt"));
        Assert.Equal(ActivityStatusCode.Ok, run2.Status);
        Assert.Equal("completed", run2.GetTagItem("task.outcome"));
        Assert.Equal("Completed", run2.GetTagItem("task.status"));
        Assert.Equal(2, run2.GetTagItem("task.attempt"));
        Assert.Equal(TimeSpan.FromSeconds(3), run2.Duration);
    }

    [Fact]
    public async Task Cancel_and_an_operators_retry_are_spans_of_the_tasks_trace()
    {
        using var spans = new SpanRecorder(TaskTracing.SourceName);
        await using var db = await TestDatabase.CreateAsync();
        var task = await db.Queue.EnqueueAsync();

        await db.Queue.CancelAsync(task.Id, TestTasks.Operator, "wrong parameters");
        db.Clock.Advance(TimeSpan.FromSeconds(1));
        await db.Queue.RetryAsync(task.Id, TestTasks.Operator);

        var trace = spans.InTrace(task.TraceId!);
        Assert.Equal(["task.enqueue", "task.cancel", "task.retry"], trace.Select(s => s.OperationName));
        var cancel = trace[1];
        Assert.Equal("Cancelled", cancel.GetTagItem("task.status"));
        Assert.Equal("alice", cancel.GetTagItem("task.actor"));
        Assert.Equal("wrong parameters", cancel.GetTagItem("task.cancel_reason"));
        Assert.Equal(false, cancel.GetTagItem("task.was_running"));
        Assert.Equal("Pending", trace[2].GetTagItem("task.status"));
        Assert.All(trace.Skip(1), s => Assert.Equal(trace[0].SpanId, s.ParentSpanId));
    }

    [Fact]
    public async Task A_failure_recorded_outside_a_worker_is_a_span_of_its_own()
    {
        using var spans = new SpanRecorder(TaskTracing.SourceName);
        await using var db = await TestDatabase.CreateAsync();
        var task = await db.InStateAsync(TaskState.Processing);

        await db.Queue.RecoverAbandonedAsync();

        var fail = Assert.Single(spans.InTrace(task.TraceId!), s => s.OperationName == "task.fail");
        Assert.Equal(ActivityStatusCode.Error, fail.Status);
        Assert.Equal("Lost", fail.GetTagItem("task.failure_kind"));
        Assert.Equal("Retrying", fail.GetTagItem("task.status"));
    }

    [Fact]
    public async Task Every_task_stores_its_own_trace_id_whether_or_not_anything_listens()
    {
        // Stored always, so the API and the task page can show it and spans emitted later still join the trace.
        await using var db = await TestDatabase.CreateAsync();

        var first = await db.Queue.EnqueueAsync();
        var second = await db.Queue.EnqueueAsync();

        var stored = (await db.Reader.GetAsync(first.Id))!;
        Assert.Matches("^[0-9a-f]{32}$", stored.TraceId);
        Assert.Matches("^[0-9a-f]{16}$", stored.TraceSpanId);
        Assert.NotEqual(first.TraceId, second.TraceId);
    }

    private static List<Activity> Named(SpanRecorder spans, TaskItem task, string name) =>
        [.. spans.InTrace(task.TraceId!).Where(s => s.OperationName == name)];

    /// <summary>Fails its first <c>failures</c> runs; every run takes <c>runTime</c> on the fake clock.</summary>
    private sealed class FlakyHandler(FakeTimeProvider clock, int failures, TimeSpan runTime) : ITaskHandler
    {
        public const string Type = "test.flaky";
        private int _runs;

        public string Name => "flaky";

        public IReadOnlyList<TaskTypeDefinition> Types { get; } =
            [new(Type, "flaky", RequiresGpu: false, GpuMemoryBytes: 0, TimeoutSeconds: null, MaxAttempts: null, Parameters: [])];

        public IReadOnlyList<ParameterProblem> ValidateParameters(string type, JsonElement parameters) => [];

        public Task<TaskResult> RunAsync(TaskRun run, CancellationToken cancellationToken)
        {
            clock.Advance(runTime);
            return Interlocked.Increment(ref _runs) <= failures
                ? throw new TaskFailedException("flaky on purpose")
                : Task.FromResult(new TaskResult("{}"));
        }
    }

    private sealed class NoGpus : IGpuInventory
    {
        public IReadOnlyList<GpuState> Current => [];
        public string? UnavailableReason => "none in this test";
        public void TaskStarted(string gpuUuid, long taskId, long bytes) { }
        public void TaskFinished(long taskId) { }
    }
}
