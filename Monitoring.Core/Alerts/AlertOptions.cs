using System.ComponentModel.DataAnnotations;

namespace Monitoring.Core.Alerts;

/// <summary>The <c>Alerts</c> section.</summary>
public sealed class AlertOptions
{
    public const string Section = "Alerts";

    /// <summary>How often every enabled rule is evaluated.</summary>
    [Range(5, 3600)]
    public int EvaluationIntervalSeconds { get; set; } = 30;

    /// <summary>Transitions older than this are removed by the hourly retention job, with silences that ended before it.</summary>
    [Range(1, 3650)]
    public int HistoryDays { get; set; } = 30;

    /// <summary>The longest silence that can be created.</summary>
    [Range(1, 24 * 365)]
    public int MaxSilenceHours { get; set; } = 24 * 7;

    /// <summary>Series beyond this many per rule get no instance (a rule over an unexpectedly wide label set).</summary>
    [Range(1, 10_000)]
    public int MaxInstancesPerRule { get; set; } = 100;
}
