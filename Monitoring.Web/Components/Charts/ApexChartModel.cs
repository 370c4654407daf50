namespace Monitoring.Web.Components.Charts;

public enum ApexChartType
{
    Line,
    Area,
    Bar,
    RadialBar,
}

/// <summary>How the y axis and tooltips show a value.</summary>
public enum ChartValueFormat
{
    /// <summary>A plain number, grouped by the browser's locale.</summary>
    Count,

    /// <summary>Binary units: B, KiB, MiB, GiB…</summary>
    Bytes,

    /// <summary>A value already in percent (0–100).</summary>
    Percent,

    /// <summary>A duration in seconds, shown as ms, s, min or h.</summary>
    Seconds,
}

public enum ChartCurve
{
    Straight,
    Smooth,

    /// <summary>The value holds until the next point: right for levels such as queue depth.</summary>
    Stepline,
}

/// <summary>One point of a time series; a null value leaves a gap.</summary>
public readonly record struct ApexPoint(DateTimeOffset X, double? Y);

/// <summary>A named time series (line, area, bar over time).</summary>
public sealed record ApexSeries(string Name, IReadOnlyList<ApexPoint> Points);

/// <summary>A named series of one value per category (bar by category; for radial bars the first series, one
/// value per category).</summary>
public sealed record ApexCategorySeries(string Name, IReadOnlyList<double?> Values);
