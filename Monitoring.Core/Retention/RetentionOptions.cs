using System.ComponentModel.DataAnnotations;

namespace Monitoring.Core.Retention;

public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Completed and cancelled tasks are kept this long after they finished.</summary>
    [Range(1, 36_500)]
    public int CompletedDays { get; set; } = 30;

    /// <summary>Dead (failed) tasks are kept longer: they are what operators triage.</summary>
    [Range(1, 36_500)]
    public int FailedDays { get; set; } = 90;

    [Range(60, 7 * 24 * 3600)]
    public int IntervalSeconds { get; set; } = 3600;
}
