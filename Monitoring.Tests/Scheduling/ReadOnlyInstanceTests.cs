using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Jobs;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Monitoring.Web.Jobs;

namespace Monitoring.Tests.Scheduling;

/// <summary>SPEC rule 2: one process owns a database; a second one on the same data folder is read-only and says who owns it.</summary>
public sealed class ReadOnlyInstanceTests
{
    /// <summary>The owner's probes run once at start and then not for an hour, so every sample written after that
    /// would be the second process's.</summary>
    private static readonly (string, string)[] QuietProbes =
    [
        ("Gpu:Provider", "simulated"), ("Probes:GpuIntervalSeconds", "3600"), ("Probes:SystemIntervalSeconds", "3600"),
        ("Probes:PerformanceIntervalSeconds", "3600"),
        // A lease the owner keeps under load: with the fixtures' 3 s, a delayed tick hands it to the second host.
        ("Scheduler:LeaseSeconds", "60"),
    ];

    [Fact]
    public async Task A_second_instance_refuses_every_change_naming_the_owner_and_changes_nothing()
    {
        using var first = new MonitoringApp(MonitoringApp.Scheduling(QuietProbes));
        using var firstClient = first.CreateClient();
        var owner = first.Services.GetRequiredService<SchedulerLeaseKeeper>().OwnerId;
        await Eventually.TrueAsync(() => first.Services.GetRequiredService<SchedulerLeaseKeeper>().IsHeld, "the first host holds the lease");
        // One task the owner runs and holds (cancellable), one cancelled (retryable and deletable).
        var waiting = (await first.Queue.EnqueueAsync(new TaskSubmission { Type = GateHandler.CpuType }, Actor.System)).Task;
        await Eventually.TrueAsync(() => first.Gate.Started.Contains(waiting.Id), "the first host runs the gate task");
        var cancelled = (await first.Queue.EnqueueAsync(new TaskSubmission { Type = GateHandler.CpuType }, Actor.System)).Task;
        await first.Queue.CancelAsync(cancelled.Id, TestTasks.Operator);
        var before = await SnapshotAsync(first);

        using var second = new MonitoringApp(MonitoringApp.Scheduling(("Gpu:Provider", "simulated"), ("Workers:Count", "3"), ("Scheduler:LeaseSeconds", "60")), first.DataDirectory);
        using var client = second.CreateClient();
        var role = second.Services.GetRequiredService<InstanceRole>();
        Assert.True(role.IsReadOnly, "the second host knows it is read-only as soon as it serves");
        Assert.Equal(owner, role.Owner);

        var refused = new (HttpMethod Method, string Url, string? Body)[]
        {
            (HttpMethod.Post, "/api/v1/tasks", $$"""{"type":"{{GateHandler.CpuType}}"}"""),
            (HttpMethod.Post, $"/api/v1/tasks/{cancelled.Id}/retry", null),
            (HttpMethod.Post, $"/api/v1/tasks/{waiting.Id}/cancel", null),
            (HttpMethod.Delete, $"/api/v1/tasks/{cancelled.Id}", null),
            (HttpMethod.Post, "/api/v1/tasks/retry", "{}"),
            (HttpMethod.Post, "/api/v1/system/workers/resize", """{"count":2}"""),
            (HttpMethod.Post, "/api/v1/system/config", """{"Workers:Count":2}"""),
            (HttpMethod.Post, "/api/v1/alerts/rules",
                """{"name":"GpuWarm","metric":"monitoring_gpu_temperature_celsius","comparison":">","threshold":80,"forSeconds":60,"severity":"warning","summary":"warm"}"""),
            (HttpMethod.Post, "/api/v1/alerts/silences", """{"matchers":{"alertname":"GpuLost"},"durationMinutes":30,"reason":"driver update"}"""),
            (HttpMethod.Post, "/api/v1/system/apikeys", """{"name":"ci","role":"Operator"}"""),
        };
        foreach (var (method, url, body) in refused)
        {
            using var request = new HttpRequestMessage(method, url);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            var response = await client.SendAsync(request);
            await response.IsProblemAsync(HttpStatusCode.Conflict);
            var problem = await response.ReadJsonAsync();
            Assert.Equal(owner, problem.GetProperty("owner").GetString());
            Assert.Contains($"read-only: this database is scheduled by {owner}", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // The console's way in (the Core write paths) is refused the same way.
        var thrown = await Assert.ThrowsAsync<ReadOnlyInstanceException>(() => second.Queue.RetryAsync(cancelled.Id, TestTasks.Operator));
        Assert.Equal(owner, thrown.Owner);
        Assert.Equal(before, await SnapshotAsync(first));
        Assert.Equal(3, second.Services.GetRequiredService<Monitoring.Core.Workers.WorkerPool>().Size);
        // Reads still work.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/tasks/{waiting.Id}")).StatusCode);
        first.Gate.Release(waiting.Id);
    }

    [Fact]
    public async Task A_second_instance_does_not_present_its_own_pool_and_gpus_as_the_systems()
    {
        using var first = new MonitoringApp(MonitoringApp.Scheduling(("Gpu:Provider", "simulated"), ("Workers:Count", "4"), ("Scheduler:LeaseSeconds", "60")));
        using var firstClient = first.CreateClient();
        var owner = first.Services.GetRequiredService<SchedulerLeaseKeeper>().OwnerId;
        await Eventually.TrueAsync(() => first.Services.GetRequiredService<SchedulerLeaseKeeper>().IsHeld, "the first host holds the lease");

        using var second = new MonitoringApp(MonitoringApp.Scheduling(("Gpu:Provider", "simulated"), ("Gpu:Simulated:Count", "3"), ("Workers:Count", "2"), ("Scheduler:LeaseSeconds", "60")), first.DataDirectory);
        using var client = second.CreateClient();

        var workers = await (await client.GetAsync("/api/v1/monitor/workers")).ReadJsonAsync();
        Assert.True(workers.GetProperty("readOnly").GetBoolean());
        Assert.Equal(owner, workers.GetProperty("owner").GetString());
        Assert.Equal(0, workers.GetProperty("size").GetInt32());
        Assert.Equal(0, workers.GetProperty("workers").GetArrayLength());
        Assert.Contains(owner, workers.GetProperty("readOnlyReason").GetString(), StringComparison.Ordinal);

        var gpus = await (await client.GetAsync("/api/v1/monitor/gpus")).ReadJsonAsync();
        Assert.True(gpus.GetProperty("readOnly").GetBoolean());
        Assert.Equal(owner, gpus.GetProperty("owner").GetString());
        Assert.Equal(0, gpus.GetProperty("gpus").GetArrayLength());
        Assert.Contains(owner, gpus.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // The owner's own views are unchanged.
        var ownerWorkers = await (await firstClient.GetAsync("/api/v1/monitor/workers")).ReadJsonAsync();
        Assert.Equal(4, ownerWorkers.GetProperty("size").GetInt32());
        Assert.Equal(JsonValueKind.Null, ownerWorkers.GetProperty("owner").ValueKind);
        await Eventually.TrueAsync(async () => (await (await firstClient.GetAsync("/api/v1/monitor/gpus")).ReadJsonAsync()).GetProperty("gpus").GetArrayLength() == 2,
            "the owner lists its two simulated GPUs");
    }

    [Fact]
    public async Task A_second_instance_writes_no_metric_samples_while_its_probes_run()
    {
        using var first = new MonitoringApp(MonitoringApp.Scheduling(QuietProbes));
        using var firstClient = first.CreateClient();
        var firstJobs = first.Services.GetRequiredService<PeriodicJobMonitor>();
        await Eventually.TrueAsync(
            () => new[] { GpuProbeJob.JobName, SystemProbeJob.JobName, PerformanceSnapshotJob.JobName }.All(j => Completed(firstJobs, j, 1)),
            "the owner's probes ran their first time", TimeSpan.FromSeconds(60));
        var samples = await SampleCountAsync(first);
        Assert.True(samples > 0, "the owner records its samples");

        using var second = new MonitoringApp(
            MonitoringApp.Scheduling(("Gpu:Provider", "simulated"), ("Probes:GpuIntervalSeconds", "1"), ("Probes:SystemIntervalSeconds", "1"), ("Probes:PerformanceIntervalSeconds", "5"),
                ("Scheduler:LeaseSeconds", "60")),
            first.DataDirectory);
        using var client = second.CreateClient();
        var jobs = second.Services.GetRequiredService<PeriodicJobMonitor>();
        await Eventually.TrueAsync(
            () => Completed(jobs, GpuProbeJob.JobName, 3) && Completed(jobs, SystemProbeJob.JobName, 3) && Completed(jobs, PerformanceSnapshotJob.JobName, 2),
            "the second host's probes ran several times", TimeSpan.FromSeconds(60));

        Assert.All(jobs.Snapshot(), j => Assert.Null(j.LastError));
        Assert.Equal(samples, await SampleCountAsync(first));
    }

    [Fact]
    public async Task When_the_owners_lease_lapses_the_read_only_instance_takes_over_and_accepts_writes_without_a_restart()
    {
        using var data = new TempDirectory();
        // A host that never schedules creates the database; then a lease row of an owner that stops heartbeating.
        using (var creator = new MonitoringApp(dataDirectory: data.Path))
        {
            _ = creator.Server;
        }

        // Another process's lease, heartbeating every half second like a live owner, until it "dies".
        const string ghost = "host-a/pid 123/deadbeef";
        await using (var db = OpenDatabase(data.Path))
        {
            var now = DateTimeOffset.UtcNow;
            db.SchedulerLeases.Add(new SchedulerLease { Name = SchedulerLease.SchedulerName, Owner = ghost, AcquiredAt = now, HeartbeatAt = now });
            await db.SaveChangesAsync();
        }

        using var dies = new CancellationTokenSource();
        var heartbeat = Task.Run(async () =>
        {
            await using var db = OpenDatabase(data.Path);
            while (!dies.IsCancellationRequested)
            {
                await db.SchedulerLeases.Where(l => l.Owner == ghost).ExecuteUpdateAsync(u => u.SetProperty(l => l.HeartbeatAt, DateTimeOffset.UtcNow));
                await Task.Delay(500);
            }
        });

        using var app = new MonitoringApp(MonitoringApp.Scheduling(), data.Path);
        using var client = app.CreateClient();
        var role = app.Services.GetRequiredService<InstanceRole>();
        var changes = 0;
        role.Changed += () => Interlocked.Increment(ref changes);
        Assert.Equal(ghost, role.Owner);
        var refused = await client.PostJsonAsync("/api/v1/tasks", new { type = GateHandler.CpuType });
        await refused.IsProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(ghost, (await refused.ReadJsonAsync()).GetProperty("owner").GetString());

        Assert.True(role.IsReadOnly, "a live owner keeps this instance read-only");

        await dies.CancelAsync();
        await heartbeat;
        // Scheduler:LeaseSeconds is 3 in the scheduling settings: the silent owner's lease lapses, and the next tick takes it.
        await Eventually.TrueAsync(() => !role.IsReadOnly, "the instance takes the lapsed lease", TimeSpan.FromSeconds(30));
        Assert.Equal(1, changes);
        app.Gate.PassThrough = true;
        var accepted = await client.PostJsonAsync("/api/v1/tasks", new { type = GateHandler.CpuType });
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        var id = (await accepted.ReadJsonAsync()).GetProperty("id").GetInt64();
        await Eventually.TrueAsync(async () => (await app.Reader.GetAsync(id))!.Status == TaskState.Completed, "the new owner runs it");
    }

    [Fact]
    public async Task A_process_with_scheduling_off_and_no_live_owner_stays_writable()
    {
        using var app = new MonitoringApp();
        using var client = app.CreateClient();

        Assert.False(app.Services.GetRequiredService<InstanceRole>().IsReadOnly);
        Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync("/api/v1/tasks", new { type = GateHandler.CpuType })).StatusCode);
    }

    private static async Task<string> SnapshotAsync(MonitoringApp app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();
        var tasks = await db.Tasks.OrderBy(t => t.Id).Select(t => $"{t.Id}:{t.Status}:{t.Attempt}").ToListAsync();
        var events = await db.TaskEvents.CountAsync();
        var audit = await db.AuditEntries.CountAsync();
        var rules = await db.AlertRules.CountAsync();
        var silences = await db.Silences.CountAsync();
        using var client = app.CreateClient();
        var keys = (await (await client.GetAsync("/api/v1/system/apikeys")).ReadJsonAsync()).GetArrayLength();
        var workers = app.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["Workers:Count"];
        return string.Create(CultureInfo.InvariantCulture,
            $"tasks {string.Join(",", tasks)}; events {events}; audit {audit}; rules {rules}; silences {silences}; keys {keys}; Workers:Count {workers}");
    }

    /// <summary>The job has finished at least <paramref name="runs"/> runs (the monitor counts a run when it starts).</summary>
    private static bool Completed(PeriodicJobMonitor monitor, string job, int runs)
    {
        var status = monitor.Snapshot().Single(s => s.Name == job);
        return status.Runs > runs || (status.Runs == runs && status.LastOutcome != JobOutcome.Running);
    }

    private static async Task<int> SampleCountAsync(MonitoringApp app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();
        return await db.MetricSamples.CountAsync();
    }

    private static MonitoringDbContext OpenDatabase(string dataDirectory) =>
        new((DbContextOptions<MonitoringDbContext>)new DbContextOptionsBuilder<MonitoringDbContext>()
            .UseMonitoringDatabase(new StorageOptions { DataDirectory = dataDirectory }).Options);
}
