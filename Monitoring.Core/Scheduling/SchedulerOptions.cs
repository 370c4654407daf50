using System.ComponentModel.DataAnnotations;

namespace Monitoring.Core.Scheduling;

public sealed class SchedulerOptions
{
    public const string Section = "Scheduler";

    /// <summary>False: this process never schedules (a read-only console over a database another process runs).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The safety tick; enqueue and completion also wake the scheduler at once.</summary>
    [Range(1, 3600)]
    public int IntervalSeconds { get; set; } = 2;

    /// <summary>Most tasks placed on one GPU per round.</summary>
    [Range(1, 256)]
    public int MaxBatchSize { get; set; } = 3;

    /// <summary>Fewest tasks worth starting on one GPU in a round, unless the oldest has waited <see cref="BatchTimeoutSeconds"/>.</summary>
    [Range(1, 256)]
    public int MinBatchSize { get; set; } = 1;

    [Range(0, 3600)]
    public int BatchTimeoutSeconds { get; set; } = 5;

    /// <summary>A GPU takes a task only if at least max(this, <see cref="GpuSafetyMarginPercent"/> of its total) stays free after it.</summary>
    [Range(0, long.MaxValue)]
    public long GpuSafetyMarginBytes { get; set; } = 1L << 30;

    [Range(0, 90)]
    public double GpuSafetyMarginPercent { get; set; } = 10;

    /// <summary>How long the scheduler lease lives without a heartbeat before another process may take it.</summary>
    [Range(3, 3600)]
    public int LeaseSeconds { get; set; } = 15;

    /// <summary>How many queued tasks one round looks at; the rest wait their turn.</summary>
    [Range(1, 100_000)]
    public int Lookahead { get; set; } = 500;
}

internal sealed class ValidateSchedulerOptions() : CrossFieldRules<SchedulerOptions>(SchedulerOptions.Section)
{
    protected override IEnumerable<SettingProblem> Check(SchedulerOptions options)
    {
        if (options.MinBatchSize > options.MaxBatchSize)
        {
            yield return new(Key(nameof(SchedulerOptions.MinBatchSize)),
                $"{Key(nameof(SchedulerOptions.MinBatchSize))} ({options.MinBatchSize}) must not exceed {Key(nameof(SchedulerOptions.MaxBatchSize))} ({options.MaxBatchSize}).");
        }
    }
}
