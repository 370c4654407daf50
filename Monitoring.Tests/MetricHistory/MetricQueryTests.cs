using Monitoring.Core.Metrics;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.MetricHistory;

public sealed class MetricQueryTests
{
    private const string Gpu0 = "uuid=GPU-0";
    private const string Gpu1 = "uuid=GPU-1";
    private const string Used = MetricNames.GpuMemoryUsedBytes;

    [Fact]
    public async Task A_recent_range_with_a_small_step_is_answered_from_raw_samples()
    {
        await using var db = await TestDatabase.CreateAsync();
        var now = db.Clock.GetUtcNow();
        var start = now.AddHours(-1);
        await db.RecordEveryAsync(Used, Gpu0, start, now, TimeSpan.FromSeconds(5), at => (at - start).TotalSeconds);

        var result = await db.Metrics().QueryAsync(Used, null, start, now, TimeSpan.FromSeconds(10));

        Assert.Equal(MetricSource.Raw, result.Source);
        Assert.Equal(TimeSpan.FromSeconds(10), result.Step);
        var series = Assert.Single(result.Series);
        Assert.Equal(Gpu0, series.Labels);
        Assert.Equal(360, series.Points.Count);
        Assert.Equal("11:00:00 0/2.5/5/2", series.Points[0].Describe());
        Assert.Equal("11:59:50 3590/3592.5/3595/2", series.Points[^1].Describe());
    }

    [Fact]
    public async Task An_old_range_is_answered_from_roll_ups_with_min_of_mins_max_of_maxes_and_a_weighted_average()
    {
        await using var db = await TestDatabase.CreateAsync();
        var start = db.Clock.GetUtcNow();
        // 12:00 holds 0 and 10 (average 5), 12:01 holds 100 alone: over both the average is 110 / 3, not (5 + 100) / 2.
        await db.RecordAsync(Used, Gpu0, start.AddSeconds(1), 0, 10);
        await db.RecordAsync(Used, Gpu0, start.AddMinutes(1).AddSeconds(1), 100);
        await db.RecordAsync(Used, Gpu0, start.AddMinutes(2).AddSeconds(1), 40);
        db.Clock.Advance(TimeSpan.FromDays(3));
        await db.Metrics().RollUpAsync();
        await db.Metrics().PruneAsync();
        Assert.Empty(await db.RawTimesAsync());

        var twoMinutes = await db.Metrics().QueryAsync(Used, Gpu0, start, start.AddMinutes(4), TimeSpan.FromMinutes(2));
        // Under a minute is finer than roll-ups hold: the step becomes a minute.
        var fine = await db.Metrics().QueryAsync(Used, Gpu0, start, start.AddMinutes(4), TimeSpan.FromSeconds(10));

        Assert.Equal(MetricSource.Rollup, twoMinutes.Source);
        Assert.Equal(["12:00:00 0/36.667/100/3", "12:02:00 40/40/40/1"], Assert.Single(twoMinutes.Series).Points.Select(p => p.Describe()));
        Assert.Equal(MetricSource.Rollup, fine.Source);
        Assert.Equal(TimeSpan.FromMinutes(1), fine.Step);
        Assert.Equal(["12:00:00 0/5/10/2", "12:01:00 100/100/100/1", "12:02:00 40/40/40/1"], Assert.Single(fine.Series).Points.Select(p => p.Describe()));
    }

    [Fact]
    public async Task Minutes_not_rolled_up_yet_are_read_raw_and_a_step_straddling_the_roll_up_merges_both()
    {
        await using var db = await TestDatabase.CreateAsync();
        var start = db.Clock.GetUtcNow();
        await db.RecordEveryAsync(Used, Gpu0, start, start.AddHours(3), TimeSpan.FromSeconds(30), _ => 1);
        // Rolled up to 14:35; the 10-minute step 14:30–14:40 is half roll-ups, half raw.
        db.Clock.Advance(TimeSpan.FromMinutes(155));
        await db.Metrics().RollUpAsync();
        db.Clock.Advance(TimeSpan.FromMinutes(25));

        var result = await db.Metrics().QueryAsync(Used, null, start.AddHours(1), start.AddHours(3), TimeSpan.FromMinutes(10));

        Assert.Equal(MetricSource.Rollup, result.Source);
        var points = Assert.Single(result.Series).Points;
        Assert.Equal(12, points.Count);
        Assert.All(points, p => Assert.Equal("1/1/1/20", p.Describe()[9..]));
        Assert.Equal(start.AddHours(1), points[0].At);
    }

    [Fact]
    public async Task Labels_select_one_series_and_without_labels_every_series_of_the_name_comes_back()
    {
        await using var db = await TestDatabase.CreateAsync();
        var now = db.Clock.GetUtcNow();
        await db.RecordAsync(Used, Gpu1, now.AddMinutes(-5), 2);
        await db.RecordAsync(Used, Gpu0, now.AddMinutes(-5), 1);
        await db.RecordAsync(MetricNames.GpuMemoryFreeBytes, Gpu0, now.AddMinutes(-5), 99);

        var all = await db.Metrics().QueryAsync(Used, null, now.AddHours(-1), now, TimeSpan.FromMinutes(1));
        var one = await db.Metrics().QueryAsync(Used, Gpu1, now.AddHours(-1), now, TimeSpan.FromMinutes(1));
        var none = await db.Metrics().QueryAsync(Used, "uuid=GPU-9", now.AddHours(-1), now, TimeSpan.FromMinutes(1));

        Assert.Equal([Gpu0, Gpu1], all.Series.Select(s => s.Labels));
        Assert.Equal([1.0, 2.0], all.Series.Select(s => Assert.Single(s.Points).Avg));
        Assert.Equal(2.0, Assert.Single(Assert.Single(one.Series).Points).Avg);
        Assert.Empty(none.Series);
    }

    [Fact]
    public async Task More_than_10000_points_across_the_series_is_refused_with_a_step_that_fits()
    {
        await using var db = await TestDatabase.CreateAsync();
        var now = db.Clock.GetUtcNow();
        await db.RecordAsync(Used, Gpu0, now.AddMinutes(-1), 1);
        var day = now.AddDays(-1);

        // 8,640 ten-second steps in a day: one series fits, two do not.
        var fits = await db.Metrics().QueryAsync(Used, Gpu0, day, now, TimeSpan.FromSeconds(10));
        await db.RecordAsync(Used, Gpu1, now.AddMinutes(-1), 1);
        var refused = await Assert.ThrowsAsync<MetricQueryTooLargeException>(() => db.Metrics().QueryAsync(Used, null, day, now, TimeSpan.FromSeconds(10)));
        var atSmallestStep = await db.Metrics().QueryAsync(Used, null, day, now, refused.SmallestStep);

        Assert.Single(fits.Series);
        Assert.Equal(2 * 8_640, refused.Points);
        Assert.Contains("too many points", refused.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMinutes(1), refused.SmallestStep);
        Assert.Equal(2, atSmallestStep.Series.Count);
    }

    [Theory]
    // An hour at 10 s would be 361 steps once aligned to the step, one too many.
    [InlineData(1, 15)]
    [InlineData(24, 300)]
    [InlineData(24 * 7, 1800)]
    [InlineData(24 * 30, 10_800)]
    public void The_default_step_is_a_round_one_giving_at_most_360_points(int hours, int seconds)
    {
        var to = new DateTimeOffset(2026, 11, 1, 12, 0, 7, TimeSpan.Zero);

        var step = MetricStore.ChooseStep(to.AddHours(-hours), to);

        Assert.Equal(TimeSpan.FromSeconds(seconds), step);
    }

    [Theory]
    [InlineData("uuid=GPU-1", "uuid=GPU-1")]
    [InlineData("type=b, mount=/data", "mount=/data,type=b")]
    [InlineData(@"mount=/a\,b", @"mount=/a\,b")]
    public void Labels_are_normalized_to_one_spelling(string text, string canonical)
    {
        Assert.True(MetricLabels.TryNormalize(text, out var normalized));
        Assert.Equal(canonical, normalized);
        Assert.Equal(@"mount=/a\,b", MetricLabels.Of("mount", "/a,b"));
    }

    [Theory]
    [InlineData("uuid")]
    [InlineData("=GPU-1")]
    [InlineData("a=1,a=2")]
    [InlineData("1a=x")]
    public void Malformed_labels_are_rejected(string text) => Assert.False(MetricLabels.TryNormalize(text, out _));
}
