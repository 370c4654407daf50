namespace Monitoring.Core.Metrics;

/// <summary>Where the points of a query came from.</summary>
public enum MetricSource
{
    /// <summary>Raw samples, bucketed by the step.</summary>
    Raw,
    /// <summary>1-minute roll-ups (and, for the minutes not rolled up yet, raw samples), bucketed by the step.</summary>
    Rollup,
}

/// <summary>One step of one series: the samples that fell in [<see cref="At"/>, <see cref="At"/> + step).</summary>
/// <param name="Avg">Weighted by sample count across roll-ups.</param>
public sealed record MetricBucket(DateTimeOffset At, double Min, double Avg, double Max, long Count);

public sealed record MetricSeriesPoints(string Labels, IReadOnlyList<MetricBucket> Points);

/// <param name="From">The start of the first bucket (the requested start, aligned down to the step).</param>
/// <param name="Step">The step used: a whole number of minutes when <see cref="Source"/> is roll-ups.</param>
/// <param name="Series">Every series of the name (and labels) known to the store, by labels; a step without samples has no point.</param>
public sealed record MetricSeriesResult(
    string Name, DateTimeOffset From, DateTimeOffset To, TimeSpan Step, MetricSource Source, IReadOnlyList<MetricSeriesPoints> Series);

/// <summary>The query would return more than <see cref="MetricStore.MaxPoints"/> points; a larger step returns fewer.</summary>
public sealed class MetricQueryTooLargeException : Exception
{
    public MetricQueryTooLargeException()
    {
    }

    public MetricQueryTooLargeException(string message)
        : base(message)
    {
    }

    public MetricQueryTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MetricQueryTooLargeException(long points, TimeSpan smallestStep)
        : base($"too many points: {points} would exceed {MetricStore.MaxPoints}; raise step to at least {smallestStep.TotalSeconds:0} s.")
    {
        Points = points;
        SmallestStep = smallestStep;
    }

    public long Points { get; }

    /// <summary>The smallest step whose answer fits.</summary>
    public TimeSpan SmallestStep { get; }
}
