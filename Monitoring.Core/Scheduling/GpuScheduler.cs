using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.Core.Handlers;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;
using Monitoring.Core.Workers;

namespace Monitoring.Core.Scheduling;

/// <summary>Places queued tasks on GPUs and idle workers (SPEC §4). A round runs at once when a task
/// is enqueued or a worker frees up; <see cref="TickAsync"/> (the Quartz safety tick) renews the lease,
/// enforces timeouts and requeues due retries. Only the lease holder schedules.</summary>
public sealed class GpuScheduler : BackgroundService
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _round = new(1, 1);
    private readonly IDbContextFactory<MonitoringDbContext> _dbFactory;
    private readonly TaskQueue _queue;
    private readonly WorkerPool _pool;
    private readonly IGpuInventory _gpus;
    private readonly SchedulerLeaseKeeper _lease;
    private readonly InstanceRole _role;
    private readonly TaskProcessOwner _owner;
    private readonly IOptionsMonitor<SchedulerOptions> _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<GpuScheduler> _logger;
    private volatile Dictionary<long, Deferral> _lastDeferrals = [];
    // The largest GPU this process has seen, so a GPU that drops out of the reading for a while (lost, resetting)
    // does not turn tasks only it could run into NoCapacity failures. One number: bounded.
    private long _largestGpuTotalBytes;
    // Set when the lease is newly taken, until the previous owner's running tasks are recovered; no round runs meanwhile.
    private volatile bool _recoveryDue;

    private volatile bool _stopping;
    private readonly object _stopLock = new();
    private Task? _stopped;

    public GpuScheduler(
        IDbContextFactory<MonitoringDbContext> dbFactory, TaskQueue queue, WorkerPool pool, IGpuInventory gpus,
        SchedulerLeaseKeeper lease, InstanceRole role, TaskProcessOwner owner, IOptionsMonitor<SchedulerOptions> options, TimeProvider clock, ILogger<GpuScheduler> logger)
    {
        _dbFactory = dbFactory;
        _queue = queue;
        _pool = pool;
        _gpus = gpus;
        _lease = lease;
        _role = role;
        _owner = owner;
        _options = options;
        _clock = clock;
        _logger = logger;
        _queue.Changed += OnTaskChanged;
        _pool.WorkerFreed += Wake;
    }

    public DateTimeOffset? LastRoundAt { get; private set; }

    public bool IsReadOnly => !_lease.IsHeld;

    /// <summary>How many tasks the last round left waiting, by reason (for bottleneck hints).</summary>
    public IReadOnlyDictionary<WaitReason, int> LastRoundWaitReasons =>
        _lastDeferrals.Values.GroupBy(d => d.Reason).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Why this process does not schedule, when it does not.</summary>
    public string? ReadOnlyReason => _lease.IsHeld ? null
        : !_options.CurrentValue.Enabled ? "scheduling is off in this process (Scheduler:Enabled=false)"
        : _lease.HeldBy is { } owner ? $"{owner} holds the scheduler lease for this database"
        : "the scheduler lease has not been acquired yet";

    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>The safety tick: lease heartbeat (recovering lost work when the lease is newly taken),
    /// timeouts, due retries, then a round.</summary>
    public async Task TickAsync(CancellationToken cancellationToken = default)
    {
        // Stopping first: a tick after the lease was released would take it again and recover running work as Lost.
        if (_stopping || !await RefreshLeaseAsync(cancellationToken))
        {
            return;
        }

        var now = _clock.GetUtcNow();
        foreach (var running in _pool.Running)
        {
            if (now - running.StartedAt > TimeSpan.FromSeconds(running.TimeoutSeconds) && _pool.Stop(running.TaskId, StopReason.Timeout))
            {
                _logger.LogWarning("Task {TaskId} ({Type}) passed its {Timeout} s timeout on {Worker}; stopping it",
                    running.TaskId, running.Type, running.TimeoutSeconds, running.WorkerId);
            }
        }

        await _queue.RequeueDueRetriesAsync(cancellationToken);
        await RunRoundAsync(cancellationToken);
    }

    /// <summary>One placement round. Returns how many tasks were started.</summary>
    public async Task<int> RunRoundAsync(CancellationToken cancellationToken = default)
    {
        if (!_lease.IsHeld || _recoveryDue)
        {
            return 0;
        }

        await _round.WaitAsync(cancellationToken);
        try
        {
            if (_stopping || _recoveryDue)
            {
                return 0;
            }

            var options = _options.CurrentValue;
            var now = _clock.GetUtcNow();
            LastRoundAt = now;
            List<PlacementCandidate> queued;
            await using (var db = await _dbFactory.CreateDbContextAsync(cancellationToken))
            {
                queued = await db.Tasks.AsNoTracking()
                    .Where(t => t.Status == TaskState.Pending)
                    .OrderBy(t => t.Priority).ThenBy(t => t.EnqueuedAt).ThenBy(t => t.Id)
                    .Take(options.Lookahead)
                    .Select(t => new PlacementCandidate(t.Id, t.RequiredGpuMemoryBytes, t.EnqueuedAt))
                    .ToListAsync(cancellationToken);
            }

            var reserved = _pool.Running.Where(r => r.GpuUuid is not null)
                .GroupBy(r => r.GpuUuid!)
                .ToDictionary(g => g.Key, g => g.Sum(r => r.ReservedBytes));
            var gpus = _gpus.Current;
            _largestGpuTotalBytes = gpus.Select(g => g.TotalBytes).Append(_largestGpuTotalBytes).Max();
            var plan = GpuPlacement.Plan(queued, gpus, reserved, _pool.IdleCount, options, now, _gpus.UnavailableReason, _largestGpuTotalBytes);
            _lastDeferrals = plan.Deferrals.ToDictionary(d => d.TaskId);

            var started = 0;
            foreach (var placement in plan.Placements)
            {
                if (await StartAsync(placement, cancellationToken))
                {
                    started++;
                }
            }

            foreach (var never in plan.Deferrals.Where(d => d.Reason == WaitReason.NoCapacity))
            {
                await FailNoCapacityAsync(never, cancellationToken);
            }

            return started;
        }
        finally
        {
            _round.Release();
        }
    }

    /// <summary>Why a task is not running yet, in words an operator can act on; null when it is not waiting.</summary>
    public async Task<string?> WhyWaitingAsync(TaskItem task, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        switch (task.Status)
        {
            case TaskState.Retrying:
                return $"retrying: attempt {task.Attempt} of {task.MaxAttempts} failed; the next is queued at {task.NextAttemptAt:yyyy-MM-dd HH:mm:ss}Z";
            case not TaskState.Pending:
                return null;
        }

        if (!_lease.IsHeld)
        {
            return $"this console is read-only: {ReadOnlyReason}";
        }

        if (_lastDeferrals.TryGetValue(task.Id, out var deferral))
        {
            return deferral.Explanation;
        }

        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        var ahead = await db.Tasks.CountAsync(
            t => t.Status == TaskState.Pending &&
                 (t.Priority < task.Priority || (t.Priority == task.Priority && (t.EnqueuedAt < task.EnqueuedAt || (t.EnqueuedAt == task.EnqueuedAt && t.Id < task.Id)))),
            cancellationToken);
        return ahead >= _options.CurrentValue.Lookahead
            ? $"{ahead} tasks ahead; the scheduler looks at the first {_options.CurrentValue.Lookahead} each round"
            : $"queued; {ahead} tasks ahead; the next scheduler round places it";
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await TickAsync(stoppingToken);
            await foreach (var _ in _wake.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await RunRoundAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _logger.LogError(ex, "A scheduler round failed; the next wake or tick retries");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>Reads the lease before the host serves anything, so the API, the console and the probe jobs never act
    /// as the owner in the moments before the first tick of a process that is in fact read-only.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RefreshLeaseAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "Could not read the scheduler lease at start-up; the first tick tries again");
        }

        await base.StartAsync(cancellationToken);
    }

    /// <summary>A graceful stop (SPEC §3): claim nothing more, let running work finish within
    /// <c>Workers:ShutdownGraceSeconds</c>, then stop what still runs and put it back in the queue uncounted.</summary>
    /// <param name="cancellationToken">Fires when the host's own shutdown limit runs out: the grace ends early then.</param>
    /// <remarks>Stops once: a host can be stopped twice (WebApplicationFactory stops it while the app's own
    /// <c>Run</c> stops and disposes it on the same signal), and a later call must not touch what was disposed.</remarks>
    public override Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stopLock)
        {
            return _stopped ??= StopOnceAsync(cancellationToken);
        }
    }

    private async Task StopOnceAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _pool.BeginShutdown();
        await base.StopAsync(cancellationToken);
        // A round already placing tasks finishes its claims (those tasks are drained like the rest); later rounds place nothing.
        await _round.WaitAsync(CancellationToken.None);
        _round.Release();
        await DrainAsync(cancellationToken);
        await _pool.DisposeAsync();
        await _lease.ReleaseAsync();
    }

    public override void Dispose()
    {
        _queue.Changed -= OnTaskChanged;
        _pool.WorkerFreed -= Wake;
        _round.Dispose();
        base.Dispose();
    }

    /// <summary>Renews the lease (or, with scheduling off, watches who holds it), tells the <see cref="InstanceRole"/>
    /// who owns the database, and recovers what a previous owner left running once this process takes the lease.
    /// Returns whether this process schedules.</summary>
    private async Task<bool> RefreshLeaseAsync(CancellationToken cancellationToken)
    {
        if (!_options.CurrentValue.Enabled)
        {
            _role.Update(await _lease.ObserveAsync(cancellationToken));
            return false;
        }

        if (await _lease.RenewAsync(cancellationToken))
        {
            _recoveryDue = true;
        }

        _role.Update(_lease.IsHeld ? null : _lease.HeldBy);
        if (_recoveryDue && _lease.IsHeld)
        {
            // Before any round (rounds wait while it is due, and this holds the round lock): a round beside the
            // recovery could claim a task that the recovery then takes for the dead owner's. Cleared only once it
            // succeeded, so a failure (the database busy) is retried by the next tick.
            await _round.WaitAsync(cancellationToken);
            try
            {
                await RecoverAbandonedAsync(cancellationToken);
                _recoveryDue = false;
            }
            finally
            {
                _round.Release();
            }
        }

        return _lease.IsHeld && !_recoveryDue;
    }

    /// <summary>Kills the task processes other host instances left running for this database, then recovers their
    /// tasks as Lost, noting on each what was killed. Runs only when this process has just taken the lease: the
    /// previous holder is dead (or has lost the lease), so nothing it runs may go on next to the retries.</summary>
    private async Task RecoverAbandonedAsync(CancellationToken cancellationToken)
    {
        var killed = LeftoverProcesses.KillOrphans(_owner);
        foreach (var process in killed)
        {
            _logger.LogWarning("Killed process {ProcessId} of task {TaskId}, left running by {Host}: {CommandLine}",
                process.ProcessId, process.TaskId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?", process.Host, process.CommandLine);
        }

        var notes = killed.Where(p => p.TaskId is not null).GroupBy(p => p.TaskId!.Value).ToDictionary(
            g => g.Key,
            g => $"killed {g.Count()} process(es) it left running: {string.Join("; ", g.Take(3).Select(p => Shorten(p.CommandLine)))}{(g.Count() > 3 ? "; …" : "")}");
        await _queue.RecoverAbandonedAsync(notes, cancellationToken);

        static string Shorten(string commandLine) => commandLine.Length <= 120 ? commandLine : commandLine[..119] + "…";
    }

    /// <summary>Waits for running work to finish, up to the grace, heartbeating the lease meanwhile: the grace may
    /// be longer than the lease, and no other process may recover these tasks while they still run here.</summary>
    private async Task DrainAsync(CancellationToken hostGivesUp)
    {
        var deadline = _clock.GetUtcNow() + _pool.ShutdownGrace;
        var options = _options.CurrentValue;
        var heartbeat = TimeSpan.FromSeconds(Math.Min(options.IntervalSeconds, Math.Max(1, options.LeaseSeconds / 3)));
        if (_pool.Running.Count > 0)
        {
            _logger.LogInformation("Stopping: no new tasks; waiting up to {Grace} s for {Count} running task(s)",
                _pool.ShutdownGrace.TotalSeconds, _pool.Running.Count);
        }

        while (_pool.Running.Count > 0 && !hostGivesUp.IsCancellationRequested)
        {
            var left = deadline - _clock.GetUtcNow();
            if (left <= TimeSpan.Zero || await _pool.WaitForRunningAsync(left < heartbeat ? left : heartbeat, hostGivesUp))
            {
                break;
            }

            try
            {
                await _lease.RenewAsync(hostGivesUp);
            }
            catch (OperationCanceledException)
            {
                break;
            }
#pragma warning disable CA1031 // A failed heartbeat must not end the drain; at worst the lease expires and the tasks are recovered as Lost.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _logger.LogWarning(ex, "Could not renew the scheduler lease while stopping");
            }
        }
    }

    private async Task<bool> StartAsync(Placement placement, CancellationToken cancellationToken)
    {
        var workerId = _pool.IdleWorkerId();
        if (workerId is null)
        {
            return false;
        }

        TaskItem claimed;
        try
        {
            claimed = await _queue.ClaimAsync(placement.TaskId, workerId, placement.GpuUuid, cancellationToken);
        }
        catch (Exception ex) when (ex is IllegalTransitionException or TaskNotFoundException)
        {
            // Cancelled or deleted since the round read the queue.
            return false;
        }

        if (!_pool.TryStart(claimed, placement.GpuUuid, placement.ReservedBytes))
        {
            await _queue.FailAsync(claimed.Id, new TaskFailure(FailureKind.Lost, "No worker was free to start the claimed task."), cancellationToken);
            return false;
        }

        return true;
    }

    private async Task FailNoCapacityAsync(Deferral deferral, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.RefuseNoCapacityAsync(deferral.TaskId, deferral.Explanation, cancellationToken);
        }
        catch (Exception ex) when (ex is IllegalTransitionException or TaskNotFoundException)
        {
            _logger.LogDebug("Task {TaskId} changed before it could be failed for capacity", deferral.TaskId);
        }
    }

    private void OnTaskChanged(TaskChange change)
    {
        if (change.To == TaskState.Pending)
        {
            Wake();
        }
        else if (change is { From: TaskState.Processing, To: TaskState.Cancelled })
        {
            _pool.Stop(change.TaskId, StopReason.Cancelled);
        }
    }
}
