using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Tasks;

public sealed class TaskStatisticsTests
{
    [Fact]
    public async Task Restart_keeps_tasks_events_and_statistics_identical()
    {
        await using var db = await TestDatabase.CreateAsync();
        for (var i = 0; i < 7; i++)
        {
            await db.InStateAsync(TaskState.Completed, type: i % 2 == 0 ? "video.synthesize" : "audio.transcribe");
            db.Clock.Advance(TimeSpan.FromSeconds(3));
        }

        await db.InStateAsync(TaskState.Failed, type: "video.synthesize");
        await db.InStateAsync(TaskState.Failed, type: "audio.transcribe");
        await db.InStateAsync(TaskState.Failed, type: "audio.transcribe");
        await db.InStateAsync(TaskState.Retrying);
        await db.InStateAsync(TaskState.Pending);
        var before = await db.Statistics.GetAsync(TimeSpan.FromHours(1));
        var eventsBefore = (await db.Reader.GetAsync(1))!.Events.Count;

        await db.RestartAsync();
        var after = await db.Statistics.GetAsync(TimeSpan.FromHours(1));

        Assert.Equal(7.0 / 10, before.AllTime.Ratio);
        Assert.Equal(before.AllTime, after.AllTime);
        Assert.Equal(before.InWindow, after.InWindow);
        Assert.Equal(before.ByStatus, after.ByStatus);
        Assert.Equal(before.ByType, after.ByType);
        Assert.Equal(before.QueuedByPriority, after.QueuedByPriority);
        Assert.Equal(before.Timings, after.Timings);
        Assert.Equal(12, after.Total);
        Assert.Equal(eventsBefore, (await db.Reader.GetAsync(1))!.Events.Count);
    }

    [Fact]
    public async Task Counts_by_status_priority_and_type_follow_every_change()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.Queue.EnqueueAsync(type: "a", priority: TaskPriority.High);
        await db.Queue.EnqueueAsync(type: "a", priority: TaskPriority.High);
        await db.Queue.EnqueueAsync(type: "b", priority: TaskPriority.Low);
        await db.InStateAsync(TaskState.Completed, type: "b");

        var stats = await db.Statistics.GetAsync(TimeSpan.FromHours(1));

        Assert.Equal(3, stats.ByStatus.Single(s => s.Key == TaskState.Pending).Count);
        Assert.Equal(1, stats.ByStatus.Single(s => s.Key == TaskState.Completed).Count);
        Assert.Equal(2, stats.QueuedByPriority.Single(p => p.Key == TaskPriority.High).Count);
        Assert.Equal(1, stats.QueuedByPriority.Single(p => p.Key == TaskPriority.Low).Count);
        Assert.Equal([new CountBy<string>("a", 2), new CountBy<string>("b", 2)], stats.ByType);
    }

    [Fact]
    public async Task Window_rate_and_percentiles_come_from_tasks_finished_in_the_window()
    {
        await using var db = await TestDatabase.CreateAsync();
        // An old failure outside the window.
        await db.InStateAsync(TaskState.Failed, type: "render");
        db.Clock.Advance(TimeSpan.FromHours(25));

        // 100 completions (about 1.5 h in all) taking 1..100 s, each waiting 2 s in the queue.
        for (var seconds = 1; seconds <= 100; seconds++)
        {
            var task = await db.Queue.EnqueueAsync(type: "render");
            db.Clock.Advance(TimeSpan.FromSeconds(2));
            await db.Queue.ClaimAsync(task.Id, "w1", null);
            db.Clock.Advance(TimeSpan.FromSeconds(seconds));
            await db.Queue.CompleteAsync(task.Id);
        }

        var stats = await db.Statistics.GetAsync(TimeSpan.FromHours(24));

        Assert.Equal(new SuccessRate(100, 0), stats.InWindow);
        Assert.Equal(new SuccessRate(100, 1), stats.AllTime);
        var timings = Assert.Single(stats.Timings);
        Assert.Equal(new Percentiles(50_000, 95_000, 99_000), timings.DurationMs);
        Assert.Equal(new Percentiles(2_000, 2_000, 2_000), timings.QueueWaitMs);
    }

    [Fact]
    public async Task Failures_group_by_cause_despite_different_numbers_and_ids()
    {
        await using var db = await TestDatabase.CreateAsync();
        foreach (var message in new[] { "CUDA out of memory: tried 2048 MiB on device 0", "CUDA out of memory: tried 512 MiB on device 1", "file '/data/in/a.mp4' not found" })
        {
            var task = await db.Queue.EnqueueAsync(type: "render", maxAttempts: 1);
            await db.Queue.ClaimAsync(task.Id, "w1", null);
            await db.Queue.FailAsync(task.Id, new TaskFailure(FailureKind.Error, message));
            db.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var groups = await db.Reader.FailureGroupsAsync(TaskFilter.All);

        Assert.Equal(2, groups.Count);
        var oom = groups[0];
        Assert.Equal(2, oom.Count);
        Assert.Equal(FailureKind.Error, oom.Kind);
        Assert.Equal("render", oom.Type);
        Assert.Equal(TimeSpan.FromMinutes(1), oom.LastSeen - oom.FirstSeen);
        Assert.Contains("512 MiB", oom.SampleError, StringComparison.Ordinal);
        Assert.Equal(1, groups[1].Count);
    }
}
