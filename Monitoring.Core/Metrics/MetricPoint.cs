namespace Monitoring.Core.Metrics;

/// <summary>One reading to record.</summary>
/// <param name="Labels">Canonical labels (<see cref="MetricLabels.Of(string, string)"/>), or empty.</param>
public sealed record MetricPoint(string Name, string Labels, DateTimeOffset At, double Value)
{
    public MetricPoint(string name, DateTimeOffset at, double value)
        : this(name, MetricLabels.None, at, value)
    {
    }
}
