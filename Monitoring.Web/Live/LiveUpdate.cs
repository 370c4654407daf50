using Monitoring.Core.Probes;
using Monitoring.Core.Tasks;
using Monitoring.Gpu;

namespace Monitoring.Web.Live;

/// <summary>Something the console shows changed. Updates are signals to re-read or re-draw: the database stays the
/// source of truth for tasks, and a subscriber that falls behind loses the oldest updates, never the newest.</summary>
public abstract record LiveUpdate(DateTimeOffset At);

/// <summary>A task change that has been committed.</summary>
public sealed record TaskUpdate(TaskChange Change) : LiveUpdate(Change.At);

/// <summary>The worker pool may have changed (a worker freed, a task started or finished); read
/// <see cref="Core.Workers.WorkerPool.Snapshot"/>, which is in memory, for its state.</summary>
public sealed record PoolUpdate(DateTimeOffset At) : LiveUpdate(At);

/// <summary>A new reading of the machine and this process.</summary>
public sealed record SystemSampleUpdate(SystemSample Sample) : LiveUpdate(Sample.At);

/// <summary>A new reading of every GPU (empty when there are none).</summary>
public sealed record GpuSampleUpdate(IReadOnlyList<GpuSample> Samples, DateTimeOffset At) : LiveUpdate(At);

/// <summary>Task statistics read again after task changes (<see cref="LiveStatistics"/>); one read serves every page.</summary>
public sealed record StatsUpdate(TaskStats Stats) : LiveUpdate(Stats.At);

/// <summary>An alert evaluation changed the state of <paramref name="Transitions"/> alert instance(s), or an operator
/// changed a rule or a silence (then 0); re-read the alerts.</summary>
public sealed record AlertUpdate(DateTimeOffset At, int Transitions, int Firing) : LiveUpdate(At);
