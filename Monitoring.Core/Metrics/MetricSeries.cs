namespace Monitoring.Core.Metrics;

/// <summary>One metric series: a name and its canonical labels (<see cref="MetricLabels"/>). Samples and roll-ups
/// point at it by <see cref="Id"/>, so each of the millions of rows carries a small integer rather than the
/// name and a GPU UUID. Series are few (per GPU, per mount, per task type) and are never deleted.</summary>
public sealed class MetricSeries
{
    public const int MaxNameLength = 128;
    public const int MaxLabelsLength = 512;

    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Canonical labels such as <c>uuid=GPU-…</c>, or empty.</summary>
    public required string Labels { get; set; }
}
