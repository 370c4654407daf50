using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;

namespace Monitoring.Benchmarks;

/// <summary>Full task lifecycles (enqueue → claim → complete, three transactions) per second through
/// <see cref="TaskQueue"/> at the default durability, against a raw Microsoft.Data.Sqlite loop doing the
/// same transactions on its own file. Rounds alternate between the two so both see the same machine.</summary>
internal static class LifecycleBenchmark
{
    private const double TargetRatio = 0.25;
    private const string TaskType = "bench.noop";
    private const string WorkerId = "bench-worker";
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var rounds = (int)options.Get("rounds", options.Get("iterations", 5, smoke: 2));
        var secondsPerRound = options.Get("seconds", 6);
        long? tasksPerRound = options.Has("tasks") || options.Smoke ? options.Get("tasks", 0, smoke: 50) : null;
        // A smoke run warms each side up by a few lifecycles instead of WarmUp's seconds.
        long? warmUpLifecycles = options.Smoke ? 10 : null;
        var started = Stopwatch.StartNew();

        using var temp = new TempDirectory("lifecycle");
        using var host = await CoreHost.StartAsync(temp.Sub("service"));
        var queue = host.Services.GetRequiredService<TaskQueue>();
        using var raw = RawQueue.Open(Path.Combine(temp.Sub("raw"), "raw.db"));
        var clock = TimeProvider.System;

        Console.WriteLine($"lifecycle: enqueue → claim → complete of no-op tasks, 3 transactions each, in {temp.Path}");
        Console.WriteLine($"  service: TaskQueue.EnqueueAsync / ClaimNextAsync(1) / CompleteAsync, {await ServiceDurabilityAsync(host)}");
        Console.WriteLine($"  raw:     Microsoft.Data.Sqlite, BEGIN IMMEDIATE, prepared statements, one connection, {raw.Durability()}");
        Console.WriteLine($"  {rounds} rounds, each side {(tasksPerRound is { } n ? $"{n} lifecycles" : $"{secondsPerRound} s")} per round, order alternating");

        var service = new Side("service", () => new ValueTask<long[]>(ServiceLifecycleAsync(queue)));
        var baseline = new Side("raw", () => ValueTask.FromResult(RawLifecycle(raw, clock)));

        await service.RunAsync(WarmUp, warmUpLifecycles, record: false);
        await baseline.RunAsync(WarmUp, warmUpLifecycles, record: false);

        var roundLength = TimeSpan.FromSeconds(secondsPerRound);
        for (var round = 1; round <= rounds; round++)
        {
            // Alternate who goes first, so a slow spell of the machine does not always hit the same side.
            var (first, second) = round % 2 == 1 ? (service, baseline) : (baseline, service);
            var a = await first.RunAsync(roundLength, tasksPerRound, record: true);
            var b = await second.RunAsync(roundLength, tasksPerRound, record: true);
            Console.WriteLine($"  round {round}: {first.Name} {Figures.Format(a, "0.0")}/s, {second.Name} {Figures.Format(b, "0.0")}/s");
        }

        // The service's own roll-up must agree with what ran: every lifecycle ended Completed.
        var stats = await host.Services.GetRequiredService<TaskStatistics>().GetAsync(TimeSpan.FromHours(1));
        var completed = stats.ByStatus.Single(s => s.Key == TaskState.Completed).Count;
        Check.That(completed == service.Lifecycles, $"service: TaskCounters say {completed} Completed, the benchmark ran {service.Lifecycles} lifecycles.");
        Check.That(stats.Total == completed, $"service: {stats.Total - completed} task(s) left unfinished.");
        Check.That(raw.Count(3) == baseline.Lifecycles, $"raw: {raw.Count(3)} Completed rows, the benchmark ran {baseline.Lifecycles} lifecycles.");

        var serviceRate = Figures.Median(service.Rates);
        var rawRate = Figures.Median(baseline.Rates);
        var ratio = serviceRate / rawRate;
        var met = ratio >= TargetRatio;

        Console.WriteLine();
        Console.WriteLine("  median lifecycles/s   service " + Figures.Format(serviceRate, "0.0") + "   raw " + Figures.Format(rawRate, "0.0"));
        Console.WriteLine("  median ms per step    enqueue / claim / complete");
        foreach (var side in new[] { service, baseline })
        {
            Console.WriteLine($"    {side.Name,-8}            {string.Join(" / ", side.StepMs.Select(s => Figures.Format(Figures.Median(s), "0.000")))}");
        }

        Console.WriteLine($"  ratio service/raw {Figures.Format(ratio, "0.000")} (target ≥ {TargetRatio}) → {(met ? "met" : "MISSED")}");
        var pairedRatio = Figures.Median(service.Rates.Zip(baseline.Rates, (a, b) => a / b).ToList());
        Console.WriteLine($"  median of the per-round ratios {Figures.Format(pairedRatio, "0.000")} (each round's two sides ran back to back)");
        Console.WriteLine($"  checked: {service.Lifecycles} service and {baseline.Lifecycles} raw lifecycles all ended Completed (service counted by its TaskCounters roll-up)");

        await host.StopAsync();
        host.Dispose();
        await TraceOneLifecycleAsync(Path.Combine(temp.Path, "service"));
        raw.Dispose();
        temp.Dispose();
        Console.WriteLine($"  took {Figures.Format(started.Elapsed.TotalSeconds, "0.0")} s");
        ResultLine.Write(new
        {
            Benchmark = "lifecycle",
            options.Smoke,
            ServiceOpsPerSec = Figures.Round(serviceRate, 1),
            RawOpsPerSec = Figures.Round(rawRate, 1),
            Ratio = Figures.Round(ratio, 3),
            PairedRatioMedian = Figures.Round(pairedRatio, 3),
            Target = TargetRatio,
            Met = met,
            Unit = "lifecycles/s (enqueue+claim+complete, 3 transactions)",
            Rounds = rounds,
            ServiceRounds = service.Rates.Select(r => Figures.Round(r, 1)).ToArray(),
            RawRounds = baseline.Rates.Select(r => Figures.Round(r, 1)).ToArray(),
            ServiceStepMedianMs = service.StepMs.Select(s => Figures.Round(Figures.Median(s), 3)).ToArray(),
            RawStepMedianMs = baseline.StepMs.Select(s => Figures.Round(Figures.Median(s), 3)).ToArray(),
            Synchronous = "FULL",
            JournalMode = "WAL",
            ElapsedSeconds = Figures.Round(started.Elapsed.TotalSeconds, 1),
        });
        return options.ExitCode(met);
    }

    private static async Task<long[]> ServiceLifecycleAsync(TaskQueue queue)
    {
        var t0 = Stopwatch.GetTimestamp();
        var enqueued = await queue.EnqueueAsync(new TaskSubmission { Type = TaskType }, Actor.System);
        var t1 = Stopwatch.GetTimestamp();
        var claimed = await queue.ClaimNextAsync(1, WorkerId);
        var t2 = Stopwatch.GetTimestamp();
        Check.That(claimed.Count == 1 && claimed[0].Id == enqueued.Task.Id,
            $"service: claimed [{string.Join(',', claimed.Select(t => t.Id))}] instead of task {enqueued.Task.Id}.");
        await queue.CompleteAsync(enqueued.Task.Id);
        var t3 = Stopwatch.GetTimestamp();
        return [t0, t1, t2, t3];
    }

    private static long[] RawLifecycle(RawQueue raw, TimeProvider clock)
    {
        var t0 = Stopwatch.GetTimestamp();
        var id = raw.Enqueue(TaskType, clock.GetUtcNow().ToUnixTimeMilliseconds());
        var t1 = Stopwatch.GetTimestamp();
        var claimed = raw.ClaimNext(WorkerId, clock.GetUtcNow().ToUnixTimeMilliseconds());
        var t2 = Stopwatch.GetTimestamp();
        Check.That(claimed == id, $"raw: claimed {claimed} instead of task {id}.");
        raw.Complete(id, WorkerId, clock.GetUtcNow().ToUnixTimeMilliseconds());
        var t3 = Stopwatch.GetTimestamp();
        return [t0, t1, t2, t3];
    }

    /// <summary>Prints what each step of one more service lifecycle sends to SQLite, from a separate
    /// host on the same database with a trace attached, so the measured host stayed untouched.</summary>
    private static async Task TraceOneLifecycleAsync(string dataDirectory)
    {
        var trace = new WriteTrace();
        using var host = await CoreHost.StartAsync(dataDirectory, b => b.Services.ConfigureDbContext<MonitoringDbContext>(o => o.AddInterceptors(trace)));
        var queue = host.Services.GetRequiredService<TaskQueue>();
        await ServiceLifecycleAsync(queue);
        trace.Recording = true;
        var steps = new (string Name, Func<Task> Run)[3];
        long id = 0;
        steps[0] = ("EnqueueAsync", async () => id = (await queue.EnqueueAsync(new TaskSubmission { Type = TaskType }, Actor.System)).Task.Id);
        steps[1] = ("ClaimNextAsync", () => queue.ClaimNextAsync(1, WorkerId));
        steps[2] = ("CompleteAsync", () => queue.CompleteAsync(id));
        Console.WriteLine();
        Console.WriteLine("  what one service lifecycle sends to SQLite (raw loop: BEGIN, 2–3 statements, COMMIT per step on one open connection):");
        foreach (var (name, run) in steps)
        {
            await run();
            var recorded = trace.Take();
            Console.WriteLine($"    {name}: {recorded.Count(s => !s.StartsWith("open", StringComparison.Ordinal) && s is not ("BEGIN IMMEDIATE" or "COMMIT"))} statements");
            foreach (var step in recorded)
            {
                Console.WriteLine("      " + step);
            }
        }

        await host.StopAsync();
    }

    private static async Task<string> ServiceDurabilityAsync(IHost host)
    {
        // Read back through the product's own connection set-up (its pragma interceptor), not assumed.
        var factory = host.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        var journal = await command.ExecuteScalarAsync();
        command.CommandText = "PRAGMA synchronous";
        var synchronous = await command.ExecuteScalarAsync();
        Check.That(string.Equals(journal as string, "wal", StringComparison.OrdinalIgnoreCase) && synchronous is 2L,
            $"service: expected the default durability (WAL, synchronous=FULL=2), found journal_mode={journal}, synchronous={synchronous}.");
        return $"journal_mode={journal}, synchronous={synchronous} (FULL, the default)";
    }

    /// <summary>One contestant: runs lifecycles for a time or a count and keeps the rate of each round.</summary>
    private sealed class Side(string name, Func<ValueTask<long[]>> lifecycle)
    {
        public string Name { get; } = name;
        public List<double> Rates { get; } = [];
        public long Lifecycles { get; private set; }
        /// <summary>Milliseconds of each step (enqueue, claim, complete) over all recorded lifecycles.</summary>
        public List<double>[] StepMs { get; } = [[], [], []];

        public async Task<double> RunAsync(TimeSpan duration, long? count, bool record)
        {
            var watch = Stopwatch.StartNew();
            long done = 0;
            while (count is { } n ? done < n : watch.Elapsed < duration)
            {
                var marks = await lifecycle();
                done++;
                if (record)
                {
                    for (var step = 0; step < StepMs.Length; step++)
                    {
                        StepMs[step].Add(Figures.Milliseconds(marks[step], marks[step + 1]));
                    }
                }
            }

            watch.Stop();
            Lifecycles += done;
            var rate = done / watch.Elapsed.TotalSeconds;
            if (record)
            {
                Rates.Add(rate);
            }

            return rate;
        }
    }
}
