using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Storage;
using Monitoring.Tests.Handlers;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Scheduling;

/// <summary>When a process may take the scheduler lease from its holder: at once when the holder is a dead process
/// on this machine (a crash), otherwise only after the holder has been silent for <c>Scheduler:LeaseSeconds</c>.</summary>
public sealed class SchedulerLeaseKeeperTests
{
    private const int LeaseSeconds = 60;

    // The keeper compares the lease's times with real process start times, so its clock starts at the real time.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_lease_held_by_a_dead_process_on_this_machine_is_taken_at_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        var deadPid = await DeadProcessIdAsync();
        await HoldLeaseAsync(db, $"{Environment.MachineName}/pid {deadPid}/0badc0de", acquiredAt: _clock.GetUtcNow());
        var keeper = Keeper(db);

        Assert.True(await keeper.RenewAsync());

        Assert.True(keeper.IsHeld);
        Assert.Equal(keeper.OwnerId, await OwnerAsync(db));
    }

    [Fact]
    public async Task A_lease_held_by_a_live_process_on_this_machine_waits_until_it_expires()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var holder = Sleep();
        _clock.SetUtcNow(DateTimeOffset.UtcNow);
        var owner = $"{Environment.MachineName}/pid {holder.Id}/0badc0de";
        await HoldLeaseAsync(db, owner, acquiredAt: _clock.GetUtcNow());
        var keeper = Keeper(db);

        Assert.False(await keeper.RenewAsync());
        _clock.Advance(TimeSpan.FromSeconds(LeaseSeconds - 1));
        Assert.False(await keeper.RenewAsync());
        Assert.Equal(owner, keeper.HeldBy);

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await keeper.RenewAsync());
        holder.Kill();
    }

    [Fact]
    public async Task A_live_pid_that_started_after_the_lease_was_taken_is_a_reused_pid_and_the_lease_is_taken_at_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var stranger = Sleep();
        // The holder took the lease a minute before this pid's current process started: the holder is gone,
        // though its last heartbeat is recent.
        await HoldLeaseAsync(db, $"{Environment.MachineName}/pid {stranger.Id}/0badc0de", acquiredAt: _clock.GetUtcNow().AddMinutes(-1), heartbeatAt: _clock.GetUtcNow());
        var keeper = Keeper(db);

        Assert.True(await keeper.RenewAsync());
        stranger.Kill();
    }

    [Fact]
    public async Task A_lease_held_on_another_machine_waits_until_it_expires_whatever_its_pid()
    {
        await using var db = await TestDatabase.CreateAsync();
        var deadPid = await DeadProcessIdAsync();
        await HoldLeaseAsync(db, $"other-{Environment.MachineName}/pid {deadPid}/0badc0de", acquiredAt: _clock.GetUtcNow());
        var keeper = Keeper(db);

        Assert.False(await keeper.RenewAsync());
        _clock.Advance(TimeSpan.FromSeconds(LeaseSeconds - 1));
        Assert.False(await keeper.RenewAsync());

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await keeper.RenewAsync());
    }

    [Fact]
    public async Task A_lease_naming_this_processs_own_pid_is_a_previous_process_only_if_it_fell_silent_before_this_one_started()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var self = Process.GetCurrentProcess();
        var owner = $"{Environment.MachineName}/pid {Environment.ProcessId}/0badc0de";
        // A lease longer than this test run has lasted, so only the pid decides.
        var keeper = Keeper(db, leaseSeconds: 3600);

        // Heartbeat after this process started: another process with the same host name and pid (another container).
        await HoldLeaseAsync(db, owner, acquiredAt: _clock.GetUtcNow());
        Assert.False(await keeper.RenewAsync());

        // Last heartbeat before this process started: a previous process that had this pid (a restarted container).
        await HoldLeaseAsync(db, owner, acquiredAt: new DateTimeOffset(self.StartTime.ToUniversalTime()).AddSeconds(-5));
        Assert.True(await keeper.RenewAsync());
    }

    private SchedulerLeaseKeeper Keeper(TestDatabase db, int leaseSeconds = LeaseSeconds) => new(
        db.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>(),
        _clock,
        new FixedOptions<SchedulerOptions>(new SchedulerOptions { LeaseSeconds = leaseSeconds }),
        NullLogger<SchedulerLeaseKeeper>.Instance);

    private static async Task HoldLeaseAsync(TestDatabase db, string owner, DateTimeOffset acquiredAt, DateTimeOffset? heartbeatAt = null)
    {
        await using var context = await db.OpenAsync();
        await context.SchedulerLeases.ExecuteDeleteAsync();
        context.SchedulerLeases.Add(new SchedulerLease { Name = SchedulerLease.SchedulerName, Owner = owner, AcquiredAt = acquiredAt, HeartbeatAt = heartbeatAt ?? acquiredAt });
        await context.SaveChangesAsync();
    }

    private static async Task<string> OwnerAsync(TestDatabase db)
    {
        await using var context = await db.OpenAsync();
        return (await context.SchedulerLeases.SingleAsync()).Owner;
    }

    private static Process Sleep() => Process.Start(new ProcessStartInfo("sleep", ["60"]))!;

    /// <summary>The pid of a process that has exited and been reaped.</summary>
    private static async Task<int> DeadProcessIdAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("true"))!;
        await process.WaitForExitAsync();
        return process.Id;
    }
}
