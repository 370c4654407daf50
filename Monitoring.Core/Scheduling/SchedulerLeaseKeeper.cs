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
        else if (now - lease.HeartbeatAt > expiry)
        {
            logger.LogWarning("Taking over the scheduler lease from {Previous}, silent since {Heartbeat:O}", lease.Owner, lease.HeartbeatAt);
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
