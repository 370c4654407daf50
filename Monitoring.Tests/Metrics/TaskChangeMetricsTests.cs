using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Monitoring.Web.Metrics;

namespace Monitoring.Tests.Metrics;

public sealed class TaskChangeMetricsTests
{
    [Fact]
    public async Task Wait_and_run_time_equal_what_the_database_records()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var scope = new MeterScope();
        using var metrics = new TaskChangeMetrics(scope.Meters, db.Queue);

        var task = await db.Queue.EnqueueAsync("demo.noop");
        db.Clock.Advance(TimeSpan.FromSeconds(2));
        await db.Queue.ClaimAsync(task.Id, "w1", gpuUuid: null);
        db.Clock.Advance(TimeSpan.FromSeconds(7.5));
        var done = await db.Queue.CompleteAsync(task.Id);

        var samples = await scope.ScrapeAsync();
        var wait = samples.Named("monitoring_task_queue_wait_seconds_sum").Single();
        Assert.Equal("demo.noop", wait["type"]);
        Assert.Equal(done.QueueWaitMs / 1000.0, wait.Value);
        Assert.Equal(2, wait.Value);
        Assert.Equal(done.DurationMs / 1000.0, samples.Named("monitoring_task_duration_seconds_sum").Single().Value);
        Assert.Equal(7.5, samples.Named("monitoring_task_duration_seconds_sum").Single().Value);
        Assert.Equal(1, samples.Named("monitoring_tasks_finished_total").Single(s => s["status"] == "completed" && s["type"] == "demo.noop").Value);
        Assert.Equal(0, metrics.Tracked);
    }

    [Fact]
    public async Task A_retried_attempt_counts_its_own_wait_and_only_a_completed_run_counts_as_run_time()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var scope = new MeterScope();
        using var metrics = new TaskChangeMetrics(scope.Meters, db.Queue);

        var task = await db.Queue.EnqueueAsync("demo.noop", maxAttempts: 3);
        db.Clock.Advance(TimeSpan.FromSeconds(1));
        await db.Queue.ClaimAsync(task.Id, "w1", gpuUuid: null);
        db.Clock.Advance(TimeSpan.FromSeconds(4));
        await db.Queue.FailAsync(task.Id, new TaskFailure(FailureKind.Error, "boom"));
        db.Clock.Advance(TimeSpan.FromMinutes(5));
        await db.Queue.RequeueDueRetriesAsync();
        db.Clock.Advance(TimeSpan.FromSeconds(3));
        await db.Queue.ClaimAsync(task.Id, "w1", gpuUuid: null);
        db.Clock.Advance(TimeSpan.FromSeconds(1));
        await db.Queue.CompleteAsync(task.Id);

        var samples = await scope.ScrapeAsync();
        Assert.Equal(2, samples.Named("monitoring_task_queue_wait_seconds_count").Single().Value);
        Assert.Equal(1 + 3, samples.Named("monitoring_task_queue_wait_seconds_sum").Single().Value);
        Assert.Equal(1, samples.Named("monitoring_task_duration_seconds_count").Single().Value);
        Assert.Equal(1, samples.Named("monitoring_task_duration_seconds_sum").Single().Value);
        Assert.DoesNotContain(samples.Named("monitoring_tasks_finished_total"), s => s["status"] != "completed");
    }

    [Fact]
    public async Task The_timestamp_table_is_bounded_and_drops_its_oldest_tasks_first()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var scope = new MeterScope();
        using var metrics = new TaskChangeMetrics(scope.Meters, db.Queue, capacity: 10);

        var ids = new List<long>();
        for (var i = 0; i < 25; i++)
        {
            ids.Add((await db.Queue.EnqueueAsync("demo.noop")).Id);
            db.Clock.Advance(TimeSpan.FromSeconds(1));
            Assert.InRange(metrics.Tracked, 1, 10);
        }

        // The newest task is still tracked, the oldest is not: claiming both records one wait.
        await db.Queue.ClaimAsync(ids[^1], "w1", gpuUuid: null);
        await db.Queue.ClaimAsync(ids[0], "w2", gpuUuid: null);
        var samples = await scope.ScrapeAsync();
        Assert.Equal(1, samples.Named("monitoring_task_queue_wait_seconds_count").Single().Value);
        Assert.Equal(1, samples.Named("monitoring_task_queue_wait_seconds_sum").Single().Value);
    }

    [Fact]
    public void A_change_older_than_the_one_held_is_ignored()
    {
        var timings = new TaskTimings(capacity: 10);
        var t0 = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
        // The claim published before the enqueue that preceded it.
        Assert.Null(timings.Apply(new TaskChange(1, "t", TaskPriority.Normal, TaskState.Pending, TaskState.Processing, t0.AddSeconds(1))));
        Assert.Null(timings.Apply(new TaskChange(1, "t", TaskPriority.Normal, null, TaskState.Pending, t0)));
        Assert.Equal(TimeSpan.FromSeconds(4), timings.Apply(new TaskChange(1, "t", TaskPriority.Normal, TaskState.Processing, TaskState.Completed, t0.AddSeconds(5))));
        Assert.Equal(0, timings.Count);
    }
}
