using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Tasks;

public sealed class TaskQueueTests
{
    [Fact]
    public async Task Claim_serves_priority_first_then_first_in_first_out()
    {
        await using var db = await TestDatabase.CreateAsync();
        var low = await db.Queue.EnqueueAsync(priority: TaskPriority.Low);
        db.Clock.Advance(TimeSpan.FromSeconds(1));
        var normal1 = await db.Queue.EnqueueAsync(priority: TaskPriority.Normal);
        db.Clock.Advance(TimeSpan.FromSeconds(1));
        var critical = await db.Queue.EnqueueAsync(priority: TaskPriority.Critical);
        db.Clock.Advance(TimeSpan.FromSeconds(1));
        var normal2 = await db.Queue.EnqueueAsync(priority: TaskPriority.Normal);
        var high = await db.Queue.EnqueueAsync(priority: TaskPriority.High);

        var claimed = await db.Queue.ClaimNextAsync(10, "w1");

        Assert.Equal([critical.Id, high.Id, normal1.Id, normal2.Id, low.Id], claimed.Select(t => t.Id));
        Assert.All(claimed, t => Assert.Equal(TaskState.Processing, t.Status));
        Assert.All(claimed, t => Assert.Equal(1, t.Attempt));
    }

    [Fact]
    public async Task A_retried_task_rejoins_the_tail_of_its_priority()
    {
        await using var db = await TestDatabase.CreateAsync();
        var first = await db.Queue.EnqueueAsync();
        var claimed = Assert.Single(await db.Queue.ClaimNextAsync(1, "w1"));
        Assert.Equal(first.Id, claimed.Id);
        db.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await db.Queue.EnqueueAsync();
        await db.Queue.FailAsync(first.Id, new TaskFailure(FailureKind.Error, "flaky"));
        db.Clock.Advance(TimeSpan.FromSeconds(10));

        var order = await db.Queue.ClaimNextAsync(2, "w1");

        Assert.Equal([second.Id, first.Id], order.Select(t => t.Id));
    }

    [Fact]
    public async Task Failed_attempts_back_off_exponentially_until_the_budget_is_spent()
    {
        await using var db = await TestDatabase.CreateAsync(new Dictionary<string, string?>
        {
            ["Tasks:RetryBaseDelaySeconds"] = "5",
            ["Tasks:RetryMaxDelaySeconds"] = "600",
        });
        var task = await db.Queue.EnqueueAsync(maxAttempts: 3);

        await db.Queue.ClaimNextAsync(1, "w1");
        var retrying = await db.Queue.FailAsync(task.Id, new TaskFailure(FailureKind.Error, "CUDA error 700 at 0x7f"));
        Assert.Equal(TaskState.Retrying, retrying.Status);
        Assert.Equal(db.Clock.GetUtcNow() + TimeSpan.FromSeconds(5), retrying.NextAttemptAt);

        db.Clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Empty(await db.Queue.ClaimNextAsync(1, "w1"));
        db.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(await db.Queue.ClaimNextAsync(1, "w1"));

        retrying = await db.Queue.FailAsync(task.Id, new TaskFailure(FailureKind.Timeout, "deadline passed"));
        Assert.Equal(db.Clock.GetUtcNow() + TimeSpan.FromSeconds(10), retrying.NextAttemptAt);
        db.Clock.Advance(TimeSpan.FromSeconds(10));
        var third = Assert.Single(await db.Queue.ClaimNextAsync(1, "w1"));
        Assert.Equal(3, third.Attempt);

        var dead = await db.Queue.FailAsync(task.Id, new TaskFailure(FailureKind.Error, "CUDA error 700 at 0x8a"));
        Assert.Equal(TaskState.Failed, dead.Status);
        Assert.Equal(FailureKind.Error, dead.FailureKind);
        Assert.NotNull(dead.FinishedAt);
        Assert.Null(dead.NextAttemptAt);
        await db.AssertCountersMatchTasksAsync();
    }

    [Theory]
    [InlineData(FailureKind.Rejected)]
    [InlineData(FailureKind.NoCapacity)]
    public async Task Non_retryable_failures_are_dead_at_once(FailureKind kind)
    {
        await using var db = await TestDatabase.CreateAsync();
        var task = await db.Queue.EnqueueAsync(maxAttempts: 5);
        await db.Queue.ClaimNextAsync(1, "w1");

        var failed = await db.Queue.FailAsync(task.Id, new TaskFailure(kind, "no"));

        Assert.Equal(TaskState.Failed, failed.Status);
        Assert.Equal(1, failed.Attempt);
    }

    [Fact]
    public async Task Manual_retry_renews_the_attempt_budget_and_audits_the_operator()
    {
        await using var db = await TestDatabase.CreateAsync();
        var task = await db.InStateAsync(TaskState.Failed);

        var retried = await db.Queue.RetryAsync(task.Id, TestTasks.Operator);

        Assert.Equal(TaskState.Pending, retried.Status);
        Assert.Equal(0, retried.Attempt);
        Assert.Null(retried.Error);
        Assert.Equal(db.Clock.GetUtcNow(), retried.EnqueuedAt);
        await using var context = await db.OpenAsync();
        var audit = await context.AuditEntries.SingleAsync(a => a.Action == "task.retry");
        Assert.Equal("alice", audit.Actor);
        Assert.Equal($"task:{task.Id}", audit.Target);
        Assert.Equal("127.0.0.1", audit.RemoteAddress);
        Assert.Contains("\"status\":\"Failed\"", audit.Before, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"Pending\"", audit.After, StringComparison.Ordinal);
        var lastEvent = await context.TaskEvents.Where(e => e.TaskId == task.Id).OrderBy(e => e.Id).LastAsync();
        Assert.Equal("alice", lastEvent.Actor);
    }

    [Fact]
    public async Task Repeating_an_idempotency_key_returns_the_existing_task_and_refuses_a_different_one()
    {
        await using var db = await TestDatabase.CreateAsync();
        var first = await db.Queue.EnqueueAsync(TestTasks.Submission(key: "order-42"), Actor.System);
        var again = await db.Queue.EnqueueAsync(TestTasks.Submission(key: "order-42"), Actor.System);
        var conflict = await Assert.ThrowsAsync<IdempotencyConflictException>(() =>
            db.Queue.EnqueueAsync(TestTasks.Submission(parameters: new { other = true }, key: "order-42"), Actor.System));

        Assert.True(first.Created);
        Assert.False(again.Created);
        Assert.Equal(first.Task.Id, again.Task.Id);
        Assert.Equal(first.Task.Id, conflict.TaskId);
        Assert.Equal(1, (await db.Reader.ListAsync(TaskFilter.All, 1, 10)).Total);
    }

    [Fact]
    public async Task Concurrent_submissions_with_one_idempotency_key_create_one_task()
    {
        await using var db = await TestDatabase.CreateAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            Task.Run(() => db.Queue.EnqueueAsync(TestTasks.Submission(key: "same"), Actor.System))));

        Assert.Single(results.Select(r => r.Task.Id).Distinct());
        Assert.Single(results, r => r.Created);
        await db.AssertCountersMatchTasksAsync();
    }

    [Fact]
    public async Task Concurrent_claimers_never_claim_a_task_twice()
    {
        await using var db = await TestDatabase.CreateAsync();
        const int taskCount = 300;
        for (var i = 0; i < taskCount; i++)
        {
            await db.Queue.EnqueueAsync(priority: (TaskPriority)(i % 4));
        }

        var claims = new ConcurrentBag<(long Id, string Worker)>();
        using var start = new Barrier(8);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            start.SignalAndWait();
            while (true)
            {
                var batch = await db.Queue.ClaimNextAsync(3, $"w{w}");
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var task in batch)
                {
                    claims.Add((task.Id, $"w{w}"));
                }

                // A worker runs its task before claiming again; without a pause SQLite's lock can let one claimer starve the rest.
                await Task.Delay(1);
            }
        })));

        Assert.Equal(taskCount, claims.Count);
        Assert.Equal(taskCount, claims.Select(c => c.Id).Distinct().Count());
        Assert.True(claims.Select(c => c.Worker).Distinct().Count() > 1, "the claimers should have interleaved");
        await using var context = await db.OpenAsync();
        Assert.Equal(taskCount, await context.TaskEvents.CountAsync(e => e.To == TaskState.Processing));
        Assert.All(await context.Tasks.ToListAsync(), t => Assert.Equal(1, t.Attempt));
        await db.AssertCountersMatchTasksAsync();
    }

    [Fact]
    public async Task Tasks_left_running_by_a_dead_process_are_recovered_as_lost_after_a_restart()
    {
        await using var db = await TestDatabase.CreateAsync();
        var withAttemptsLeft = await db.Queue.EnqueueAsync(maxAttempts: 3);
        var lastAttempt = await db.Queue.EnqueueAsync(maxAttempts: 1);
        var waiting = await db.Queue.EnqueueAsync();
        await db.Queue.ClaimAsync(withAttemptsLeft.Id, "w1", "GPU-1");
        await db.Queue.ClaimAsync(lastAttempt.Id, "w2", null);

        await db.RestartAsync();
        var recovered = await db.Queue.RecoverAbandonedAsync();

        Assert.Equal(2, recovered);
        var retrying = await db.Reader.GetAsync(withAttemptsLeft.Id);
        Assert.Equal(TaskState.Retrying, retrying!.Status);
        Assert.Equal(FailureKind.Lost, retrying.FailureKind);
        Assert.Contains("w1", retrying.Error, StringComparison.Ordinal);
        var dead = await db.Reader.GetAsync(lastAttempt.Id);
        Assert.Equal(TaskState.Failed, dead!.Status);
        Assert.Equal(FailureKind.Lost, dead.FailureKind);
        Assert.Equal(TaskState.Pending, (await db.Reader.GetAsync(waiting.Id))!.Status);
        await db.AssertCountersMatchTasksAsync();
    }

    [Fact]
    public async Task Recovery_notes_on_the_timeline_which_processes_of_the_task_were_killed()
    {
        await using var db = await TestDatabase.CreateAsync();
        var task = await db.InStateAsync(TaskState.Processing);

        await db.Queue.RecoverAbandonedAsync(new Dictionary<long, string> { [task.Id] = "killed 1 process(es) it left running: sleep 300" });

        var recovered = await db.Reader.GetAsync(task.Id);
        Assert.Equal(FailureKind.Lost, recovered!.FailureKind);
        Assert.Contains("killed 1 process(es) it left running: sleep 300", recovered.Events[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_attempt_interrupted_by_shutdown_goes_back_to_the_queue_without_using_up_an_attempt()
    {
        await using var db = await TestDatabase.CreateAsync();
        var task = await db.Queue.EnqueueAsync(maxAttempts: 3);
        await db.Queue.ClaimAsync(task.Id, "w1", "GPU-1");
        await db.Queue.FailAsync(task.Id, new TaskFailure(FailureKind.Error, "first attempt failed"));
        db.Clock.Advance(TimeSpan.FromHours(1));
        await db.Queue.RequeueDueRetriesAsync();
        var queuedAgain = await db.Reader.GetAsync(task.Id);
        await db.Queue.ClaimAsync(task.Id, "w2", "GPU-1");
        db.Clock.Advance(TimeSpan.FromSeconds(12));

        await db.Queue.InterruptAsync(task.Id, "still running when the grace ended");

        var interrupted = await db.Reader.GetAsync(task.Id);
        Assert.Equal(TaskState.Pending, interrupted!.Status);
        Assert.Equal(1, interrupted.Attempt);
        Assert.Equal(queuedAgain!.EnqueuedAt, interrupted.EnqueuedAt);
        Assert.Null(interrupted.WorkerId);
        Assert.Null(interrupted.GpuUuid);
        Assert.Null(interrupted.StartedAt);
        var last = interrupted.Events[^1];
        Assert.Equal((TaskState.Processing, TaskState.Pending, "system"), (last.From, last.To, last.Actor));
        Assert.Equal("Interrupted by shutdown after 12 s on worker w2 (still running when the grace ended); attempt 2 of 3 not counted, back in the queue", last.Message);

        // The budget is as before the claim: the next claim is attempt 2 again.
        Assert.Equal(2, (await db.Queue.ClaimAsync(task.Id, "w1", null)).Attempt);
        await db.AssertCountersMatchTasksAsync();
    }

    [Fact]
    public async Task Deleting_removes_the_task_and_its_events_and_audits_a_snapshot()
    {
        await using var db = await TestDatabase.CreateAsync();
        var task = await db.InStateAsync(TaskState.Completed);

        await db.Queue.DeleteAsync(task.Id, TestTasks.Operator);

        Assert.Null(await db.Reader.GetAsync(task.Id));
        await using var context = await db.OpenAsync();
        Assert.Equal(0, await context.TaskEvents.CountAsync(e => e.TaskId == task.Id));
        var audit = await context.AuditEntries.SingleAsync(a => a.Action == "task.delete");
        Assert.Contains("\"parameters\"", audit.Before, StringComparison.Ordinal);
        Assert.Null(audit.After);
        await db.AssertCountersMatchTasksAsync();
    }

    [Fact]
    public async Task Deleting_a_running_task_is_refused_until_it_is_cancelled()
    {
        await using var db = await TestDatabase.CreateAsync();
        var task = await db.InStateAsync(TaskState.Processing);

        var refused = await Assert.ThrowsAsync<IllegalTransitionException>(() => db.Queue.DeleteAsync(task.Id, TestTasks.Operator));
        Assert.Contains("cancel it first", refused.Message, StringComparison.Ordinal);

        await db.Queue.CancelAsync(task.Id, TestTasks.Operator);
        await db.Queue.DeleteAsync(task.Id, TestTasks.Operator);
        Assert.Null(await db.Reader.GetAsync(task.Id));
    }

    [Fact]
    public async Task Cancelling_a_running_task_publishes_the_change_for_whoever_runs_it()
    {
        await using var db = await TestDatabase.CreateAsync();
        var task = await db.InStateAsync(TaskState.Processing);
        var changes = new List<TaskChange>();
        db.Queue.Changed += changes.Add;

        await db.Queue.CancelAsync(task.Id, TestTasks.Operator, "wrong input");

        var change = Assert.Single(changes);
        Assert.Equal((TaskState?)TaskState.Processing, change.From);
        Assert.Equal((TaskState?)TaskState.Cancelled, change.To);
        var cancelled = await db.Reader.GetAsync(task.Id);
        Assert.Equal(FailureKind.Cancelled, cancelled!.FailureKind);
        Assert.Contains("wrong input", cancelled.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bulk_retry_covers_the_whole_filter_result_in_one_audited_action()
    {
        await using var db = await TestDatabase.CreateAsync();
        const int failedCount = 1_234;
        // Enough dead tasks for several bulk pages, made through the queue so counters stay true.
        for (var i = 0; i < failedCount; i++)
        {
            await db.InStateAsync(TaskState.Failed, type: "video.synthesize");
        }

        var otherType = await db.InStateAsync(TaskState.Failed, type: "audio.transcribe");
        var completed = await db.InStateAsync(TaskState.Completed, type: "video.synthesize");

        var result = await db.Queue.BulkRetryAsync(new TaskFilter { Types = ["video.synthesize"] }, TestTasks.Operator);

        Assert.Equal(failedCount, result.Affected);
        var pending = await db.Reader.ListAsync(new TaskFilter { Statuses = [TaskState.Pending], Types = ["video.synthesize"] }, 1, 1);
        Assert.Equal(failedCount, pending.Total);
        Assert.Equal(TaskState.Failed, (await db.Reader.GetAsync(otherType.Id))!.Status);
        Assert.Equal(TaskState.Completed, (await db.Reader.GetAsync(completed.Id))!.Status);
        await using var check = await db.OpenAsync();
        var audit = await check.AuditEntries.SingleAsync(a => a.Action == "task.bulk-retry");
        Assert.Contains("type=video.synthesize", audit.Target, StringComparison.Ordinal);
        Assert.Contains($"\"affected\":{failedCount}", audit.After, StringComparison.Ordinal);
        await db.AssertCountersMatchTasksAsync();
    }

    [Fact]
    public async Task Bulk_cancel_and_bulk_delete_touch_only_tasks_in_states_they_apply_to()
    {
        await using var db = await TestDatabase.CreateAsync();
        var pending = await db.InStateAsync(TaskState.Pending);
        var running = await db.InStateAsync(TaskState.Processing);
        var completed = await db.InStateAsync(TaskState.Completed);

        var cancelled = await db.Queue.BulkCancelAsync(TaskFilter.All, TestTasks.Operator);
        Assert.Equal(2, cancelled.Affected);
        Assert.Equal(TaskState.Completed, (await db.Reader.GetAsync(completed.Id))!.Status);

        var deleted = await db.Queue.BulkDeleteAsync(new TaskFilter { Statuses = [TaskState.Cancelled] }, TestTasks.Operator);
        Assert.Equal(2, deleted.Affected);
        Assert.Null(await db.Reader.GetAsync(pending.Id));
        Assert.Null(await db.Reader.GetAsync(running.Id));
        Assert.NotNull(await db.Reader.GetAsync(completed.Id));
        await db.AssertCountersMatchTasksAsync();
    }

    [Theory]
    [InlineData(BulkAction.Retry, 4)]   // Failed, Cancelled
    [InlineData(BulkAction.Cancel, 6)]  // Pending, Retrying, Processing
    [InlineData(BulkAction.Delete, 6)]  // Completed, Failed, Cancelled
    public async Task The_bulk_preview_count_is_what_the_bulk_action_then_changes(BulkAction action, int expected)
    {
        await using var db = await TestDatabase.CreateAsync();
        foreach (var state in Enum.GetValues<TaskState>())
        {
            await db.InStateAsync(state, type: "bulk.wanted");
            await db.InStateAsync(state, type: "bulk.wanted");
            await db.InStateAsync(state, type: "bulk.other");
        }

        var filter = new TaskFilter { Types = ["bulk.wanted"] };

        var count = await db.Reader.CountAsync(filter, action);
        var result = action switch
        {
            BulkAction.Retry => await db.Queue.BulkRetryAsync(filter, TestTasks.Operator),
            BulkAction.Cancel => await db.Queue.BulkCancelAsync(filter, TestTasks.Operator),
            _ => await db.Queue.BulkDeleteAsync(filter, TestTasks.Operator),
        };

        // Two tasks of the filtered type in each state; the other type is never counted.
        Assert.Equal(expected, count);
        Assert.Equal(expected, result.Affected);
        Assert.Equal(0, await db.Reader.CountAsync(filter, action));
    }

    [Theory]
    [InlineData("", "type")]
    [InlineData("Has Upper", "type")]
    public async Task Invalid_submissions_are_refused_and_nothing_is_written(string type, string field)
    {
        await using var db = await TestDatabase.CreateAsync();
        var error = await Assert.ThrowsAsync<TaskValidationException>(() => db.Queue.EnqueueAsync(TestTasks.Submission(type: type), Actor.System));

        Assert.Contains(field, error.Errors.Keys);
        Assert.Equal(0, (await db.Reader.ListAsync(TaskFilter.All, 1, 1)).Total);
    }

    [Fact]
    public async Task Parameters_over_64_KiB_are_refused()
    {
        await using var db = await TestDatabase.CreateAsync();
        var submission = TestTasks.Submission(parameters: new { blob = new string('x', 64 * 1024) });

        var error = await Assert.ThrowsAsync<TaskValidationException>(() => db.Queue.EnqueueAsync(submission, Actor.System));

        Assert.Contains("parameters", error.Errors.Keys);
    }
}
