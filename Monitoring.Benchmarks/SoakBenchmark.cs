using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;

namespace Monitoring.Benchmarks;

/// <summary>Nothing grows without bound: the working set of the process hosting the real web app after
/// 100,000 no-op tasks ran through queue, scheduler and workers stays within 30 MiB of the one after 10,000.</summary>
internal static class SoakBenchmark
{
    private const long LimitBytes = 30L << 20;
    private const int Workers = 4;
    private const int Readings = 10;
    /// <summary>A stall, not a slow machine: no task at all finished for this long.</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var tasks = Math.Min(options.Get("tasks", 100_000, smoke: 300), 100_000_000);
        var pending = (int)Math.Min(options.Get("pending", 500, smoke: 100), 100_000);
        var first = Math.Max(1, tasks / 10);
        var started = Stopwatch.StartNew();

        using var temp = new TempDirectory("soak");
        var dataDirectory = temp.Sub("data");
        Console.WriteLine($"soak: {tasks:N0} no-op CPU tasks ({NoopHandler.TaskType}) through the real web app in process, in {temp.Path}");

        var readings = new List<Reading>();
        string synchronous;
        long outputFolders;
        var settings = new Dictionary<string, string>
        {
            ["Workers:Count"] = Workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Storage:Synchronous"] = "Normal",
        };
        await using (var factory = SchedulingHost.Create(dataDirectory, settings))
        {
            var services = await SchedulingHost.StartAsync(factory);
            (_, synchronous) = await SchedulingHost.DurabilityAsync(services);
            Check.That(synchronous == "NORMAL", $"asked for Storage:Synchronous=Normal, the product's connections run synchronous={synchronous}.");
            var queue = services.GetRequiredService<TaskQueue>();
            Console.WriteLine($"  scheduler on and holding its lease, {Workers} workers, Gpu:Provider=none; at most {pending} tasks queued or running at once");
            Console.WriteLine("  Storage:Synchronous=Normal (a memory soak does not depend on durability; it only makes the run shorter)");
            Console.WriteLine($"  working set read after GC.Collect, WaitForPendingFinalizers, GC.Collect at every {Figures.Format(100.0 / Readings, "0")} % (first reading at {first:N0})");
            Console.WriteLine();
            Console.WriteLine($"  {"tasks",11} {"tasks/s",8} {"working set",12} {"GC heap",10} {"database",10}");

            var flow = new Flow(queue, pending);
            try
            {
                var segment = Stopwatch.StartNew();
                long done = 0;
                foreach (var target in Checkpoints(tasks, first))
                {
                    await flow.RunUntilAsync(target, StallTimeout);
                    var rate = (target - done) / segment.Elapsed.TotalSeconds;
                    var reading = Reading.Take(target, rate, DatabaseBytes(dataDirectory));
                    readings.Add(reading);
                    Console.WriteLine($"  {target,11:N0} {Figures.Format(rate, "0"),8} {Figures.Bytes(reading.WorkingSet),12} {Figures.Bytes(reading.GcHeap),10} {Figures.Bytes(reading.DatabaseBytes),10}");
                    done = target;
                    segment.Restart();
                }
            }
            finally
            {
                flow.Dispose();
            }

            Check.That(flow.Completed == tasks && flow.Enqueued == tasks,
                $"{flow.Enqueued} enqueued and {flow.Completed} Completed notifications, expected {tasks}.");

            // The counter roll-up (what the API answers) and the rows themselves must both say every task completed.
            var reader = services.GetRequiredService<TaskReader>();
            var completedRollup = (await reader.ListAsync(new TaskFilter { Statuses = [TaskState.Completed] }, 1, 1)).Total;
            var allRollup = (await reader.ListAsync(TaskFilter.All, 1, 1)).Total;
            await using var db = await services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();
            var completedRows = await db.Tasks.LongCountAsync(t => t.Status == TaskState.Completed);
            var allRows = await db.Tasks.LongCountAsync();
            var events = await db.TaskEvents.LongCountAsync();
            Check.That(completedRollup == tasks && allRollup == tasks,
                $"TaskReader (counter roll-up): {completedRollup} Completed of {allRollup} tasks, expected {tasks}.");
            Check.That(completedRows == tasks && allRows == tasks,
                $"Tasks table: {completedRows} Completed rows of {allRows}, expected {tasks}: tasks were lost or left unfinished.");
            Check.That(events == 3 * tasks, $"{events} task events, expected 3 per task (Enqueued, Claimed, Completed) = {3 * tasks}.");
            var outputRoot = Path.Combine(dataDirectory, "tasks");
            outputFolders = Directory.Exists(outputRoot) ? Directory.EnumerateDirectories(outputRoot).LongCount() : 0;
        }

        var atFirst = readings[0];
        var atLast = readings[^1];
        var growth = atLast.WorkingSet - atFirst.WorkingSet;
        var met = growth <= LimitBytes;

        Console.WriteLine();
        Console.WriteLine($"  working set {Figures.Bytes(atFirst.WorkingSet)} after {atFirst.Tasks:N0}, {Figures.Bytes(atLast.WorkingSet)} after {atLast.Tasks:N0}: " +
                          $"{(growth >= 0 ? "+" : "")}{Figures.Format(growth / (double)(1 << 20), "0.0")} MiB (limit +30 MiB) → {(met ? "met" : "MISSED")}");
        Console.WriteLine($"  GC heap {Figures.Bytes(atFirst.GcHeap)} → {Figures.Bytes(atLast.GcHeap)}; median throughput {Figures.Format(Figures.Median(readings.Select(r => r.Rate).ToList()), "0")} tasks/s");
        Console.WriteLine($"  checked: {tasks:N0} Completed in the counter roll-up (TaskReader.ListAsync) and in the Tasks rows, none lost or failed, {3 * tasks:N0} events");
        Console.WriteLine($"  {outputFolders:N0} output folders under data/tasks");
        var cleanup = Stopwatch.StartNew();
        temp.Dispose();
        Console.WriteLine($"  deleting the data folder with its {outputFolders:N0} output folders took {Figures.Format(cleanup.Elapsed.TotalSeconds, "0.0")} s");
        Console.WriteLine($"  took {Figures.Format(started.Elapsed.TotalSeconds, "0.0")} s");
        ResultLine.Write(new
        {
            Benchmark = "soak",
            options.Smoke,
            Tasks = tasks,
            FirstReadingTasks = atFirst.Tasks,
            WorkingSetFirstMiB = Mib(atFirst.WorkingSet),
            WorkingSetLastMiB = Mib(atLast.WorkingSet),
            GrowthMiB = Mib(growth),
            LimitMiB = Mib(LimitBytes),
            Met = met,
            GcHeapFirstMiB = Mib(atFirst.GcHeap),
            GcHeapLastMiB = Mib(atLast.GcHeap),
            WorkingSetMiB = readings.Select(r => Mib(r.WorkingSet)).ToArray(),
            GcHeapMiB = readings.Select(r => Mib(r.GcHeap)).ToArray(),
            ReadingsAtTasks = readings.Select(r => r.Tasks).ToArray(),
            MedianTasksPerSecond = Figures.Round(Figures.Median(readings.Select(r => r.Rate).ToList()), 0),
            DatabaseMiB = Mib(atLast.DatabaseBytes),
            OutputFolders = outputFolders,
            CleanupSeconds = Figures.Round(cleanup.Elapsed.TotalSeconds, 1),
            Workers,
            MaxPending = pending,
            Synchronous = synchronous,
            SynchronousNote = "durability is irrelevant to a memory soak; Normal only shortens the run",
            ElapsedSeconds = Figures.Round(started.Elapsed.TotalSeconds, 1),
        });
        return options.ExitCode(met);
    }

    /// <summary>Readings at 10 %, 20 %, … 100 % of the tasks; the first at exactly <paramref name="first"/>.</summary>
    private static IEnumerable<long> Checkpoints(long tasks, long first) =>
        Enumerable.Range(1, Readings).Select(k => k == 1 ? first : tasks * k / Readings).Where(t => t >= first).Distinct();

    private static double Mib(long bytes) => Figures.Round(bytes / (double)(1 << 20), 1);

    private static long DatabaseBytes(string dataDirectory) =>
        Directory.EnumerateFiles(dataDirectory, "*.db*").Sum(f => new FileInfo(f).Length);

    private sealed record Reading(long Tasks, double Rate, long WorkingSet, long GcHeap, long DatabaseBytes)
    {
        public static Reading Take(long tasks, double rate, long databaseBytes)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var heap = GC.GetTotalMemory(forceFullCollection: true);
            return new Reading(tasks, rate, Environment.WorkingSet, heap, databaseBytes);
        }
    }

    /// <summary>Keeps at most <c>pending</c> tasks enqueued but not finished: a slot is taken before each
    /// enqueue and given back when <see cref="TaskQueue.Changed"/> reports the task finished.</summary>
    private sealed class Flow : IDisposable
    {
        private readonly TaskQueue _queue;
        private readonly int _pending;
        private readonly SemaphoreSlim _slots;
        private long _completed;
        private volatile string? _failure;

        public Flow(TaskQueue queue, int pending)
        {
            _queue = queue;
            _pending = pending;
            _slots = new SemaphoreSlim(pending, pending);
            _queue.Changed += OnChanged;
        }

        public long Enqueued { get; private set; }

        public long Completed => Interlocked.Read(ref _completed);

        /// <summary>Enqueues until <paramref name="target"/> tasks in all were enqueued, then waits until all of them finished.</summary>
        public async Task RunUntilAsync(long target, TimeSpan stall)
        {
            while (Enqueued < target)
            {
                await TakeSlotAsync(stall);
                await _queue.EnqueueAsync(new TaskSubmission { Type = NoopHandler.TaskType }, Actor.System);
                Enqueued++;
            }

            // Every slot back means every task enqueued so far has finished.
            for (var i = 0; i < _pending; i++)
            {
                await TakeSlotAsync(stall);
            }

            _slots.Release(_pending);
            Check.That(_failure is null, _failure!);
        }

        public void Dispose()
        {
            _queue.Changed -= OnChanged;
            _slots.Dispose();
        }

        private async Task TakeSlotAsync(TimeSpan stall)
        {
            if (!await _slots.WaitAsync(stall))
            {
                throw new BenchmarkCheckException($"no task finished for {stall.TotalSeconds} s ({Completed} of {Enqueued} completed).");
            }

            Check.That(_failure is null, _failure!);
        }

        private void OnChanged(TaskChange change)
        {
            switch (change.To)
            {
                case TaskState.Completed:
                    Interlocked.Increment(ref _completed);
                    _slots.Release();
                    break;
                case TaskState.Failed or TaskState.Cancelled:
                    _failure ??= $"task {change.TaskId} of a no-op handler went {change.From} → {change.To}.";
                    _slots.Release();
                    break;
                case TaskState.Retrying:
                    // It comes back and finishes later; the slot is given back then.
                    _failure ??= $"task {change.TaskId} of a no-op handler went {change.From} → {change.To}.";
                    break;
            }
        }
    }
}
