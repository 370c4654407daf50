using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Xunit.Abstractions;

namespace Monitoring.Tests.Workers;

/// <summary>The real app as its own OS process, stopped the two ways a service is stopped: killed (a crash, an OOM
/// kill) and terminated (SIGTERM from systemctl stop or docker stop). Nothing is lost either way.</summary>
public sealed class HostShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task After_a_host_is_killed_its_successor_kills_the_orphaned_task_process_and_schedules_without_waiting_out_the_lease()
    {
        using var data = new TempDirectory();
        var port = WebProcess.FreePort();
        // A lease a restarted host would have to wait out for two minutes, if it did not see that its holder is dead.
        var arguments = Arguments(port, "--Scheduler:LeaseSeconds=120", "--Workers:Count=1");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            long orphaned, waiting;
            using (var first = new WebProcess(data.Path, arguments))
            {
                await first.WaitUntilLiveAsync(http);
                orphaned = await SubmitAsync(http, seconds: 351);
                await Eventually.TrueAsync(() => OsProcesses.Matching("sleep", "351").Count == 1, $"the first task's process runs\n{first.Output}");
                // The only worker is busy: this one waits in the queue.
                waiting = await SubmitAsync(http, seconds: 352);

                first.KillHard();
            }

            var killedAt = DateTimeOffset.UtcNow;

            Assert.Single(OsProcesses.Matching("sleep", "351"));

            using var second = new WebProcess(data.Path, arguments);
            await second.WaitUntilLiveAsync(http);
            var readyAt = DateTimeOffset.UtcNow;
            await Eventually.TrueAsync(async () => (await TaskAsync(http, waiting)).GetProperty("status").GetString() == "Processing",
                $"the restarted host runs the waiting task\n{second.Output}", TimeSpan.FromSeconds(30));

            // Measured on the server's claim time, so a slow first request to a fresh process does not count.
            var startedAt = (await TaskAsync(http, waiting)).GetProperty("startedAt").GetDateTimeOffset();
            output.WriteLine($"waiting task claimed {(startedAt - readyAt).TotalSeconds:0.000} s after the restarted host first answered");
            // Against the kill, not the first answer: a cold start on a loaded machine takes tens of seconds, and the
            // scheduler may claim before the first request is served. Waiting out the lease would take 120 s.
            Assert.True(startedAt - killedAt < TimeSpan.FromSeconds(90),
                $"claimed {(startedAt - killedAt).TotalSeconds:0.0} s after the kill: the dead holder's lease was waited out");
            Assert.Empty(OsProcesses.Matching("sleep", "351"));
            var lost = await TaskAsync(http, orphaned);
            // Retrying, or queued again once its backoff passed; its one worker is busy with the other task.
            Assert.True(lost.GetProperty("status").GetString() is "Retrying" or "Pending", lost.GetProperty("status").GetString());
            Assert.Equal("Lost", lost.GetProperty("failureKind").GetString());
            var recovery = Assert.Single(lost.GetProperty("events").EnumerateArray(), e => e.GetProperty("to").GetString() == "Retrying").GetProperty("message").GetString();
            Assert.StartsWith("Lost on attempt 1 of 3", recovery, StringComparison.Ordinal);
            Assert.Contains("killed 1 process(es) it left running: sleep 351", recovery, StringComparison.Ordinal);
        }
        finally
        {
            OsProcesses.Kill(OsProcesses.Matching("sleep", "351"));
            OsProcesses.Kill(OsProcesses.Matching("sleep", "352"));
        }
    }

    [Fact]
    public async Task A_graceful_stop_lets_a_short_task_finish_and_queues_a_long_one_again_without_using_an_attempt()
    {
        using var data = new TempDirectory();
        var port = WebProcess.FreePort();
        const int grace = 6;
        var arguments = Arguments(port, $"--Workers:ShutdownGraceSeconds={grace}", "--Workers:Count=2");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            using var host = new WebProcess(data.Path, arguments);
            await host.WaitUntilLiveAsync(http);
            var longTask = await SubmitAsync(http, seconds: 361);
            var shortTask = await SubmitAsync(http, seconds: 3.7);
            await Eventually.TrueAsync(() => OsProcesses.Matching("sleep", "361").Count == 1 && OsProcesses.Matching("sleep", "3.7").Count == 1,
                $"both tasks' processes run\n{host.Output}");
            Assert.Equal("Processing", (await TaskAsync(http, shortTask)).GetProperty("status").GetString());

            var terminatedAt = DateTimeOffset.UtcNow;
            host.Terminate();
            var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(90));

            Assert.True(exitCode == 0, $"exit code {exitCode?.ToString(CultureInfo.InvariantCulture) ?? "none: still running"}\n{host.Output}");
            var stoppedAfter = DateTimeOffset.UtcNow - terminatedAt;
            output.WriteLine($"SIGTERM to exit: {stoppedAfter.TotalSeconds:0.0} s with a {grace} s grace");
            Assert.True(stoppedAfter >= TimeSpan.FromSeconds(grace - 1), "the long task was given the grace to finish");
            Assert.Empty(OsProcesses.Matching("sleep", "361"));

            await using var db = Open(data.Path);
            var interrupted = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == longTask);
            Assert.Equal((TaskState.Pending, 0, 3), (interrupted.Status, interrupted.Attempt, interrupted.MaxAttempts));
            Assert.Null(interrupted.FailureKind);
            var last = await db.TaskEvents.AsNoTracking().Where(e => e.TaskId == longTask).OrderBy(e => e.Id).LastAsync();
            Assert.Equal((TaskState.Processing, TaskState.Pending, "system"), (last.From, last.To, last.Actor));
            Assert.StartsWith("Interrupted by shutdown", last.Message, StringComparison.Ordinal);
            Assert.Contains("attempt 1 of 3 not counted", last.Message, StringComparison.Ordinal);
            Assert.Equal(TaskState.Completed, (await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == shortTask)).Status);
            Assert.False(await db.SchedulerLeases.AnyAsync(), "the stopped host gives the scheduler lease up");
        }
        finally
        {
            OsProcesses.Kill(OsProcesses.Matching("sleep", "361"));
        }
    }

    private static string[] Arguments(int port, params string[] more) =>
    [
        "--urls", $"http://127.0.0.1:{port}", "--Auth:Mode=None", "--Demo:Enabled=false", "--Gpu:Provider=none",
        "--Scheduler:IntervalSeconds=1",
        "--TaskTypes:hold:Command=sleep", "--TaskTypes:hold:Args:0={seconds}",
        "--TaskTypes:hold:Parameters:seconds:Type=number", "--TaskTypes:hold:Parameters:seconds:Max=3600", "--TaskTypes:hold:MaxAttempts=3",
        .. more,
    ];

    /// <summary>The stopped host's database, read directly: a host started to read it would recover and run its tasks.</summary>
    private static MonitoringDbContext Open(string dataDirectory)
    {
        var options = new DbContextOptionsBuilder<MonitoringDbContext>();
        options.UseMonitoringDatabase(new StorageOptions { DataDirectory = dataDirectory });
        return new MonitoringDbContext(options.Options);
    }

    private static async Task<long> SubmitAsync(HttpClient http, double seconds)
    {
        var created = await http.PostJsonAsync("/api/v1/tasks", new { type = "hold", parameters = new { seconds } });
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        return (await created.ReadJsonAsync()).GetProperty("id").GetInt64();
    }

    private static async Task<JsonElement> TaskAsync(HttpClient http, long id) =>
        await (await http.GetAsync($"/api/v1/tasks/{id}")).ReadJsonAsync();

}
