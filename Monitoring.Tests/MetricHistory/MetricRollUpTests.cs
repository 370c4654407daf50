using Monitoring.Core.Metrics;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.MetricHistory;

public sealed class MetricRollUpTests
{
    private const string Gpu0 = "uuid=GPU-0";
    private const string Gpu1 = "uuid=GPU-1";
    private const string Used = MetricNames.GpuMemoryUsedBytes;

    [Fact]
    public async Task Roll_up_folds_each_completed_minute_into_min_avg_max_and_count()
    {
        await using var db = await TestDatabase.CreateAsync();
        var noon = db.Clock.GetUtcNow();
        await db.RecordAsync(Used, Gpu0, noon.AddSeconds(5), 10);
        await db.RecordAsync(Used, Gpu0, noon.AddSeconds(35), 20);
        // The last millisecond of 12:00 and the first of 12:01 straddle the boundary.
        await db.RecordAsync(Used, Gpu0, noon.AddMilliseconds(59_999), 60);
        await db.RecordAsync(Used, Gpu0, noon.AddMinutes(1), 5);
        await db.RecordAsync(Used, Gpu1, noon.AddSeconds(30), 7, 9);
        // The current minute is not complete and stays raw.
        await db.RecordAsync(Used, Gpu0, noon.AddMinutes(2).AddSeconds(10), 1000);
        db.Clock.Advance(TimeSpan.FromMinutes(2).Add(TimeSpan.FromSeconds(30)));

        await db.Metrics().RollUpAsync();

        Assert.Equal(
        [
            $"{Used}{{{Gpu0}}} 12:00 10/30/60/3",
            $"{Used}{{{Gpu0}}} 12:01 5/5/5/1",
            $"{Used}{{{Gpu1}}} 12:00 7/8/9/2",
        ], await db.RollupsAsync());
    }

    [Fact]
    public async Task Rolling_up_again_counts_nothing_twice_and_later_runs_add_only_the_new_minutes()
    {
        await using var db = await TestDatabase.CreateAsync();
        var noon = db.Clock.GetUtcNow();
        await db.RecordEveryAsync(Used, Gpu0, noon, noon.AddMinutes(3), TimeSpan.FromSeconds(5), at => (at - noon).TotalSeconds);
        db.Clock.Advance(TimeSpan.FromMinutes(2));

        await db.Metrics().RollUpAsync();
        var first = await db.RollupsAsync();
        await db.Metrics().RollUpAsync();
        var second = await db.RollupsAsync();
        db.Clock.Advance(TimeSpan.FromMinutes(2));
        await db.Metrics().RollUpAsync();
        var third = await db.RollupsAsync();

        Assert.Equal([$"{Used}{{{Gpu0}}} 12:00 0/27.5/55/12", $"{Used}{{{Gpu0}}} 12:01 60/87.5/115/12"], first);
        Assert.Equal(first, second);
        Assert.Equal([.. first, $"{Used}{{{Gpu0}}} 12:02 120/147.5/175/12"], third);
    }

    [Fact]
    public async Task A_sample_recorded_late_into_a_recent_rolled_up_minute_is_folded_in_by_the_next_run()
    {
        await using var db = await TestDatabase.CreateAsync();
        var noon = db.Clock.GetUtcNow();
        await db.RecordAsync(Used, Gpu0, noon.AddSeconds(10), 4);
        db.Clock.Advance(TimeSpan.FromMinutes(1));
        await db.Metrics().RollUpAsync();

        // The probe sampled at 12:00:59.9 and wrote after the roll-up had passed 12:00.
        await db.RecordAsync(Used, Gpu0, noon.AddMilliseconds(59_900), 8);
        db.Clock.Advance(TimeSpan.FromMinutes(1));
        await db.Metrics().RollUpAsync();
        await db.Metrics().RollUpAsync();

        Assert.Equal([$"{Used}{{{Gpu0}}} 12:00 4/6/8/2"], await db.RollupsAsync());
    }

    [Fact]
    public async Task Non_finite_values_are_skipped_and_the_rest_of_the_batch_is_written()
    {
        await using var db = await TestDatabase.CreateAsync();
        var at = db.Clock.GetUtcNow();

        var written = await db.Metrics().RecordAsync(
        [
            new MetricPoint(Used, Gpu0, at, double.NaN),
            new MetricPoint(Used, Gpu0, at, double.PositiveInfinity),
            new MetricPoint(Used, Gpu0, at, 3),
            new MetricPoint(MetricNames.SystemLoad1, at, 0.5),
        ]);

        Assert.Equal(2, written);
        Assert.Equal(2, (await db.RawTimesAsync()).Count);
    }
}
