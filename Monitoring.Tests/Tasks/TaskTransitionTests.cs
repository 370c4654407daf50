using Microsoft.EntityFrameworkCore;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Tasks;

public sealed class TaskTransitionTests
{
    public enum Operation
    {
        Claim,
        Complete,
        FailRetryable,
        FailNonRetryable,
        Requeue,
        ManualRetry,
        Cancel,
        Delete,
        RefuseNoCapacity,
        InterruptByShutdown,
    }

    /// <summary>SPEC §3, written out independently of <see cref="TaskTransitions"/> so a wrong table fails here.
    /// A missing entry means the move is illegal; null means the task is gone (deleted).</summary>
    private static readonly Dictionary<(TaskState, Operation), TaskState?> Expected = new()
    {
        [(TaskState.Pending, Operation.Claim)] = TaskState.Processing,
        [(TaskState.Pending, Operation.Cancel)] = TaskState.Cancelled,
        // SPEC §3: a task needing more GPU memory than any GPU has fails without being claimed.
        [(TaskState.Pending, Operation.RefuseNoCapacity)] = TaskState.Failed,
        [(TaskState.Processing, Operation.Complete)] = TaskState.Completed,
        [(TaskState.Processing, Operation.FailRetryable)] = TaskState.Retrying,
        [(TaskState.Processing, Operation.FailNonRetryable)] = TaskState.Failed,
        [(TaskState.Processing, Operation.Cancel)] = TaskState.Cancelled,
        [(TaskState.Processing, Operation.InterruptByShutdown)] = TaskState.Pending,
        [(TaskState.Retrying, Operation.Requeue)] = TaskState.Pending,
        [(TaskState.Retrying, Operation.Cancel)] = TaskState.Cancelled,
        [(TaskState.Failed, Operation.ManualRetry)] = TaskState.Pending,
        [(TaskState.Cancelled, Operation.ManualRetry)] = TaskState.Pending,
        [(TaskState.Completed, Operation.Delete)] = null,
        [(TaskState.Failed, Operation.Delete)] = null,
        [(TaskState.Cancelled, Operation.Delete)] = null,
    };

    public static TheoryData<TaskState, Operation> AllPairs()
    {
        var data = new TheoryData<TaskState, Operation>();
        foreach (var state in Enum.GetValues<TaskState>())
        {
            foreach (var operation in Enum.GetValues<Operation>())
            {
                data.Add(state, operation);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public async Task Every_state_and_operation_is_either_applied_with_an_event_or_refused_unchanged(TaskState state, Operation operation)
    {
        await using var db = await TestDatabase.CreateAsync();
        var task = await db.InStateAsync(state);
        var before = await SnapshotAsync(db, task.Id);

        var legal = Expected.TryGetValue((state, operation), out var expectedState);
        var applied = await ApplyAsync(db, task.Id, operation, expectLegal: legal);

        var after = await SnapshotAsync(db, task.Id);
        if (!legal)
        {
            Assert.False(applied, $"{operation} from {state} should have been refused");
            Assert.Equal(before, after);
        }
        else if (expectedState is null)
        {
            Assert.Null(after);
        }
        else
        {
            Assert.NotNull(after);
            Assert.Equal(expectedState, after.Value.Status);
            Assert.Equal(before!.Value.Events + 1, after.Value.Events);
            Assert.True(after.Value.Version > before.Value.Version);
            await using var context = await db.OpenAsync();
            var last = await context.TaskEvents.Where(e => e.TaskId == task.Id).OrderBy(e => e.Id).LastAsync();
            Assert.Equal(state, last.From);
            Assert.Equal(expectedState, last.To);
        }

        await db.AssertCountersMatchTasksAsync();
    }

    [Fact]
    public void The_transition_table_matches_the_specification_exactly()
    {
        var table = TaskTransitions.All.Select(t => $"{t.From}->{t.To}").Order(StringComparer.Ordinal);
        var spec = Expected.Where(e => e.Value is not null && e.Key.Item2 != Operation.Delete)
            .Select(e => $"{e.Key.Item1}->{e.Value}")
            .Order(StringComparer.Ordinal);
        Assert.Equal(spec, table);
        Assert.Equal([TaskState.Completed, TaskState.Failed, TaskState.Cancelled], TaskTransitions.Deletable.Order());
    }

    private static async Task<bool> ApplyAsync(TestDatabase db, long id, Operation operation, bool expectLegal)
    {
        try
        {
            switch (operation)
            {
                case Operation.Claim:
                    await db.Queue.ClaimAsync(id, "w2", gpuUuid: null);
                    break;
                case Operation.Complete:
                    await db.Queue.CompleteAsync(id);
                    break;
                case Operation.FailRetryable:
                    await db.Queue.FailAsync(id, new TaskFailure(FailureKind.Error, "transient"));
                    break;
                case Operation.FailNonRetryable:
                    await db.Queue.FailAsync(id, new TaskFailure(FailureKind.Rejected, "missing parameter"));
                    break;
                case Operation.Requeue:
                    // Requeueing is a sweep over due retries, not a call on one task: it only ever touches Retrying tasks.
                    db.Clock.Advance(TimeSpan.FromHours(1));
                    return await db.Queue.RequeueDueRetriesAsync() == 1;
                case Operation.ManualRetry:
                    await db.Queue.RetryAsync(id, TestTasks.Operator);
                    break;
                case Operation.Cancel:
                    await db.Queue.CancelAsync(id, TestTasks.Operator);
                    break;
                case Operation.Delete:
                    await db.Queue.DeleteAsync(id, TestTasks.Operator);
                    break;
                case Operation.RefuseNoCapacity:
                    await db.Queue.RefuseNoCapacityAsync(id, "needs 30.0 GiB; the largest GPU offers 21.6 GiB after margin");
                    break;
                case Operation.InterruptByShutdown:
                    await db.Queue.InterruptAsync(id, "the host stopped");
                    break;
            }

            return true;
        }
        catch (IllegalTransitionException ex) when (!expectLegal)
        {
            Assert.Equal(id, ex.TaskId);
            return false;
        }
    }

    private static async Task<(TaskState Status, long Version, int Events, int Attempt)?> SnapshotAsync(TestDatabase db, long id)
    {
        await using var context = await db.OpenAsync();
        var task = await context.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id);
        if (task is null)
        {
            return null;
        }

        var events = await context.TaskEvents.CountAsync(e => e.TaskId == id);
        return (task.Status, task.Version, events, task.Attempt);
    }
}
