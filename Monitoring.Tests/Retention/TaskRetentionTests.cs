using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Retention;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Retention;

public sealed class TaskRetentionTests
{
    [Fact]
    public async Task Finished_tasks_past_retention_are_removed_with_their_output_and_newer_ones_stay()
    {
        await using var db = await TestDatabase.CreateAsync(new Dictionary<string, string?>
        {
            ["Retention:CompletedDays"] = "30",
            ["Retention:FailedDays"] = "90",
        });
        var oldCompleted = await db.InStateAsync(TaskState.Completed);
        var oldFailed = await db.InStateAsync(TaskState.Failed);
        db.Clock.Advance(TimeSpan.FromDays(31));
        var recentCompleted = await db.InStateAsync(TaskState.Completed);
        var pending = await db.InStateAsync(TaskState.Pending);
        var stats = await db.Statistics.GetAsync(TimeSpan.FromHours(1));
        var tasksFolder = Path.Combine(db.DataDirectory, "tasks");
        foreach (var task in new[] { oldCompleted, oldFailed, recentCompleted })
        {
            Directory.CreateDirectory(Path.Combine(tasksFolder, task.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            await File.WriteAllTextAsync(Path.Combine(tasksFolder, task.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "attempt-1.log"), "output");
        }

        var retention = ActivatorUtilities.CreateInstance<TaskRetention>(db.Services);
        var removed = await retention.PurgeAsync();

        Assert.Equal(1, removed);
        Assert.Null(await db.Reader.GetAsync(oldCompleted.Id));
        Assert.NotNull(await db.Reader.GetAsync(oldFailed.Id));
        Assert.NotNull(await db.Reader.GetAsync(recentCompleted.Id));
        Assert.NotNull(await db.Reader.GetAsync(pending.Id));
        Assert.False(Directory.Exists(Path.Combine(tasksFolder, oldCompleted.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.True(Directory.Exists(Path.Combine(tasksFolder, oldFailed.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        // All-time figures keep what they counted; current counts follow the table.
        var after = await db.Statistics.GetAsync(TimeSpan.FromHours(1));
        Assert.Equal(stats.AllTime, after.AllTime);
        await db.AssertCountersMatchTasksAsync();

        db.Clock.Advance(TimeSpan.FromDays(60));
        Assert.Equal(2, await retention.PurgeAsync());
        Assert.Empty(Directory.GetDirectories(tasksFolder));
    }

    [Fact]
    public async Task A_deleted_tasks_output_folder_goes_at_the_next_sweep()
    {
        await using var db = await TestDatabase.CreateAsync();
        var task = await db.InStateAsync(TaskState.Completed);
        var folder = Path.Combine(db.DataDirectory, "tasks", task.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        await db.Queue.DeleteAsync(task.Id, TestTasks.Operator);

        var retention = ActivatorUtilities.CreateInstance<TaskRetention>(db.Services);

        Assert.Equal(1, await retention.SweepOutputFoldersAsync());
        Assert.False(Directory.Exists(folder));
    }
}
