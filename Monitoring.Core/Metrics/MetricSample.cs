namespace Monitoring.Core.Metrics;

/// <summary>A raw reading, kept for <see cref="MetricStoreOptions.RawRetentionHours"/>.</summary>
public sealed class MetricSample
{
    public long Id { get; set; }
    public int SeriesId { get; set; }
    public DateTimeOffset At { get; set; }
    public double Value { get; set; }
}
