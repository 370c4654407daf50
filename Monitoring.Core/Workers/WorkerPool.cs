using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.Core.Handlers;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;

namespace Monitoring.Core.Workers;

public enum WorkerState
{
    Idle,
    Busy,
    /// <summary>Finishing its task, then it stops (the pool was resized down).</summary>
    Draining,
}

/// <summary>Why running work was stopped.</summary>
public enum StopReason
{
    Cancelled,
    Timeout,
    Shutdown,
}

public sealed record WorkerSnapshot(
    string Id, WorkerState State, long? TaskId, string? TaskType, string? GpuUuid, DateTimeOffset? StartedAt,
    long Completed, long Failed, double BusyRatio5Minutes);

/// <param name="Size">The pool size: the most tasks that run at once (draining workers excluded).</param>
public sealed record PoolSnapshot(int Size, int Busy, int Idle, int Draining, IReadOnlyList<WorkerSnapshot> Workers);

/// <summary>A task a worker runs now.</summary>
public sealed record RunningTask(long TaskId, string Type, string WorkerId, string? GpuUuid, long ReservedBytes, DateTimeOffset StartedAt, int TimeoutSeconds);

/// <summary>The resizable pool of workers that run tasks (SPEC §4). Growing is immediate; shrinking
/// stops idle workers at once and lets busy ones finish their task first.</summary>
public sealed class WorkerPool : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly List<Worker> _workers = [];
    private readonly TaskTypeRegistry _types;
    private readonly TaskQueue _queue;
    private readonly IGpuInventory _gpus;
    private readonly TimeProvider _clock;
    private readonly ILogger<WorkerPool> _logger;
    private readonly string _outputRoot;
    private volatile bool _shuttingDown;
    private int _size;
    private int _nextWorkerNumber = 1;

    public WorkerPool(
        TaskQueue queue, TaskTypeRegistry types, IGpuInventory gpus, IOptions<StorageOptions> storage,
        IOptions<WorkerOptions> options, TimeProvider clock, ILogger<WorkerPool> logger)
    {
        _queue = queue;
        _types = types;
        _gpus = gpus;
        _clock = clock;
        _logger = logger;
        _outputRoot = Path.Combine(Path.GetFullPath(storage.Value.DataDirectory), "tasks");
        ShutdownGrace = TimeSpan.FromSeconds(options.Value.ShutdownGraceSeconds);
        Resize(options.Value.Count);
    }

    /// <summary>How long running tasks may take to finish when the host stops (<c>Workers:ShutdownGraceSeconds</c>).</summary>
    public TimeSpan ShutdownGrace { get; }

    /// <summary>Raised when a worker becomes free, so the scheduler can place more work at once.</summary>
    public event Action? WorkerFreed;

    /// <summary>Raised after every resize, shrinking too (which frees no worker), so what shows the pool's size
    /// (the console) shows the new one.</summary>
    public event Action? Resized;

    public int Size
    {
        get
        {
            lock (_lock)
            {
                return _size;
            }
        }
    }

    public int IdleCount
    {
        get
        {
            lock (_lock)
            {
                return _workers.Count(w => w.State == WorkerState.Idle);
            }
        }
    }

    public IReadOnlyList<RunningTask> Running
    {
        get
        {
            lock (_lock)
            {
                return _workers.Where(w => w.Current is not null).Select(w => w.Current!).ToList();
            }
        }
    }

    public PoolSnapshot Snapshot()
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            var workers = _workers.Select(w => new WorkerSnapshot(
                w.Id, w.State, w.Current?.TaskId, w.Current?.Type, w.Current?.GpuUuid, w.Current?.StartedAt,
                w.Completed, w.Failed, w.Busy.Ratio(now))).ToList();
            return new PoolSnapshot(
                _size,
                workers.Count(w => w.State is WorkerState.Busy or WorkerState.Draining),
                workers.Count(w => w.State == WorkerState.Idle),
                workers.Count(w => w.State == WorkerState.Draining),
                workers);
        }
    }

    /// <summary>Sets the pool size: new workers start idle at once; surplus idle workers stop at once;
    /// surplus busy workers drain (finish their task, then stop).</summary>
    public void Resize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, WorkerOptions.MaxCount);
        bool grew;
        lock (_lock)
        {
            var active = _workers.Where(w => w.State != WorkerState.Draining).ToList();
            grew = size > active.Count;
            // Undo draining first: a worker still finishing its task can simply stay.
            foreach (var worker in _workers.Where(w => w.State == WorkerState.Draining).Take(Math.Max(0, size - active.Count)))
            {
                worker.State = WorkerState.Busy;
                active.Add(worker);
            }

            while (active.Count < size)
            {
                var worker = new Worker($"w{_nextWorkerNumber++}");
                _workers.Add(worker);
                active.Add(worker);
            }

            var surplus = active.Count - size;
            foreach (var worker in active.Where(w => w.State == WorkerState.Idle).Take(surplus).ToList())
            {
                _workers.Remove(worker);
                surplus--;
            }

            foreach (var worker in active.Where(w => w.State == WorkerState.Busy).Reverse().Take(surplus))
            {
                worker.State = WorkerState.Draining;
            }

            _size = size;
        }

        _logger.LogInformation("Worker pool resized to {Size}", size);
        if (grew)
        {
            WorkerFreed?.Invoke();
        }

        Resized?.Invoke();
    }

    /// <summary>Hands a claimed task to an idle worker and starts it. Returns false when no worker is idle.</summary>
    public bool TryStart(TaskItem task, string? gpuUuid, long reservedBytes)
    {
        ArgumentNullException.ThrowIfNull(task);
        Worker? worker;
        RunningTask running;
        lock (_lock)
        {
            worker = _workers.FirstOrDefault(w => w.Id == task.WorkerId && w.State == WorkerState.Idle)
                ?? _workers.FirstOrDefault(w => w.State == WorkerState.Idle);
            if (worker is null)
            {
                return false;
            }

            running = new RunningTask(task.Id, task.Type, worker.Id, gpuUuid, reservedBytes, task.StartedAt ?? _clock.GetUtcNow(), task.TimeoutSeconds);
            worker.State = WorkerState.Busy;
            worker.Current = running;
            worker.Stopping = new CancellationTokenSource();
            worker.Busy.Start(running.StartedAt);
        }

        if (gpuUuid is not null)
        {
            _gpus.TaskStarted(gpuUuid, task.Id, reservedBytes);
        }

        worker.Execution = Task.Run(() => RunAsync(worker, task, running));
        return true;
    }

    /// <summary>The id of an idle worker the scheduler may claim for, or null.</summary>
    public string? IdleWorkerId()
    {
        lock (_lock)
        {
            return _workers.FirstOrDefault(w => w.State == WorkerState.Idle)?.Id;
        }
    }

    /// <summary>Stops the running work of a task (killing its processes); the reason decides what is recorded.</summary>
    public bool Stop(long taskId, StopReason reason)
    {
        lock (_lock)
        {
            var worker = _workers.FirstOrDefault(w => w.Current?.TaskId == taskId);
            if (worker?.Stopping is null || worker.StopReason is not null)
            {
                return false;
            }

            worker.StopReason = reason;
            worker.Stopping.Cancel();
            return true;
        }
    }

    /// <summary>The host is stopping: from now on an attempt that ends without success, or is stopped, goes back
    /// to the queue uncounted. A failure is not held against the task while the host stops: the service manager may
    /// signal the task's processes too (systemd's default KillMode, Ctrl+C in a terminal).</summary>
    public void BeginShutdown() => _shuttingDown = true;

    /// <summary>Waits until no task runs, at most <paramref name="timeout"/> (on the pool's clock). Returns true
    /// when none runs.</summary>
    public async Task<bool> WaitForRunningAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        List<Task> running;
        lock (_lock)
        {
            running = _workers.Where(w => w.Current is not null).Select(w => w.Execution).OfType<Task>().ToList();
        }

        try
        {
            await Task.WhenAll(running).WaitAsync(timeout, _clock, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Stops whatever still runs (killing its processes) and waits, briefly, for each to be recorded: as
    /// interrupted by shutdown, back in the queue without using up an attempt.</summary>
    public async ValueTask DisposeAsync()
    {
        _shuttingDown = true;
        List<Task> running;
        lock (_lock)
        {
            foreach (var worker in _workers.Where(w => w.Current is not null && w.StopReason is null))
            {
                worker.StopReason = StopReason.Shutdown;
                worker.Stopping?.Cancel();
            }

            running = _workers.Select(w => w.Execution).OfType<Task>().ToList();
        }

        try
        {
            // Killing a process tree and writing one row each takes well under a second; a handler that ignores
            // its token is not waited for beyond this.
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // The next start recovers whatever was still running as Lost.
            _logger.LogWarning("Some running tasks did not stop within 10 s of being stopped at shutdown; the next start recovers them as Lost");
        }
    }

    private async Task RunAsync(Worker worker, TaskItem task, RunningTask running)
    {
        var outcome = Outcome.Failed;
        try
        {
            outcome = await ExecuteAsync(worker, task, running);
        }
#pragma warning disable CA1031 // A worker must survive anything a handler or the database throws; it is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "Worker {Worker} failed to record the outcome of task {TaskId}", worker.Id, task.Id);
        }
        finally
        {
            if (running.GpuUuid is not null)
            {
                _gpus.TaskFinished(task.Id);
            }

            RemoveIfEmpty(Path.Combine(_outputRoot, task.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));

            lock (_lock)
            {
                worker.Busy.Stop(_clock.GetUtcNow());
                if (outcome == Outcome.Succeeded)
                {
                    worker.Completed++;
                }
                else if (outcome == Outcome.Failed)
                {
                    worker.Failed++;
                }

                worker.Current = null;
                worker.Stopping?.Dispose();
                worker.Stopping = null;
                worker.StopReason = null;
                if (worker.State == WorkerState.Draining)
                {
                    _workers.Remove(worker);
                }
                else
                {
                    worker.State = WorkerState.Idle;
                }
            }

            WorkerFreed?.Invoke();
        }
    }

    /// <summary>Runs one attempt and records its outcome through the state machine.</summary>
    private async Task<Outcome> ExecuteAsync(Worker worker, TaskItem task, RunningTask running)
    {
        // The queue records the outcome on this span (Activity.Current) when the attempt ends.
        using var trace = TaskTracing.StartRun(task, worker.Id, running.GpuUuid, running.StartedAt);
        if (!_types.TryGet(task.Type, out _, out var handler))
        {
            await RecordAsync(task.Id, new TaskFailure(FailureKind.Rejected,
                $"No handler runs task type '{task.Type}'; known types: {string.Join(", ", _types.All.Select(t => t.Name))}."));
            return Outcome.Failed;
        }

        var token = worker.Stopping!.Token;
        var outputDirectory = Path.Combine(_outputRoot, task.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(outputDirectory);
        using var parameters = JsonDocument.Parse(task.Parameters);
        var progress = new ThrottledProgress(_queue, task.Id, _clock, _logger);
        try
        {
            var result = await handler.RunAsync(
                new TaskRun(task.Id, task.Type, parameters.RootElement, task.Attempt, worker.Id, running.GpuUuid, running.ReservedBytes, outputDirectory, progress),
                token);
            await _queue.CompleteAsync(task.Id, result.ResultJson, result.PeakGpuMemoryBytes, result.OutputTail, CancellationToken.None);
            return Outcome.Succeeded;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            switch (worker.StopReason)
            {
                case StopReason.Timeout:
                    await RecordAsync(task.Id, new TaskFailure(FailureKind.Timeout,
                        $"Timed out after {task.TimeoutSeconds} s; the running work was stopped."));
                    return Outcome.Failed;
                case StopReason.Shutdown:
                    await InterruptAsync(task.Id, $"still running when the {ShutdownGrace.TotalSeconds:0.#} s shutdown grace ended; its processes were stopped");
                    TaskTracing.RunStopped(trace, "interrupted", _clock.GetUtcNow());
                    return Outcome.Stopped;
                default:
                    // Cancelled: the operator's cancel already recorded the state.
                    TaskTracing.RunStopped(trace, "cancelled", _clock.GetUtcNow());
                    return Outcome.Stopped;
            }
        }
        catch (TaskRejectedException ex)
        {
            await RecordAsync(task.Id, new TaskFailure(FailureKind.Rejected, ex.Message));
            return Outcome.Failed;
        }
#pragma warning disable CA1031 // While the host stops, any failure is recorded as an interruption, with its message.
        catch (Exception ex) when (_shuttingDown && ex is not IllegalTransitionException)
#pragma warning restore CA1031
        {
            await InterruptAsync(task.Id, $"it ended while the host stopped: {ex.Message}");
            TaskTracing.RunStopped(trace, "interrupted", _clock.GetUtcNow());
            return Outcome.Stopped;
        }
        catch (TaskFailedException ex)
        {
            await RecordAsync(task.Id, new TaskFailure(FailureKind.Error, ex.Message, OutputTail: ex.Detail));
            return Outcome.Failed;
        }
#pragma warning disable CA1031 // Any other handler exception is a failed attempt, recorded with its message and stack.
        catch (Exception ex) when (ex is not IllegalTransitionException)
#pragma warning restore CA1031
        {
            await RecordAsync(task.Id, new TaskFailure(FailureKind.Error, $"{ex.GetType().Name}: {ex.Message}", ex.ToString()));
            return Outcome.Failed;
        }
    }

    private async Task InterruptAsync(long taskId, string why)
    {
        try
        {
            await _queue.InterruptAsync(taskId, why, CancellationToken.None);
        }
        catch (IllegalTransitionException ex)
        {
            // Cancelled by an operator while the attempt ended: the cancel stands.
            _logger.LogInformation("Interruption of task {TaskId} not recorded: {Reason}", taskId, ex.Message);
        }
    }

    /// <summary>Most attempts write nothing to their folder; an empty one is not kept (100,000 tasks would leave 100,000 folders).</summary>
    private void RemoveIfEmpty(string directory)
    {
        try
        {
            if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
            }
        }
        catch (IOException ex)
        {
            _logger.LogDebug(ex, "Could not remove the empty output folder {Directory}", directory);
        }
    }

    private async Task RecordAsync(long taskId, TaskFailure failure)
    {
        try
        {
            await _queue.FailAsync(taskId, failure, CancellationToken.None);
        }
        catch (IllegalTransitionException ex)
        {
            // Cancelled by an operator while the attempt ended: the cancel stands.
            _logger.LogInformation("Outcome of task {TaskId} not recorded: {Reason}", taskId, ex.Message);
        }
    }

    private enum Outcome
    {
        Succeeded,
        Failed,
        /// <summary>Cancelled by an operator, or interrupted by shutdown: neither counts against the worker.</summary>
        Stopped,
    }

    private sealed class Worker(string id)
    {
        public string Id { get; } = id;
        public WorkerState State { get; set; } = WorkerState.Idle;
        public RunningTask? Current { get; set; }
        public CancellationTokenSource? Stopping { get; set; }
        public StopReason? StopReason { get; set; }
        public Task? Execution { get; set; }
        public long Completed { get; set; }
        public long Failed { get; set; }
        public BusyTracker Busy { get; } = new();
    }

    /// <summary>Writes progress at most once a second per task: handlers may report far more often.</summary>
    private sealed class ThrottledProgress(TaskQueue queue, long taskId, TimeProvider clock, ILogger logger) : IProgress<int>
    {
        private DateTimeOffset _last = DateTimeOffset.MinValue;
        private int _reported = -1;

        public void Report(int value)
        {
            var now = clock.GetUtcNow();
            if (value == _reported || (now - _last < TimeSpan.FromSeconds(1) && value < 100))
            {
                return;
            }

            _last = now;
            _reported = value;
            _ = WriteAsync(value);
        }

        private async Task WriteAsync(int value)
        {
            try
            {
                await queue.ReportProgressAsync(taskId, value);
            }
#pragma warning disable CA1031 // Progress is advisory; a failed write must not fail the task.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogDebug(ex, "Progress of task {TaskId} not written", taskId);
            }
        }
    }
}
