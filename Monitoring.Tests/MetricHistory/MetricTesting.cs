using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Metrics;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.MetricHistory;

/// <summary>The metric store over a <see cref="TestDatabase"/> (Core registers it), and ways to look at its tables.</summary>
internal static class MetricTesting
{
    public static MetricStore Metrics(this TestDatabase db) => db.Services.GetRequiredService<MetricStore>();

    public static Task<int> RecordAsync(this TestDatabase db, string name, string labels, DateTimeOffset at, params double[] values) =>
        db.Metrics().RecordAsync(values.Select(v => new MetricPoint(name, labels, at, v)).ToList());

    /// <summary>One sample of <paramref name="name"/> every <paramref name="every"/> in [from, to), valued by <paramref name="value"/>.</summary>
    public static async Task RecordEveryAsync(
        this TestDatabase db, string name, string labels, DateTimeOffset from, DateTimeOffset to, TimeSpan every, Func<DateTimeOffset, double> value)
    {
        var points = new List<MetricPoint>();
        for (var at = from; at < to; at += every)
        {
            points.Add(new MetricPoint(name, labels, at, value(at)));
        }

        await db.Metrics().RecordAsync(points);
    }

    /// <summary>Roll-ups as "name{labels} minute min/avg/max/count", ordered.</summary>
    public static async Task<List<string>> RollupsAsync(this TestDatabase db)
    {
        await using var context = await db.OpenAsync();
        var rows = await context.MetricRollups.AsNoTracking()
            .Join(context.MetricSeries, r => r.SeriesId, s => s.Id, (r, s) => new { s.Name, s.Labels, r.Minute, r.Min, r.Max, r.Sum, r.Count })
            .ToListAsync();
        return rows
            .OrderBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.Labels, StringComparer.Ordinal).ThenBy(r => r.Minute)
            .Select(r => $"{r.Name}{{{r.Labels}}} {r.Minute:HH:mm} {r.Min:0.###}/{r.Sum / r.Count:0.###}/{r.Max:0.###}/{r.Count}")
            .ToList();
    }

    public static async Task<List<DateTimeOffset>> RawTimesAsync(this TestDatabase db)
    {
        await using var context = await db.OpenAsync();
        return (await context.MetricSamples.AsNoTracking().Select(s => s.At).ToListAsync()).Order().ToList();
    }

    public static async Task<List<DateTimeOffset>> RollupMinutesAsync(this TestDatabase db)
    {
        await using var context = await db.OpenAsync();
        return (await context.MetricRollups.AsNoTracking().Select(r => r.Minute).ToListAsync()).Order().Distinct().ToList();
    }

    public static string Describe(this MetricBucket bucket) =>
        $"{bucket.At:HH:mm:ss} {bucket.Min:0.###}/{bucket.Avg:0.###}/{bucket.Max:0.###}/{bucket.Count}";
}
