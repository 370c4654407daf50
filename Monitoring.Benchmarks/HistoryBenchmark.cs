using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;
using Monitoring.Web.Tasks;

namespace Monitoring.Benchmarks;

/// <summary>The console's two busiest reads over a month of history: <c>GET /api/v1/monitor/stats</c>
/// and the first page of <c>GET /api/v1/tasks?status=Failed</c>, through the real web app in process.</summary>
internal static class HistoryBenchmark
{
    private const double TargetMs = 50;
    private const string StatsUrl = "/api/v1/monitor/stats";
    private const string FailedUrl = "/api/v1/tasks?status=Failed";
    private const int InformationalIterations = 10;

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var taskCount = (int)Math.Min(options.Get("tasks", 1_000_000, smoke: 2_000), 50_000_000);
        var iterations = (int)options.Get("iterations", 50, smoke: 5);
        var warmups = (int)options.Get("warmup", 5, smoke: 1);
        var informationalIterations = options.Smoke ? 2 : InformationalIterations;
        var started = Stopwatch.StartNew();

        using var temp = new TempDirectory("history");
        var dataDirectory = temp.Sub("data");
        Console.WriteLine($"history: {taskCount:N0} finished tasks over 30 days, in {temp.Path}");

        var seeded = await HistorySeeder.SeedAsync(dataDirectory, taskCount, DateTimeOffset.UtcNow);
        var dbBytes = FileSize(seeded.DatabasePath) + FileSize(seeded.DatabasePath + "-wal");
        Console.WriteLine($"  seeded in {Figures.Format(seeded.InsertTime.TotalSeconds, "0.0")} s (raw Microsoft.Data.Sqlite, {Figures.Format(taskCount / seeded.InsertTime.TotalSeconds, "0")} rows/s; no TaskEvents rows)");
        Console.WriteLine($"  ANALYZE ran after seeding ({Figures.Format(seeded.AnalyzeTime.TotalSeconds, "0.0")} s): the planner has sqlite_stat1 statistics");
        Console.WriteLine($"  {seeded.Completed:N0} Completed, {seeded.Failed:N0} Failed ({seeded.Fingerprints} fingerprints), {seeded.Cancelled:N0} Cancelled; " +
                          $"{seeded.ByType.Count} types; parameters {Figures.Format(seeded.AverageParametersBytes, "0")} B on average");
        Console.WriteLine($"  database {Figures.Bytes(dbBytes)} ({dbBytes:N0} bytes)");

        var measured = new List<Probe>();
        var informational = new List<Probe>();
        var credentials = new BenchmarkCredentials();
        double loadBefore, loadAfter;
        await using (var factory = new WebApplicationFactory<global::Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Storage:DataDirectory", dataDirectory);
            // Accounts on, as the product ships: the measured time includes authenticating the API key.
            foreach (var (key, value) in credentials.Settings)
            {
                b.UseSetting(key, value);
            }

            b.UseSetting("Demo:Enabled", "false");
            // The seeded month ends when seeding starts; the start-up retention pass would purge the Completed tasks
            // that have since become older than the default 30 days (on a busy machine seeding 1,000,000 takes
            // minutes), and the counts would no longer match. One more day keeps every seeded task.
            b.UseSetting("Retention:CompletedDays", "31");
            // Only the benchmark's own lines on stdout, and none after its JSON line.
            b.UseSetting("Logging:LogLevel:Default", "Warning");
            b.UseEnvironment("Production");
        }))
        {
            using var client = factory.CreateClient();
            credentials.Authenticate(client);
            var statistics = factory.Services.GetRequiredService<TaskStatistics>();
            var reader = factory.Services.GetRequiredService<TaskReader>();
            Console.WriteLine($"  web app hosted in process (WebApplicationFactory<Program>, TestServer), Auth:Mode=Local, an Admin API key in X-Api-Key; {warmups} warm-ups, {iterations} measured rounds, requests interleaved");

            measured.AddRange(
            [
                new Probe("stats", $"GET {StatsUrl}", async () =>
                {
                    var (ms, body) = await TimedReads.GetAsync(client, StatsUrl);
                    CheckStats(TimedReads.Parse<TaskStats>(body), seeded, "GET " + StatsUrl);
                    return ms;
                }),
                new Probe("failedList", $"GET {FailedUrl}", async () =>
                {
                    var (ms, body) = await TimedReads.GetAsync(client, FailedUrl);
                    CheckFailedPage(TimedReads.Parse<TaskPage>(body), seeded, "GET " + FailedUrl);
                    return ms;
                }),
                new Probe("serviceStats", "TaskStatistics.GetAsync(1h)", async () =>
                {
                    var t0 = Stopwatch.GetTimestamp();
                    var stats = await statistics.GetAsync(TimeSpan.FromHours(1));
                    var ms = Figures.Milliseconds(t0, Stopwatch.GetTimestamp());
                    CheckStats(stats, seeded, "TaskStatistics.GetAsync");
                    return ms;
                }),
                new Probe("serviceFailedList", "TaskReader.ListAsync(status=Failed, 1, 50)", async () =>
                {
                    var t0 = Stopwatch.GetTimestamp();
                    var page = await reader.ListAsync(new TaskFilter { Statuses = [TaskState.Failed] }, 1, TaskListQuery.DefaultPageSize);
                    var ms = Figures.Milliseconds(t0, Stopwatch.GetTimestamp());
                    CheckFailedPage(page, seeded, "TaskReader.ListAsync");
                    return ms;
                }),
            ]);
            loadBefore = MachineLoad.LoadAverage1();
            await TimedReads.RunRoundsAsync(measured, warmups, iterations);
            loadAfter = MachineLoad.LoadAverage1();

            // Not targets of this benchmark; other pages of the console read these over the same history.
            informational.AddRange(
            [
                TimedReads.Http(client, "stats24h", StatsUrl + "?window=24h", body => CheckStats(TimedReads.Parse<TaskStats>(body), seeded, "stats?window=24h")),
                TimedReads.Http(client, "stats7d", StatsUrl + "?window=7d", body => CheckStats(TimedReads.Parse<TaskStats>(body), seeded, "stats?window=7d")),
                TimedReads.Http(client, "failureGroups", "/api/v1/tasks/failures", body => CheckFailureGroups(TimedReads.Parse<List<FailureGroup>>(body), seeded)),
            ]);
            await TimedReads.RunRoundsAsync(informational, 1, informationalIterations);
        }

        Console.WriteLine();
        Console.WriteLine($"  {"",-46} {"median",9} {"p95",9} {"min",9}   (ms)");
        foreach (var probe in measured.Concat(informational))
        {
            Console.WriteLine($"  {probe.Label,-46} {Figures.Format(probe.Median),9} {Figures.Format(probe.P95),9} {Figures.Format(probe.Samples.Min()),9}" +
                              (informational.Contains(probe) ? $"   informational, n={probe.Samples.Count}" : ""));
        }

        var stats = measured[0];
        var failedList = measured[1];
        var met = stats.Median <= TargetMs && failedList.Median <= TargetMs;
        Console.WriteLine($"  target: median ≤ {TargetMs} ms for both requests → {(met ? "met" : "MISSED")}");
        Console.WriteLine($"  load average (1 min) {Figures.Format(loadBefore)} → {Figures.Format(loadAfter)} on {Environment.ProcessorCount} cores while measuring");
        Console.WriteLine($"  checked every response: 200, counts by status/type, all-time and 1 h window rates, timing samples and the failed page's ids match the seeded data");

        Console.WriteLine();
        Console.WriteLine("  SQL behind each read (one warm call each, through the product's services; time until the reader closed):");
        var slowest = await DiagnoseAsync(dataDirectory, seeded.DatabasePath);

        Console.WriteLine($"  took {Figures.Format(started.Elapsed.TotalSeconds, "0.0")} s");
        temp.Dispose();
        ResultLine.Write(new
        {
            Benchmark = "history",
            options.Smoke,
            Tasks = taskCount,
            StatsMedianMs = Figures.Round(stats.Median),
            StatsP95Ms = Figures.Round(stats.P95),
            FailedListMedianMs = Figures.Round(failedList.Median),
            FailedListP95Ms = Figures.Round(failedList.P95),
            ServiceStatsMedianMs = Figures.Round(measured[2].Median),
            ServiceFailedListMedianMs = Figures.Round(measured[3].Median),
            Target = TargetMs,
            Met = met,
            Iterations = iterations,
            Warmups = warmups,
            LoadAverage1 = new { Start = loadBefore, End = loadAfter },
            Cores = Environment.ProcessorCount,
            SeedSeconds = Figures.Round(seeded.InsertTime.TotalSeconds, 1),
            AnalyzeSeconds = Figures.Round(seeded.AnalyzeTime.TotalSeconds, 1),
            Analyzed = true,
            DbBytes = dbBytes,
            Completed = seeded.Completed,
            Failed = seeded.Failed,
            Cancelled = seeded.Cancelled,
            Informational = informational.ToDictionary(p => p.Name, p => new { MedianMs = Figures.Round(p.Median), P95Ms = Figures.Round(p.P95), N = p.Samples.Count }),
            SlowestSql = slowest,
            ElapsedSeconds = Figures.Round(started.Elapsed.TotalSeconds, 1),
        });
        return options.ExitCode(met);
    }

    private static void CheckStats(TaskStats stats, SeededHistory seeded, string source)
    {
        long Status(TaskState s) => stats.ByStatus.Single(c => c.Key == s).Count;
        Check.That(Status(TaskState.Completed) == seeded.Completed, $"{source}: {Status(TaskState.Completed)} Completed, seeded {seeded.Completed}.");
        Check.That(Status(TaskState.Failed) == seeded.Failed, $"{source}: {Status(TaskState.Failed)} Failed, seeded {seeded.Failed}.");
        Check.That(Status(TaskState.Cancelled) == seeded.Cancelled, $"{source}: {Status(TaskState.Cancelled)} Cancelled, seeded {seeded.Cancelled}.");
        Check.That(Status(TaskState.Pending) + Status(TaskState.Processing) + Status(TaskState.Retrying) == 0, $"{source}: unfinished tasks reported.");
        Check.That(stats.Total == seeded.Tasks, $"{source}: total {stats.Total}, seeded {seeded.Tasks}.");
        Check.That(stats.QueuedByPriority.Sum(c => c.Count) == 0, $"{source}: queued tasks reported.");
        foreach (var (type, count) in seeded.ByType)
        {
            var reported = stats.ByType.SingleOrDefault(c => c.Key == type)?.Count ?? 0;
            Check.That(reported == count, $"{source}: {reported} tasks of type {type}, seeded {count}.");
        }

        Check.That(stats.AllTime.Completed == seeded.Completed && stats.AllTime.Failed == seeded.Failed,
            $"{source}: all-time rate from {stats.AllTime.Completed}/{stats.AllTime.Failed}, seeded {seeded.Completed}/{seeded.Failed}.");

        // The window is [At - Window, At] in whole milliseconds, as the product stores times.
        var since = (stats.At - stats.Window).ToUnixTimeMilliseconds();
        var completed = seeded.FinishedSince(TaskState.Completed, since);
        var failed = seeded.FinishedSince(TaskState.Failed, since);
        Check.That(stats.InWindow.Completed == completed && stats.InWindow.Failed == failed,
            $"{source}: window {stats.Window} counts {stats.InWindow.Completed}/{stats.InWindow.Failed}, seeded {completed}/{failed}.");
        var samples = stats.Timings.Sum(t => t.Samples);
        Check.That(stats.TimingsSampled ? samples == TaskStatistics.MaxTimingSamples : samples == completed + failed,
            $"{source}: {samples} timing samples for {completed + failed} finished tasks in the window (sampled: {stats.TimingsSampled}).");
    }

    private static void CheckFailedPage(TaskPage page, SeededHistory seeded, string source)
    {
        Check.That(page.Total == seeded.Failed, $"{source}: total {page.Total}, seeded {seeded.Failed} Failed.");
        Check.That(page.Page == 1 && page.PageSize == TaskListQuery.DefaultPageSize, $"{source}: page {page.Page} of size {page.PageSize}.");
        var expected = seeded.FailedIds.Reverse().Take(TaskListQuery.DefaultPageSize).ToArray();
        Check.That(page.Items.Select(i => i.Id).SequenceEqual(expected),
            $"{source}: ids [{string.Join(',', page.Items.Take(5).Select(i => i.Id))}…], expected the newest Failed [{string.Join(',', expected.Take(5))}…].");
        Check.That(page.Items.All(i => i.Status == TaskState.Failed && i.Error is not null && i.FailureKind is not null),
            $"{source}: a row that is not a Failed task with its error.");
    }

    private static void CheckFailureGroups(List<FailureGroup> groups, SeededHistory seeded)
    {
        Check.That(groups.Sum(g => g.Count) == seeded.Failed, $"failure groups: {groups.Sum(g => g.Count)} tasks, seeded {seeded.Failed} Failed.");
        Check.That(groups.Count == seeded.Fingerprints, $"failure groups: {groups.Count} groups, seeded {seeded.Fingerprints} fingerprints.");
    }

    /// <summary>Runs the measured reads once more through the product's services with a command
    /// recorder attached, and prints each SQL statement with its time and SQLite's query plan.</summary>
    private static async Task<object?> DiagnoseAsync(string dataDirectory, string databasePath)
    {
        var recorder = new QueryRecorder();
        using var host = await CoreHost.StartAsync(dataDirectory, b => b.Services.ConfigureDbContext<MonitoringDbContext>(o => o.AddInterceptors(recorder)));
        var statistics = host.Services.GetRequiredService<TaskStatistics>();
        var reader = host.Services.GetRequiredService<TaskReader>();
        var reads = new (string Label, Func<Task> Read)[]
        {
            ("GET " + StatsUrl, () => statistics.GetAsync(TimeSpan.FromHours(1))),
            ("GET " + FailedUrl, () => reader.ListAsync(new TaskFilter { Statuses = [TaskState.Failed] }, 1, TaskListQuery.DefaultPageSize)),
            ("GET " + StatsUrl + "?window=7d", () => statistics.GetAsync(TimeSpan.FromDays(7))),
            ("GET /api/v1/tasks/failures", () => reader.FailureGroupsAsync(TaskFilter.All)),
        };

        RecordedCommand? slowest = null;
        string? slowestRead = null;
        foreach (var (label, read) in reads)
        {
            await read();
            recorder.Recording = true;
            await read();
            recorder.Recording = false;
            Console.WriteLine($"  {label}");
            foreach (var command in recorder.Take())
            {
                var sql = QueryRecorder.OneLine(command.Sql);
                Console.WriteLine($"    {Figures.Format(command.Duration.TotalMilliseconds),8} ms  {command.Rows,6} rows  {(sql.Length > 150 ? sql[..150] + "…" : sql)}");
                foreach (var step in QueryRecorder.ExplainQueryPlan(databasePath, command))
                {
                    Console.WriteLine($"                                  plan: {step}");
                }

                if (slowest is null || command.Duration > slowest.Duration)
                {
                    (slowest, slowestRead) = (command, label);
                }
            }
        }

        await host.StopAsync();
        return slowest is null ? null : new
        {
            Read = slowestRead,
            Ms = Figures.Round(slowest.Duration.TotalMilliseconds),
            Sql = QueryRecorder.OneLine(slowest.Sql),
            Plan = QueryRecorder.ExplainQueryPlan(databasePath, slowest),
        };
    }

    private static long FileSize(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
}
