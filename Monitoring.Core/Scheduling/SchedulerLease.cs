namespace Monitoring.Core.Scheduling;

/// <summary>The row that says which process schedules for this database (SPEC rule 2): one owner,
/// kept alive by a heartbeat; any other process on the same database runs read-only.</summary>
public sealed class SchedulerLease
{
    public const string SchedulerName = "scheduler";

    public required string Name { get; set; }
    public required string Owner { get; set; }
    public DateTimeOffset AcquiredAt { get; set; }
    public DateTimeOffset HeartbeatAt { get; set; }
}
