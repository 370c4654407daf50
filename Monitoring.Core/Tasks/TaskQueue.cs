using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.Core.Audit;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Storage;

namespace Monitoring.Core.Tasks;

/// <summary>The write path of the durable queue. Each operation is one database transaction that
/// reads the task's current state, checks the move against <see cref="TaskTransitions"/>, writes
/// the task, its <see cref="TaskEvent"/>, the counter roll-up and (for operators) the audit entry.</summary>
/// <remarks>On SQLite, EF Core's transactions are <c>BEGIN IMMEDIATE</c>: writers are serialized,
/// so a read-check-write cannot interleave with another and no task is claimed twice. The
/// <see cref="TaskItem.Version"/> token guards the same on databases without that property.</remarks>
public sealed class TaskQueue(
    IDbContextFactory<MonitoringDbContext> dbFactory,
    TimeProvider clock,
    IOptionsMonitor<TaskOptions> options,
    InstanceRole role,
    ILogger<TaskQueue> logger)
{
    private const int BulkPageSize = 500;
    private const int SampleIdCount = 20;

    /// <summary>Raised after a commit for every task that changed. Handlers must be quick and must not throw.</summary>
    public event Action<TaskChange>? Changed;

    public async Task<EnqueueResult> EnqueueAsync(TaskSubmission submission, Actor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(actor);
        // The operator entry points (enqueue, retry, cancel, delete, bulk) refuse while another process owns the
        // database; the scheduler's own moves (claim, complete, fail) are guarded by the lease instead.
        role.EnsureWritable();
        var errors = TaskSubmissionValidator.Validate(submission, out var parametersJson);
        if (errors.Count > 0)
        {
            throw new TaskValidationException(errors);
        }

        using var trace = TaskTracing.StartEnqueue(submission.Type!, submission.Priority);
        try
        {
            return await InsertAsync(submission, parametersJson, actor, trace, cancellationToken);
        }
        catch (DbUpdateException) when (submission.IdempotencyKey is not null)
        {
            // The unique index on IdempotencyKey is the arbiter: a concurrent submission with the same key won the
            // insert (possible where writers are not serialized, e.g. PostgreSQL), so answer as if it came first.
            return await InsertAsync(submission, parametersJson, actor, trace, cancellationToken);
        }
    }

    private Task<EnqueueResult> InsertAsync(TaskSubmission submission, string parametersJson, Actor actor, TaskTracing.EnqueueTrace trace, CancellationToken cancellationToken) =>
        WriteAsync(async (w, now) =>
        {
            if (submission.IdempotencyKey is { } key)
            {
                var existing = await w.Db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.IdempotencyKey == key, cancellationToken);
                if (existing is not null)
                {
                    if (Differences(existing, submission, parametersJson) is { Count: > 0 } fields)
                    {
                        throw new IdempotencyConflictException(key, existing.Id, fields);
                    }

                    w.AfterCommit(static s => s.trace.Enqueued(s.existing, created: false, s.now), (trace, existing, now));
                    return new EnqueueResult(existing, Created: false);
                }
            }

            var defaults = options.CurrentValue;
            var task = new TaskItem
            {
                Type = submission.Type!,
                Priority = submission.Priority,
                Parameters = parametersJson,
                Status = TaskState.Pending,
                MaxAttempts = submission.MaxAttempts ?? defaults.DefaultMaxAttempts,
                TimeoutSeconds = submission.TimeoutSeconds ?? defaults.DefaultTimeoutSeconds,
                RequiredGpuMemoryBytes = submission.RequiredGpuMemoryBytes ?? 0,
                IdempotencyKey = submission.IdempotencyKey,
                Source = submission.Source ?? actor.Kind switch
                {
                    ActorKind.ApiKey or ActorKind.User => "api",
                    _ => "system",
                },
                CreatedAt = now,
                EnqueuedAt = now,
                TraceId = trace.TraceId,
                TraceSpanId = trace.SpanId,
                Version = 1,
            };
            task.Events.Add(new TaskEvent { At = now, From = null, To = TaskState.Pending, Actor = actor.Name, Message = "Enqueued" });
            w.Db.Tasks.Add(task);
            await w.Db.SaveChangesAsync(cancellationToken);
            w.Ledger.Created(task);
            w.Publish(task, null, TaskState.Pending, now);
            w.AfterCommit(static s => s.trace.Enqueued(s.task, created: true, s.now), (trace, task, now));
            if (actor.IsOperator)
            {
                AuditLog.Record(w.Db, now, actor, "task.submit", Target(task.Id), after: TaskSnapshot.Of(task));
            }

            return new EnqueueResult(task, Created: true);
        }, cancellationToken);

    /// <summary>The fields in which a repeated submission differs from the task its key already names. What the
    /// submitter left out is not compared (the task holds whatever default applied then); parameters compare as
    /// JSON values, so property order and spacing do not count.</summary>
    private static List<string> Differences(TaskItem existing, TaskSubmission submission, string parametersJson)
    {
        var fields = new List<string>();
        if (!string.Equals(existing.Type, submission.Type, StringComparison.Ordinal))
        {
            fields.Add("type");
        }

        if (existing.Priority != submission.Priority)
        {
            fields.Add("priority");
        }

        using (var stored = JsonDocument.Parse(existing.Parameters))
        using (var submitted = JsonDocument.Parse(parametersJson))
        {
            if (!JsonElement.DeepEquals(stored.RootElement, submitted.RootElement))
            {
                fields.Add("parameters");
            }
        }

        if (submission.MaxAttempts is { } maxAttempts && maxAttempts != existing.MaxAttempts)
        {
            fields.Add("maxAttempts");
        }

        if (submission.TimeoutSeconds is { } timeout && timeout != existing.TimeoutSeconds)
        {
            fields.Add("timeoutSeconds");
        }

        if (submission.RequiredGpuMemoryBytes is { } gpuBytes && gpuBytes != existing.RequiredGpuMemoryBytes)
        {
            fields.Add("requiredGpuMemoryBytes");
        }

        return fields;
    }

    /// <summary>Claims up to <paramref name="max"/> pending tasks in queue order (priority, then FIFO),
    /// first requeueing retries whose backoff elapsed.</summary>
    public Task<IReadOnlyList<TaskItem>> ClaimNextAsync(int max, string workerId, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        return WriteAsync<IReadOnlyList<TaskItem>>(async (w, now) =>
        {
            await RequeueDueAsync(w, now, cancellationToken);
            var tasks = await QueueOrder(w.Db.Tasks.Where(t => t.Status == TaskState.Pending)).Take(max).ToListAsync(cancellationToken);
            foreach (var task in tasks)
            {
                Claim(w, task, now, workerId, gpuUuid: null);
            }

            return tasks;
        }, cancellationToken);
    }

    /// <summary>Claims one specific pending task, as the scheduler does after placing it on a GPU.</summary>
    public Task<TaskItem> ClaimAsync(long taskId, string workerId, string? gpuUuid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        return WriteAsync(async (w, now) =>
        {
            var task = await FindAsync(w.Db, taskId, cancellationToken);
            Claim(w, task, now, workerId, gpuUuid);
            return task;
        }, cancellationToken);
    }

    public Task<TaskItem> CompleteAsync(long taskId, string? resultJson = null, long? peakGpuMemoryBytes = null, string? outputTail = null, CancellationToken cancellationToken = default) =>
        WriteAsync(async (w, now) =>
        {
            var task = await FindAsync(w.Db, taskId, cancellationToken);
            w.Move(task, TaskTrigger.Complete, now, Actor.System, "Completed");
            task.FinishedAt = now;
            task.DurationMs = ElapsedMs(task.StartedAt, now);
            task.Progress = 100;
            task.Result = resultJson;
            task.PeakGpuMemoryBytes = peakGpuMemoryBytes ?? task.PeakGpuMemoryBytes;
            task.OutputTail = outputTail is null ? null : TruncateStart(outputTail, TaskItem.MaxOutputTailLength);
            w.AfterCommit(static s => TaskTracing.Completed(s.task, s.now), (task, now));
            return task;
        }, cancellationToken);

    /// <summary>Records a failed attempt: back to <see cref="TaskState.Retrying"/> with a backoff when
    /// attempts are left and the kind is retryable, otherwise dead (<see cref="TaskState.Failed"/>).</summary>
    public Task<TaskItem> FailAsync(long taskId, TaskFailure failure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return WriteAsync(async (w, now) =>
        {
            var task = await FindAsync(w.Db, taskId, cancellationToken);
            Fail(w, task, failure, now, Actor.System);
            return task;
        }, cancellationToken);
    }

    /// <summary>Fails a queued task that needs more GPU memory than any GPU offers (Pending → Failed, kind
    /// <see cref="FailureKind.NoCapacity"/>). It is not claimed: no worker, no Processing event, no attempt used.</summary>
    public Task<TaskItem> RefuseNoCapacityAsync(long taskId, string explanation, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(explanation);
        return WriteAsync(async (w, now) =>
        {
            var task = await FindAsync(w.Db, taskId, cancellationToken);
            var message = Truncate(explanation, TaskItem.MaxErrorLength);
            w.Move(task, TaskTrigger.RefuseNoCapacity, now, Actor.Scheduler, $"{FailureKind.NoCapacity} (not retryable): {message}");
            task.FinishedAt = now;
            task.NextAttemptAt = null;
            task.FailureKind = FailureKind.NoCapacity;
            task.Error = message;
            task.ErrorFingerprint = ErrorFingerprint.Compute(task.Type, FailureKind.NoCapacity, explanation);
            var failure = new TaskFailure(FailureKind.NoCapacity, explanation);
            w.AfterCommit(static s => TaskTracing.Failed(s.task, s.failure, s.now), (task, failure, now));
            return task;
        }, cancellationToken);
    }

    /// <summary>Records how far a running task has got (0–100). Not a state change: no event, and a task
    /// that is no longer Processing is left alone.</summary>
    public async Task ReportProgressAsync(long taskId, int percent, CancellationToken cancellationToken = default)
    {
        var progress = Math.Clamp(percent, 0, 100);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Tasks
            .Where(t => t.Id == taskId && t.Status == TaskState.Processing)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.Progress, progress), cancellationToken);
    }

    /// <summary>Moves retries whose backoff has elapsed back to the queue tail.</summary>
    public Task<int> RequeueDueRetriesAsync(CancellationToken cancellationToken = default) =>
        WriteAsync((w, now) => RequeueDueAsync(w, now, cancellationToken), cancellationToken);

    /// <summary>Run once at start-up, before scheduling: whatever a previous process left running
    /// was lost with it, and counts as a failed attempt of kind <see cref="FailureKind.Lost"/>.</summary>
    /// <param name="killed">What the caller killed of each task's processes first, noted on its timeline.</param>
    public Task<int> RecoverAbandonedAsync(IReadOnlyDictionary<long, string>? killed = null, CancellationToken cancellationToken = default) =>
        WriteAsync(async (w, now) =>
        {
            var running = await w.Db.Tasks.Where(t => t.Status == TaskState.Processing).ToListAsync(cancellationToken);
            foreach (var task in running)
            {
                var note = killed is not null && killed.TryGetValue(task.Id, out var processes) ? $"; {processes}" : "";
                Fail(w, task, new TaskFailure(FailureKind.Lost,
                    $"The process stopped while the task ran on worker {task.WorkerId ?? "?"}{note}."), now, Actor.System);
            }

            if (running.Count > 0)
            {
                logger.LogWarning("Recovered {Count} task(s) left Processing by a previous process as Lost", running.Count);
            }

            return running.Count;
        }, cancellationToken);

    /// <summary>The host is stopping gracefully and the attempt did not finish within the grace: the task goes
    /// back to the queue, keeping its place, and the attempt is not counted (a stop is not the task's failure).</summary>
    /// <param name="why">How the attempt ended, for the timeline.</param>
    public Task<TaskItem> InterruptAsync(long taskId, string why, CancellationToken cancellationToken = default) =>
        WriteAsync(async (w, now) =>
        {
            var task = await FindAsync(w.Db, taskId, cancellationToken);
            var ranFor = ElapsedMs(task.StartedAt, now) is { } ms ? $" after {ms / 1000.0:0.#} s" : "";
            w.Move(task, TaskTrigger.Interrupt, now, Actor.System,
                $"Interrupted by shutdown{ranFor} on worker {task.WorkerId ?? "?"} ({why}); attempt {task.Attempt} of {task.MaxAttempts} not counted, back in the queue");
            // The claim counted this attempt; undoing that leaves the retry budget as it was before the claim.
            task.Attempt = Math.Max(0, task.Attempt - 1);
            task.StartedAt = null;
            task.WorkerId = null;
            task.GpuUuid = null;
            task.Progress = 0;
            return task;
        }, cancellationToken);

    /// <summary>An operator retries a dead or cancelled task; its attempt budget is renewed.</summary>
    public Task<TaskItem> RetryAsync(long taskId, Actor actor, CancellationToken cancellationToken = default) =>
        OperatorWriteAsync(async (w, now) =>
        {
            var task = await FindAsync(w.Db, taskId, cancellationToken);
            var before = TaskSnapshot.Of(task);
            ManualRetry(w, task, now, actor);
            AuditLog.Record(w.Db, now, actor, "task.retry", Target(task.Id), before, TaskSnapshot.Of(task));
            return task;
        }, cancellationToken);

    /// <summary>Cancels a waiting or running task. Running work is stopped by whoever runs it,
    /// on the <see cref="Changed"/> notification.</summary>
    public Task<TaskItem> CancelAsync(long taskId, Actor actor, string? reason = null, CancellationToken cancellationToken = default) =>
        OperatorWriteAsync(async (w, now) =>
        {
            var task = await FindAsync(w.Db, taskId, cancellationToken);
            var before = TaskSnapshot.Of(task);
            Cancel(w, task, now, actor, reason);
            AuditLog.Record(w.Db, now, actor, "task.cancel", Target(task.Id), before, TaskSnapshot.Of(task));
            return task;
        }, cancellationToken);

    /// <summary>Deletes a finished task and its events; the audit entry keeps a snapshot.</summary>
    public Task DeleteAsync(long taskId, Actor actor, CancellationToken cancellationToken = default) =>
        OperatorWriteAsync(async (w, now) =>
        {
            var task = await FindAsync(w.Db, taskId, cancellationToken);
            var snapshot = TaskSnapshot.Of(task);
            await DeleteAsync(w, task, now, cancellationToken);
            AuditLog.Record(w.Db, now, actor, "task.delete", Target(taskId), before: snapshot);
            return 0;
        }, cancellationToken);

    /// <summary>Retries every task the filter matches that is Failed or Cancelled — the whole result,
    /// not one page — in one transaction: all of them or none.</summary>
    public Task<BulkResult> BulkRetryAsync(TaskFilter filter, Actor actor, CancellationToken cancellationToken = default) =>
        BulkAsync(filter, actor, "task.bulk-retry", BulkAction.Retry.Sources(),
            (w, task, now) => { ManualRetry(w, task, now, actor); return Task.CompletedTask; }, cancellationToken);

    /// <summary>Cancels every Pending, Retrying or Processing task the filter matches, in one transaction.</summary>
    public Task<BulkResult> BulkCancelAsync(TaskFilter filter, Actor actor, CancellationToken cancellationToken = default) =>
        BulkAsync(filter, actor, "task.bulk-cancel", BulkAction.Cancel.Sources(),
            (w, task, now) => { Cancel(w, task, now, actor, reason: null); return Task.CompletedTask; }, cancellationToken);

    /// <summary>Deletes every Completed, Failed or Cancelled task the filter matches, in one transaction.</summary>
    public Task<BulkResult> BulkDeleteAsync(TaskFilter filter, Actor actor, CancellationToken cancellationToken = default) =>
        BulkAsync(filter, actor, "task.bulk-delete", BulkAction.Delete.Sources(),
            (w, task, now) => DeleteAsync(w, task, now, cancellationToken), cancellationToken);

    private Task<BulkResult> BulkAsync(
        TaskFilter filter, Actor actor, string action, IReadOnlyList<TaskState> sources,
        Func<Write, TaskItem, DateTimeOffset, Task> apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(actor);
        var states = sources.ToArray();
        return OperatorWriteAsync(async (w, now) =>
        {
            var matching = filter.Apply(w.Db.Tasks).Where(t => states.Contains(t.Status));
            var sample = new List<long>();
            var affected = 0;
            var lastId = 0L;
            while (true)
            {
                // Keyset pages over ids: changed tasks leave the source states, so the loop ends.
                var page = await matching.Where(t => t.Id > lastId).OrderBy(t => t.Id).Take(BulkPageSize).ToListAsync(cancellationToken);
                if (page.Count == 0)
                {
                    break;
                }

                foreach (var task in page)
                {
                    await apply(w, task, now);
                    if (sample.Count < SampleIdCount)
                    {
                        sample.Add(task.Id);
                    }
                }

                await w.Db.SaveChangesAsync(cancellationToken);
                w.Db.ChangeTracker.Clear();
                affected += page.Count;
                lastId = page[^1].Id;
            }

            AuditLog.Record(w.Db, now, actor, action, filter.Describe(), after: new { affected, sampleIds = sample });
            return new BulkResult(action, affected, sample);
        }, cancellationToken);
    }

    /// <summary>Deletes tasks in <paramref name="states"/> that finished before <paramref name="cutoff"/>,
    /// a thousand per transaction so writers are never blocked for long. Returns how many were removed.</summary>
    public async Task<int> PurgeFinishedAsync(IReadOnlyList<TaskState> states, DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(states);
        var finished = states.ToArray();
        var total = 0;
        while (true)
        {
            var removed = await WriteAsync(async (w, now) =>
            {
                var batch = await w.Db.Tasks
                    .Where(t => finished.Contains(t.Status) && t.FinishedAt < cutoff)
                    .OrderBy(t => t.FinishedAt)
                    .Take(1000)
                    .Select(t => new { t.Id, t.Type, t.Priority, t.Status })
                    .ToListAsync(cancellationToken);
                if (batch.Count == 0)
                {
                    return 0;
                }

                var ids = batch.Select(t => t.Id).ToArray();
                await w.Db.TaskEvents.Where(e => ids.Contains(e.TaskId)).ExecuteDeleteAsync(cancellationToken);
                await w.Db.Tasks.Where(t => ids.Contains(t.Id)).ExecuteDeleteAsync(cancellationToken);
                foreach (var group in batch.GroupBy(t => (t.Type, t.Priority, t.Status)))
                {
                    w.Ledger.Removed(group.Key.Type, group.Key.Priority, group.Key.Status, group.Count());
                }

                return batch.Count;
            }, cancellationToken);
            total += removed;
            if (removed == 0)
            {
                return total;
            }
        }
    }

    private static IOrderedQueryable<TaskItem> QueueOrder(IQueryable<TaskItem> tasks) =>
        tasks.OrderBy(t => t.Priority).ThenBy(t => t.EnqueuedAt).ThenBy(t => t.Id);

    private static void Claim(Write w, TaskItem task, DateTimeOffset now, string workerId, string? gpuUuid)
    {
        task.WorkerId = workerId;
        task.GpuUuid = gpuUuid;
        w.Move(task, TaskTrigger.Claim, now, Actor.Scheduler, gpuUuid is null ? $"Claimed by {workerId}" : $"Placed on GPU {gpuUuid}, worker {workerId}");
        task.Attempt++;
        task.StartedAt = now;
        task.FinishedAt = null;
        task.NextAttemptAt = null;
        task.Progress = 0;
        task.QueueWaitMs = ElapsedMs(task.EnqueuedAt, now);
        w.AfterCommit(static s => TaskTracing.Waited(s.task, s.now), (task, now));
    }

    private void Fail(Write w, TaskItem task, TaskFailure failure, DateTimeOffset now, Actor actor)
    {
        var retry = failure.Kind.IsRetryable() && task.Attempt < task.MaxAttempts;
        var message = Truncate(failure.Message, TaskItem.MaxErrorLength);
        string eventMessage;
        if (retry)
        {
            var delay = RetryPolicy.Delay(task.Attempt, options.CurrentValue);
            task.NextAttemptAt = now + delay;
            task.FinishedAt = null;
            eventMessage = $"{failure.Kind} on attempt {task.Attempt} of {task.MaxAttempts}; retry in {delay.TotalSeconds:0.#} s: {message}";
        }
        else
        {
            task.NextAttemptAt = null;
            task.FinishedAt = now;
            eventMessage = failure.Kind.IsRetryable()
                ? $"{failure.Kind} on attempt {task.Attempt} of {task.MaxAttempts}; no attempts left: {message}"
                : $"{failure.Kind} (not retryable): {message}";
        }

        w.Move(task, retry ? TaskTrigger.FailWithRetry : TaskTrigger.FailFinal, now, actor, eventMessage);
        task.FailureKind = failure.Kind;
        task.Error = message;
        task.ErrorDetail = failure.Detail is null ? null : TruncateStart(failure.Detail, TaskItem.MaxErrorDetailLength);
        task.OutputTail = failure.OutputTail is null ? null : TruncateStart(failure.OutputTail, TaskItem.MaxOutputTailLength);
        task.ErrorFingerprint = ErrorFingerprint.Compute(task.Type, failure.Kind, failure.Message);
        task.DurationMs = ElapsedMs(task.StartedAt, now);
        w.AfterCommit(static s => TaskTracing.Failed(s.task, s.failure, s.now), (task, failure, now));
    }

    private static void ManualRetry(Write w, TaskItem task, DateTimeOffset now, Actor actor)
    {
        w.Move(task, TaskTrigger.ManualRetry, now, actor, $"Retried by {actor.Name}; attempt budget renewed");
        task.Attempt = 0;
        task.EnqueuedAt = now;
        task.StartedAt = null;
        task.FinishedAt = null;
        task.NextAttemptAt = null;
        task.WorkerId = null;
        task.GpuUuid = null;
        task.Progress = 0;
        task.FailureKind = null;
        task.Error = null;
        task.ErrorDetail = null;
        task.OutputTail = null;
        task.ErrorFingerprint = null;
        task.DurationMs = null;
        task.QueueWaitMs = null;
        task.Result = null;
        w.AfterCommit(static s => TaskTracing.RetriedByOperator(s.task, s.actor, s.now), (task, actor, now));
    }

    private static void Cancel(Write w, TaskItem task, DateTimeOffset now, Actor actor, string? reason)
    {
        var wasRunning = task.Status == TaskState.Processing;
        var message = $"Cancelled by {actor.Name}" + (string.IsNullOrWhiteSpace(reason) ? "" : $": {reason}");
        w.Move(task, TaskTrigger.Cancel, now, actor, wasRunning ? message + "; running work stopped" : message);
        task.FinishedAt = now;
        task.NextAttemptAt = null;
        task.FailureKind = FailureKind.Cancelled;
        task.Error = Truncate(message, TaskItem.MaxErrorLength);
        task.ErrorFingerprint = ErrorFingerprint.Compute(task.Type, FailureKind.Cancelled, "cancelled");
        if (wasRunning)
        {
            task.DurationMs = ElapsedMs(task.StartedAt, now);
        }

        w.AfterCommit(static s => TaskTracing.Cancelled(s.task, s.actor, s.reason, s.wasRunning, s.now), (task, actor, reason, wasRunning, now));
    }

    private static async Task DeleteAsync(Write w, TaskItem task, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!TaskTransitions.Deletable.Contains(task.Status))
        {
            throw new IllegalTransitionException(task.Id, task.Status,
                task.Status == TaskState.Processing ? "deleted while it runs; cancel it first" : "deleted until it is finished; cancel it first");
        }

        await w.Db.TaskEvents.Where(e => e.TaskId == task.Id).ExecuteDeleteAsync(cancellationToken);
        w.Db.Tasks.Remove(task);
        w.Ledger.Removed(task.Type, task.Priority, task.Status);
        w.Publish(task, task.Status, null, now);
    }

    private static async Task<int> RequeueDueAsync(Write w, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var due = await w.Db.Tasks
            .Where(t => t.Status == TaskState.Retrying && t.NextAttemptAt <= now)
            .OrderBy(t => t.NextAttemptAt)
            .Take(1000)
            .ToListAsync(cancellationToken);
        foreach (var task in due)
        {
            w.Move(task, TaskTrigger.Requeue, now, Actor.Scheduler, $"Backoff elapsed; attempt {task.Attempt + 1} of {task.MaxAttempts} queued");
            task.EnqueuedAt = now;
            task.NextAttemptAt = null;
        }

        if (due.Count > 0)
        {
            await w.Db.SaveChangesAsync(cancellationToken);
        }

        return due.Count;
    }

    private static async Task<TaskItem> FindAsync(MonitoringDbContext db, long taskId, CancellationToken cancellationToken) =>
        await db.Tasks.FirstOrDefaultAsync(t => t.Id == taskId, cancellationToken) ?? throw new TaskNotFoundException(taskId);

    private Task<T> OperatorWriteAsync<T>(Func<Write, DateTimeOffset, Task<T>> work, CancellationToken cancellationToken)
    {
        role.EnsureWritable();
        return WriteAsync(work, cancellationToken);
    }

    private async Task<T> WriteAsync<T>(Func<Write, DateTimeOffset, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var write = new Write(db);
        var result = await work(write, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        await write.Ledger.ApplyAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        write.PublishAll(Changed, logger);
        write.Trace();
        return result;
    }

    private static string Target(long taskId) => $"task:{taskId}";

    private static long? ElapsedMs(DateTimeOffset? since, DateTimeOffset now) =>
        since is { } s ? Math.Max(0, (long)(now - s).TotalMilliseconds) : null;

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    // Output tails matter more than heads: keep the end.
    private static string TruncateStart(string text, int max) => text.Length <= max ? text : "…" + text[^(max - 1)..];

    /// <summary>The state of one write: its context, counter deltas and changes to publish on commit.</summary>
    private sealed class Write(MonitoringDbContext db)
    {
        private readonly List<TaskChange> _changes = [];
        private List<Action>? _traces;

        public MonitoringDbContext Db { get; } = db;
        public TaskCounterLedger Ledger { get; } = new();

        public void Move(TaskItem task, TaskTrigger trigger, DateTimeOffset now, Actor actor, string message)
        {
            var from = task.Status;
            var to = TaskTransitions.Next(task.Id, from, trigger);
            task.Status = to;
            task.Version++;
            Ledger.Moved(task, from, to);
            Db.TaskEvents.Add(new TaskEvent
            {
                TaskId = task.Id,
                At = now,
                From = from,
                To = to,
                Actor = actor.Name,
                Message = Truncate(message, TaskItem.MaxErrorLength),
                WorkerId = task.WorkerId,
                GpuUuid = task.GpuUuid,
            });
            Publish(task, from, to, now);
        }

        /// <summary>Spans are emitted once the change is committed. Without a trace listener nothing is queued or
        /// allocated: callers pass a static lambda and a value tuple, and the closure is made only when tracing.</summary>
        public void AfterCommit<TState>(Action<TState> trace, TState state)
        {
            if (TaskTracing.Enabled)
            {
                Queue(trace, state);
            }
        }

        private void Queue<TState>(Action<TState> trace, TState state) => (_traces ??= []).Add(() => trace(state));

        public void Trace()
        {
            foreach (var trace in _traces ?? [])
            {
                trace();
            }
        }

        public void Publish(TaskItem task, TaskState? from, TaskState? to, DateTimeOffset now) =>
            _changes.Add(new TaskChange(task.Id, task.Type, task.Priority, from, to, now));

        public void PublishAll(Action<TaskChange>? handler, ILogger logger)
        {
            if (handler is null)
            {
                return;
            }

            foreach (var change in _changes)
            {
                try
                {
                    handler(change);
                }
#pragma warning disable CA1031 // A failing subscriber must not turn a committed change into an error for the caller.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    logger.LogError(ex, "A task change subscriber failed for task {TaskId}", change.TaskId);
                }
            }
        }
    }
}
