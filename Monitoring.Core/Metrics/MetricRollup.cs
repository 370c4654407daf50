namespace Monitoring.Core.Metrics;

/// <summary>The raw samples of one series in one minute, folded; kept for <see cref="MetricStoreOptions.RollupRetentionDays"/>.
/// The sum and count (not an average) are stored so coarser steps get a weighted average.</summary>
public sealed class MetricRollup
{
    public int SeriesId { get; set; }
    /// <summary>Start of the minute.</summary>
    public DateTimeOffset Minute { get; set; }
    public double Min { get; set; }
    public double Max { get; set; }
    public double Sum { get; set; }
    public long Count { get; set; }
}
