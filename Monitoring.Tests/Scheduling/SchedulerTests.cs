using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Tasks;
using Monitoring.Core.Workers;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Scheduling;

public sealed class SchedulerTests
{
    private const long GiB = 1L << 30;

    [Fact]
    public async Task An_enqueued_task_starts_at_once_and_completes_through_the_pool()
    {
        using var app = new MonitoringApp(MonitoringApp.Scheduling());
        app.Gate.PassThrough = true;
        using var client = app.CreateClient();

        var created = await (await client.PostJsonAsync("/api/v1/tasks", new { type = GateHandler.CpuType })).ReadJsonAsync();
        var id = created.GetProperty("id").GetInt64();

        await Eventually.TrueAsync(async () => (await app.Reader.GetAsync(id))!.Status == TaskState.Completed, "the task completes");
        var task = await app.Reader.GetAsync(id);
        Assert.Equal("{\"gate\":\"passed\"}", task!.Result);
        Assert.Equal("passed through", task.OutputTail);
        Assert.Equal(["Pending", "Processing", "Completed"], task.Events.Select(e => e.To.ToString()));
        // The attempt wrote nothing, so no empty output folder is left behind.
        Assert.False(Directory.Exists(Path.Combine(app.DataDirectory, "tasks", id.ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Fact]
    public async Task Resizing_down_drains_busy_workers_and_the_shown_concurrency_is_the_live_pool_size()
    {
        using var app = new MonitoringApp(MonitoringApp.Scheduling(("Workers:Count", "4")));
        using var client = app.CreateClient();
        var ids = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add((await app.Queue.EnqueueAsync(type: GateHandler.CpuType)).Id);
        }

        await Eventually.TrueAsync(() => app.Gate.Started.Count == 4, "four tasks run on the four workers");

        var resized = await client.PostJsonAsync("/api/v1/system/workers/resize", new { count = 2 });
        Assert.Equal(HttpStatusCode.OK, resized.StatusCode);
        var view = await resized.ReadJsonAsync();
        Assert.Equal(2, view.GetProperty("size").GetInt32());
        Assert.Equal(2, view.GetProperty("maxConcurrency").GetInt32());
        Assert.Equal(2, view.GetProperty("draining").GetInt32());
        Assert.Equal(4, view.GetProperty("busy").GetInt32());

        var pool = app.Services.GetRequiredService<WorkerPool>();
        var draining = pool.Snapshot().Workers.Where(w => w.State == WorkerState.Draining).Select(w => w.TaskId!.Value).ToList();
        var staying = pool.Snapshot().Workers.Where(w => w.State == WorkerState.Busy).Select(w => w.TaskId!.Value).ToList();

        // A draining worker finishes its task and stops: the waiting tasks do not start on it.
        app.Gate.Release(draining[0]);
        await Eventually.TrueAsync(() => pool.Snapshot().Workers.Count == 3, "the drained worker stops");
        await Task.Delay(300);
        Assert.Equal(4, app.Gate.Started.Count);

        // A staying worker that finishes takes the next waiting task.
        app.Gate.Release(staying[0]);
        await Eventually.TrueAsync(() => app.Gate.Started.Count == 5, "a waiting task starts on the freed worker");

        foreach (var id in ids)
        {
            app.Gate.Release(id);
        }

        await Eventually.TrueAsync(async () => (await app.Reader.ListAsync(new TaskFilter { Statuses = [TaskState.Completed] }, 1, 1)).Total == 6, "every task completes");
        var final = pool.Snapshot();
        Assert.Equal(2, final.Workers.Count);
        Assert.Equal(2, (await (await client.GetAsync("/api/v1/monitor/workers")).ReadJsonAsync()).GetProperty("maxConcurrency").GetInt32());
    }

    [Theory]
    [InlineData("{\"count\":0}")]
    [InlineData("{\"count\":257}")]
    [InlineData("{\"count\":\"many\"}")]
    [InlineData("{}")]
    public async Task A_bad_pool_size_is_refused_naming_count_and_changes_nothing(string body)
    {
        using var app = new MonitoringApp(MonitoringApp.Scheduling(("Workers:Count", "3")));
        using var client = app.CreateClient();

        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var response = await client.PostAsync("/api/v1/system/workers/resize", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.ReadJsonAsync()).GetProperty("errors").TryGetProperty("count", out _));
        Assert.Equal(3, app.Services.GetRequiredService<WorkerPool>().Size);
    }

    [Fact]
    public async Task Cancelling_a_running_task_stops_its_work_and_frees_the_worker()
    {
        using var app = new MonitoringApp(MonitoringApp.Scheduling(("Workers:Count", "1")));
        using var client = app.CreateClient();
        var running = await app.Queue.EnqueueAsync(type: GateHandler.CpuType);
        var next = await app.Queue.EnqueueAsync(type: GateHandler.CpuType);
        await Eventually.TrueAsync(() => app.Gate.Started.Contains(running.Id), "the first task runs");

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/tasks/{running.Id}/cancel", null)).StatusCode);

        await Eventually.TrueAsync(() => app.Gate.WasCancelled(running.Id), "the running work observes the cancel");
        await Eventually.TrueAsync(() => app.Gate.Started.Contains(next.Id), "the freed worker takes the next task");
        Assert.Equal(TaskState.Cancelled, (await app.Reader.GetAsync(running.Id))!.Status);
    }

    [Fact]
    public async Task A_task_past_its_timeout_is_stopped_and_fails_the_attempt_as_Timeout()
    {
        using var app = new MonitoringApp(MonitoringApp.Scheduling());
        var task = (await app.Queue.EnqueueAsync(new TaskSubmission { Type = GateHandler.CpuType, TimeoutSeconds = 1, MaxAttempts = 1 }, Actor.System)).Task;

        await Eventually.TrueAsync(async () => (await app.Reader.GetAsync(task.Id))!.Status == TaskState.Failed, "the task times out");

        var failed = await app.Reader.GetAsync(task.Id);
        Assert.Equal(FailureKind.Timeout, failed!.FailureKind);
        Assert.Contains("Timed out after 1 s", failed.Error, StringComparison.Ordinal);
        Assert.True(app.Gate.WasCancelled(task.Id));
    }

    [Fact]
    public async Task A_gpu_task_waits_with_the_reason_while_memory_is_short_and_runs_when_it_frees()
    {
        using var app = new MonitoringApp(MonitoringApp.Scheduling(
            ("Gpu:Provider", "simulated"), ("Gpu:Simulated:Count", "1"), ("Gpu:Simulated:MemoryBytes", (8 * GiB).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Probes:GpuIntervalSeconds", "1")));
        using var client = app.CreateClient();
        var first = (await app.Queue.EnqueueAsync(new TaskSubmission { Type = GateHandler.GpuType, RequiredGpuMemoryBytes = 6 * GiB }, Actor.System)).Task;
        await Eventually.TrueAsync(() => app.Gate.Started.Contains(first.Id), "the first GPU task runs");
        var second = (await app.Queue.EnqueueAsync(new TaskSubmission { Type = GateHandler.GpuType, RequiredGpuMemoryBytes = 6 * GiB }, Actor.System)).Task;

        string? why = null;
        await Eventually.TrueAsync(async () =>
        {
            why = (await (await client.GetAsync($"/api/v1/tasks/{second.Id}")).ReadJsonAsync()).GetProperty("whyWaiting").GetString();
            return why?.StartsWith("needs 6.0 GiB; best GPU has", StringComparison.Ordinal) == true;
        }, "the waiting task explains the memory shortfall");
        Assert.Contains("free after margin", why, StringComparison.Ordinal);
        Assert.Equal(GateHandler.GpuType, app.Gate.RunOf(first.Id).Type);
        Assert.StartsWith("GPU-", app.Gate.RunOf(first.Id).GpuUuid, StringComparison.Ordinal);

        app.Gate.Release(first.Id);
        await Eventually.TrueAsync(() => app.Gate.Started.Contains(second.Id), "the second task runs once memory frees");
        app.Gate.Release(second.Id);
    }

    [Fact]
    public async Task A_task_larger_than_every_gpu_fails_as_NoCapacity_without_a_claim_while_one_that_fits_runs()
    {
        using var app = new MonitoringApp(MonitoringApp.Scheduling(
            ("Gpu:Provider", "simulated"), ("Gpu:Simulated:Count", "2"), ("Gpu:Simulated:MemoryBytes", (24 * GiB).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        using var client = app.CreateClient();
        var tooLarge = (await app.Queue.EnqueueAsync(new TaskSubmission { Type = GateHandler.GpuType, RequiredGpuMemoryBytes = 30 * GiB }, Actor.System)).Task;
        var fits = (await app.Queue.EnqueueAsync(new TaskSubmission { Type = GateHandler.GpuType, RequiredGpuMemoryBytes = 20 * GiB }, Actor.System)).Task;

        await Eventually.TrueAsync(async () => (await app.Reader.GetAsync(tooLarge.Id))!.Status == TaskState.Failed, "the task is failed for capacity");
        await Eventually.TrueAsync(() => app.Gate.Started.Contains(fits.Id), "the 20 GiB task is placed on a 24 GiB GPU");

        var failed = await app.Reader.GetAsync(tooLarge.Id);
        Assert.Equal(FailureKind.NoCapacity, failed!.FailureKind);
        Assert.StartsWith("needs 30.0 GiB; the largest GPU offers 21.6 GiB after margin", failed.Error, StringComparison.Ordinal);
        Assert.Equal(0, failed.Attempt);
        Assert.Null(failed.WorkerId);
        Assert.Equal([TaskState.Pending, TaskState.Failed], failed.Events.Select(e => e.To));
        Assert.Equal("scheduler", failed.Events[^1].Actor);
        Assert.DoesNotContain(tooLarge.Id, app.Gate.Started);
        Assert.Equal(TaskState.Processing, (await app.Reader.GetAsync(fits.Id))!.Status);
        // An operator may still retry it (e.g. after fitting a larger GPU): a renewed budget, back to the queue.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/tasks/{tooLarge.Id}/retry", null)).StatusCode);
        app.Gate.Release(fits.Id);
    }

    [Fact]
    public async Task Without_a_gpu_a_gpu_task_waits_and_says_so()
    {
        using var app = new MonitoringApp(MonitoringApp.Scheduling(("Gpu:Provider", "none")));
        using var client = app.CreateClient();
        var task = (await app.Queue.EnqueueAsync(new TaskSubmission { Type = GateHandler.GpuType, RequiredGpuMemoryBytes = 2 * GiB }, Actor.System)).Task;

        await Eventually.TrueAsync(async () =>
            (await (await client.GetAsync($"/api/v1/tasks/{task.Id}")).ReadJsonAsync()).GetProperty("whyWaiting").GetString()?.Contains("Gpu:Provider = none", StringComparison.Ordinal) == true,
            "the task explains that there is no GPU");
        Assert.Equal(TaskState.Pending, (await app.Reader.GetAsync(task.Id))!.Status);
    }

    [Fact]
    public async Task A_second_host_on_the_same_database_does_not_schedule_and_says_it_is_read_only()
    {
        // A lease the first host keeps under load: with the fixtures' 3 s, a tick delayed on two busy cores lets the
        // second host take it over, which is right for the product but not what this test looks at.
        var settings = MonitoringApp.Scheduling(("Scheduler:LeaseSeconds", "60"));
        using var first = new MonitoringApp(settings);
        using var firstClient = first.CreateClient();
        await Eventually.TrueAsync(() => !first.Services.GetRequiredService<GpuScheduler>().IsReadOnly, "the first host holds the lease");
        using var second = new MonitoringApp(settings, first.DataDirectory);
        using var secondClient = second.CreateClient();
        var secondScheduler = second.Services.GetRequiredService<GpuScheduler>();
        // The second host tries for the lease on its first round, after its start-up; on two busy cores that can take a while.
        await Eventually.TrueAsync(
            () => secondScheduler.ReadOnlyReason?.Contains("holds the scheduler lease", StringComparison.Ordinal) == true, "the second host sees the lease taken",
            TimeSpan.FromSeconds(90));

        // Changes go to the owner (the read-only host refuses them: ReadOnlyInstanceTests); the second host sees them.
        await (await secondClient.PostJsonAsync("/api/v1/tasks", new { type = GateHandler.CpuType })).IsProblemAsync(HttpStatusCode.Conflict);
        var created = await (await firstClient.PostJsonAsync("/api/v1/tasks", new { type = GateHandler.CpuType })).ReadJsonAsync();
        var id = created.GetProperty("id").GetInt64();

        await Eventually.TrueAsync(() => first.Gate.Started.Contains(id), "the lease holder runs the task");
        Assert.Equal(HttpStatusCode.OK, (await secondClient.GetAsync($"/api/v1/tasks/{id}")).StatusCode);
        Assert.Empty(second.Gate.Started);
        Assert.Equal(0, await secondScheduler.RunRoundAsync());
        var ready = await (await secondClient.GetAsync("/health/ready")).ReadJsonAsync();
        Assert.Equal("Degraded", ready.GetProperty("checks").GetProperty("scheduler").GetProperty("status").GetString());
        Assert.Contains("read-only", ready.GetProperty("checks").GetProperty("scheduler").GetProperty("description").GetString(), StringComparison.Ordinal);
        first.Gate.Release(id);
    }
}
