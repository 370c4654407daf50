using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Tasks;
using Monitoring.Core.Workers;

namespace Monitoring.Benchmarks;

/// <summary>Enqueue → Processing latency with an idle worker: one task at a time through the real web app
/// in process, from just before <see cref="TaskQueue.EnqueueAsync"/> to the <see cref="TaskQueue.Changed"/>
/// notification that the scheduler claimed it for a worker.</summary>
internal static class DispatchBenchmark
{
    private const double TargetP50Ms = 10;
    private const double TargetP99Ms = 50;
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var tasks = (int)Math.Min(options.Get("tasks", 500, smoke: 50), 1_000_000);
        var warmups = (int)Math.Min(options.Get("warmup", 50, smoke: 5), 1_000_000);
        var started = Stopwatch.StartNew();

        using var temp = new TempDirectory("dispatch");
        var dataDirectory = temp.Sub("data");
        Console.WriteLine($"dispatch: enqueue → Processing of no-op CPU tasks ({NoopHandler.TaskType}), one at a time, in {temp.Path}");

        var toProcessing = new List<double>(tasks);
        var enqueueCall = new List<double>(tasks);
        var afterEnqueue = new List<double>(tasks);
        var toCompleted = new List<double>(tasks);
        string journalMode;
        string synchronous;
        int workers;
        await using (var factory = SchedulingHost.Create(dataDirectory))
        {
            var services = await SchedulingHost.StartAsync(factory);
            (journalMode, synchronous) = await SchedulingHost.DurabilityAsync(services);
            Check.That(synchronous == "FULL", $"expected the default durability synchronous=FULL, the product's connections run synchronous={synchronous}.");
            var queue = services.GetRequiredService<TaskQueue>();
            var pool = services.GetRequiredService<WorkerPool>();
            workers = pool.Size;
            Console.WriteLine($"  web app in process (WebApplicationFactory<Program>), scheduler on and holding its lease, Gpu:Provider=none, {workers} workers");
            Console.WriteLine($"  durability: journal_mode={journalMode}, synchronous={synchronous} (the default)");
            Console.WriteLine($"  {warmups} warm-up tasks, then {tasks} measured; each completes before the next is enqueued, so a worker is always idle");

            var watch = new Watch(queue);
            try
            {
                for (var i = 0; i < warmups + tasks; i++)
                {
                    Check.That(pool.IdleCount > 0, "no idle worker before an enqueue.");
                    var t0 = Stopwatch.GetTimestamp();
                    var enqueued = await queue.EnqueueAsync(new TaskSubmission { Type = NoopHandler.TaskType }, Actor.System);
                    var t1 = Stopwatch.GetTimestamp();
                    var id = enqueued.Task.Id;
                    var processing = await watch.WaitAsync(id, TaskState.Processing, StepTimeout);
                    var finished = await watch.WaitAsync(id, TaskState.Completed, StepTimeout);
                    watch.Forget(id);
                    if (i >= warmups)
                    {
                        toProcessing.Add(Figures.Milliseconds(t0, processing));
                        enqueueCall.Add(Figures.Milliseconds(t0, t1));
                        afterEnqueue.Add(Figures.Milliseconds(t1, processing));
                        toCompleted.Add(Figures.Milliseconds(t0, finished));
                    }
                }
            }
            finally
            {
                watch.Dispose();
            }

            // Every task the benchmark enqueued ran once and completed; nothing else is in the database.
            var reader = services.GetRequiredService<TaskReader>();
            var completed = (await reader.ListAsync(new TaskFilter { Statuses = [TaskState.Completed] }, 1, 1)).Total;
            var all = (await reader.ListAsync(TaskFilter.All, 1, 1)).Total;
            Check.That(completed == warmups + tasks && all == completed,
                $"{completed} Completed of {all} tasks in the database, the benchmark enqueued {warmups + tasks}.");
        }

        var p50 = Figures.Quantile(toProcessing, 0.5);
        var p90 = Figures.Quantile(toProcessing, 0.9);
        var p99 = Figures.Quantile(toProcessing, 0.99);
        var max = toProcessing.Max();
        var met = p50 <= TargetP50Ms && p99 <= TargetP99Ms;

        Console.WriteLine();
        Console.WriteLine($"  {"",-44} {"p50",8} {"p90",8} {"p99",8} {"max",8}   (ms)");
        Row("enqueue → Processing (measured)", toProcessing);
        Row("  EnqueueAsync call (1 commit)", enqueueCall);
        Row("  EnqueueAsync returned → Processing", afterEnqueue);
        Row("enqueue → Completed (informational)", toCompleted);
        Console.WriteLine($"  target: p50 ≤ {TargetP50Ms} ms and p99 ≤ {TargetP99Ms} ms → {(met ? "met" : "MISSED")}");
        Console.WriteLine($"  checked: all {warmups + tasks} tasks went Pending → Processing → Completed once, and the database holds exactly those");
        Console.WriteLine($"  took {Figures.Format(started.Elapsed.TotalSeconds, "0.0")} s");
        temp.Dispose();
        ResultLine.Write(new
        {
            Benchmark = "dispatch",
            options.Smoke,
            P50Ms = Figures.Round(p50),
            P90Ms = Figures.Round(p90),
            P99Ms = Figures.Round(p99),
            MaxMs = Figures.Round(max),
            TargetP50Ms,
            TargetP99Ms,
            Met = met,
            Tasks = tasks,
            Warmups = warmups,
            EnqueueCallP50Ms = Figures.Round(Figures.Median(enqueueCall)),
            AfterEnqueueP50Ms = Figures.Round(Figures.Median(afterEnqueue)),
            ToCompletedP50Ms = Figures.Round(Figures.Median(toCompleted)),
            Workers = workers,
            Synchronous = synchronous,
            JournalMode = journalMode,
            ElapsedSeconds = Figures.Round(started.Elapsed.TotalSeconds, 1),
        });
        return options.ExitCode(met);
    }

    private static void Row(string label, List<double> ms) =>
        Console.WriteLine($"  {label,-44} {Figures.Format(Figures.Quantile(ms, 0.5)),8} {Figures.Format(Figures.Quantile(ms, 0.9)),8} " +
                          $"{Figures.Format(Figures.Quantile(ms, 0.99)),8} {Figures.Format(ms.Max()),8}");

    /// <summary>Stopwatch timestamps of the moments tasks reached a state, taken inside the
    /// <see cref="TaskQueue.Changed"/> handler (raised right after the commit). A notification may come
    /// before <c>EnqueueAsync</c> has returned the id, so both sides meet in one slot per task and state.</summary>
    private sealed class Watch : IDisposable
    {
        private readonly TaskQueue _queue;
        private readonly ConcurrentDictionary<(long, TaskState), TaskCompletionSource<long>> _slots = new();

        public Watch(TaskQueue queue)
        {
            _queue = queue;
            _queue.Changed += OnChanged;
        }

        public async Task<long> WaitAsync(long taskId, TaskState state, TimeSpan timeout)
        {
            try
            {
                return await Slot(taskId, state).Task.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                throw new BenchmarkCheckException($"task {taskId} did not reach {state} within {timeout.TotalSeconds} s.");
            }
        }

        public void Forget(long taskId)
        {
            foreach (var state in Enum.GetValues<TaskState>())
            {
                _slots.TryRemove((taskId, state), out _);
            }
        }

        public void Dispose() => _queue.Changed -= OnChanged;

        private void OnChanged(TaskChange change)
        {
            var now = Stopwatch.GetTimestamp();
            if (change.To is { } to && to != TaskState.Pending)
            {
                Slot(change.TaskId, to).TrySetResult(now);
            }

            if (change.To is TaskState.Failed or TaskState.Retrying or TaskState.Cancelled)
            {
                // Let the waiter see it at once instead of timing out.
                Slot(change.TaskId, TaskState.Completed).TrySetException(
                    new BenchmarkCheckException($"task {change.TaskId} of a no-op handler went {change.From} → {change.To}."));
            }
        }

        private TaskCompletionSource<long> Slot(long taskId, TaskState state) =>
            _slots.GetOrAdd((taskId, state), _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
