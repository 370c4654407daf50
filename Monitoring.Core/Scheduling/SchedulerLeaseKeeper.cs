using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.Core.Storage;

namespace Monitoring.Core.Scheduling;

/// <summary>Holds or watches the scheduler lease. Only the holder schedules, recovers lost tasks and
/// enforces timeouts; every other process on the database is read-only and says who holds it.</summary>
public sealed class SchedulerLeaseKeeper(
    IDbContextFactory<MonitoringDbContext> dbFactory,
    TimeProvider clock,
    IOptionsMonitor<SchedulerOptions> options,
    ILogger<SchedulerLeaseKeeper> logger)
{
    public string OwnerId { get; } = $"{Environment.MachineName}/pid {Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    public bool IsHeld { get; private set; }

    /// <summary>The other owner while this process is read-only.</summary>
    public string? HeldBy { get; private set; }

    public DateTimeOffset? LastRenewedAt { get; private set; }

    /// <summary>Takes the lease if it is free or expired, or renews it. Returns true when this call acquired it
    /// (the caller then recovers work the previous owner left running).</summary>
    public async Task<bool> RenewAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var expiry = TimeSpan.FromSeconds(options.CurrentValue.LeaseSeconds);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var lease = await db.SchedulerLeases.FirstOrDefaultAsync(l => l.Name == SchedulerLease.SchedulerName, cancellationToken);
        var acquired = false;
        if (lease is null)
        {
            db.SchedulerLeases.Add(new SchedulerLease { Name = SchedulerLease.SchedulerName, Owner = OwnerId, AcquiredAt = now, HeartbeatAt = now });
            acquired = true;
        }
        else if (lease.Owner == OwnerId)
        {
            lease.HeartbeatAt = now;
        }
        else if ((now - lease.HeartbeatAt > expiry ? $"no heartbeat for over {expiry.TotalSeconds:0} s" : DeadOnThisMachine(lease)) is { } gone)
        {
            logger.LogWarning("Taking over the scheduler lease from {Previous}, last heartbeat {Heartbeat:O}: {Reason}", lease.Owner, lease.HeartbeatAt, gone);
            lease.Owner = OwnerId;
            lease.AcquiredAt = now;
            lease.HeartbeatAt = now;
            acquired = true;
        }
        else
        {
            if (IsHeld || HeldBy != lease.Owner)
            {
                logger.LogWarning(
                    "Read-only: {Owner} holds the scheduler lease for this database (heartbeat {Heartbeat:O}); this process will not schedule",
                    lease.Owner, lease.HeartbeatAt);
            }

            IsHeld = false;
            HeldBy = lease.Owner;
            await transaction.CommitAsync(cancellationToken);
            return false;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (acquired)
        {
            logger.LogInformation("This process ({Owner}) now holds the scheduler lease", OwnerId);
        }

        IsHeld = true;
        HeldBy = null;
        LastRenewedAt = now;
        return acquired;
    }

    /// <summary>Reads who holds the lease without taking it, for a process whose scheduling is off: sets
    /// <see cref="HeldBy"/> to a live holder other than this process, or null when none is alive.</summary>
    public async Task<string?> ObserveAsync(CancellationToken cancellationToken = default)
    {
        var expiry = TimeSpan.FromSeconds(options.CurrentValue.LeaseSeconds);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var lease = await db.SchedulerLeases.AsNoTracking().FirstOrDefaultAsync(l => l.Name == SchedulerLease.SchedulerName, cancellationToken);
        HeldBy = lease is not null && lease.Owner != OwnerId && clock.GetUtcNow() - lease.HeartbeatAt <= expiry ? lease.Owner : null;
        return HeldBy;
    }

    /// <summary>Why the lease's holder is certainly gone although its heartbeat is recent, or null when it may be
    /// alive. Only an owner on this machine can be checked: its id names the machine and pid
    /// (<c>{machine}/pid {pid}/{id}</c>), and a dead pid means a crash (<c>kill -9</c>, OOM kill) that left the
    /// lease behind, so a restarted process schedules at once instead of waiting out <c>Scheduler:LeaseSeconds</c>.</summary>
    /// <remarks>Linux and other systems where <see cref="Process"/> sees every pid; processes in another pid
    /// namespace (containers) are invisible, so instances sharing a database must have distinct host names,
    /// as Docker's and Kubernetes' defaults give them.</remarks>
    internal static string? DeadOnThisMachine(SchedulerLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (!TryParseOwner(lease.Owner, out var machine, out var processId) || !string.Equals(machine, Environment.MachineName, StringComparison.Ordinal))
        {
            return null;
        }

        if (processId == Environment.ProcessId)
        {
            // A previous process with our pid (a container's entry point is pid 1 on every start), unless it
            // heartbeated after we started: then it is alive in another pid namespace under the same host name.
            return lease.HeartbeatAt < StartedAt ? $"its process {processId} ended (this process now has that pid)" : null;
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            // PID reuse: the holder started before it took the lease; a process that started later is another.
            // Both times are this machine's wall clock; the second of slack absorbs their different resolutions.
            return process.StartTime.ToUniversalTime() > lease.AcquiredAt.UtcDateTime + TimeSpan.FromSeconds(1)
                ? $"its process {processId} ended (the pid now belongs to a process started after the lease was taken)"
                : null;
        }
        catch (ArgumentException)
        {
            return $"its process {processId} is not running on this machine";
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Exited while we looked, or not ours to inspect: wait for the lease to expire instead.
            return null;
        }
    }

    private static readonly DateTimeOffset StartedAt = CurrentProcessStart();

    private static DateTimeOffset CurrentProcessStart()
    {
        using var current = Process.GetCurrentProcess();
        return current.StartTime.ToUniversalTime();
    }

    private static bool TryParseOwner(string owner, out string machine, out int processId)
    {
        // "{machine}/pid {pid}/{id}": parsed from the end, so a machine name with a slash still parses.
        machine = "";
        processId = 0;
        var parts = owner.Split('/');
        if (parts.Length < 3 || !parts[^2].StartsWith("pid ", StringComparison.Ordinal)
            || !int.TryParse(parts[^2].AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out processId) || processId <= 0)
        {
            return false;
        }

        machine = string.Join('/', parts[..^2]);
        return true;
    }

    /// <summary>Gives the lease up on a clean shutdown, so a restarted process can take it at once. Best effort:
    /// if it fails (the host is already out of time), the lease simply expires after <c>Scheduler:LeaseSeconds</c>.</summary>
    public async Task ReleaseAsync()
    {
        if (!IsHeld)
        {
            return;
        }

        IsHeld = false;
        try
        {
            // Its own short deadline: the host's shutdown token may already be spent.
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await using var db = await dbFactory.CreateDbContextAsync(deadline.Token);
            await db.SchedulerLeases.Where(l => l.Name == SchedulerLease.SchedulerName && l.Owner == OwnerId).ExecuteDeleteAsync(deadline.Token);
            logger.LogInformation("Released the scheduler lease");
        }
        catch (Exception ex) when (ex is OperationCanceledException or Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
        {
            logger.LogWarning(ex, "Could not release the scheduler lease; it expires by itself");
        }
    }
}
