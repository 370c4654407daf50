using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Monitoring.Core.Metrics;

/// <summary>Retention of the metric store (SPEC §10). Shares the <c>Metrics</c> section with the <c>/metrics</c>
/// endpoint's settings.</summary>
public sealed class MetricStoreOptions
{
    public const string Section = "Metrics";

    /// <summary>Raw samples are kept this long; older ranges are answered from 1-minute roll-ups.</summary>
    [Range(1, 24 * 30)]
    public int RawRetentionHours { get; set; } = 24;

    [Range(1, 3650)]
    public int RollupRetentionDays { get; set; } = 30;
}

/// <summary>Roll-ups must outlive the raw samples they summarize, or a range would have neither.</summary>
internal sealed class ValidateMetricStoreOptions : IValidateOptions<MetricStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricStoreOptions options) =>
        options.RollupRetentionDays * 24 < options.RawRetentionHours
            ? ValidateOptionsResult.Fail(
                $"{MetricStoreOptions.Section}:{nameof(MetricStoreOptions.RollupRetentionDays)} ({options.RollupRetentionDays} days) must cover " +
                $"{MetricStoreOptions.Section}:{nameof(MetricStoreOptions.RawRetentionHours)} ({options.RawRetentionHours} hours).")
            : ValidateOptionsResult.Success;
}
