using System.Text.Json;
using Monitoring.Core.Tasks;

namespace Monitoring.Tests.Support;

/// <summary>Short ways to make tasks and move them into a given state through the real queue.</summary>
public static class TestTasks
{
    public static readonly Actor Operator = new("alice", ActorKind.User, "127.0.0.1");

    public static TaskSubmission Submission(string type = "test.job", TaskPriority priority = TaskPriority.Normal, object? parameters = null, int? maxAttempts = null, string? key = null) =>
        new()
        {
            Type = type,
            Priority = priority,
            Parameters = JsonSerializer.SerializeToElement(parameters ?? new { n = 1 }),
            MaxAttempts = maxAttempts,
            IdempotencyKey = key,
        };

    public static async Task<TaskItem> EnqueueAsync(this TaskQueue queue, string type = "test.job", TaskPriority priority = TaskPriority.Normal, object? parameters = null, int? maxAttempts = null) =>
        (await queue.EnqueueAsync(Submission(type, priority, parameters, maxAttempts), Actor.System)).Task;

    /// <summary>Creates a task and drives it into <paramref name="state"/> by legal moves only.</summary>
    public static Task<TaskItem> InStateAsync(this TestDatabase db, TaskState state, string type = "test.job") =>
        db.Queue.DriveToAsync(state, type);

    public static async Task<TaskItem> DriveToAsync(this TaskQueue queue, TaskState state, string type = "test.job")
    {
        var task = await queue.EnqueueAsync(type, maxAttempts: 3);
        switch (state)
        {
            case TaskState.Pending:
                return task;
            case TaskState.Cancelled:
                return await queue.CancelAsync(task.Id, Operator);
        }

        task = await queue.ClaimAsync(task.Id, "w1", gpuUuid: null);
        return state switch
        {
            TaskState.Processing => task,
            TaskState.Completed => await queue.CompleteAsync(task.Id, "{\"ok\":true}"),
            TaskState.Retrying => await queue.FailAsync(task.Id, new TaskFailure(FailureKind.Error, "boom")),
            TaskState.Failed => await queue.FailAsync(task.Id, new TaskFailure(FailureKind.Rejected, "bad parameter 'x'")),
            _ => throw new ArgumentOutOfRangeException(nameof(state)),
        };
    }
}
