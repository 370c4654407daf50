using Monitoring.Core.Metrics;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.MetricHistory;

public sealed class MetricRetentionTests
{
    private const string Load = MetricNames.SystemLoad1;

    [Fact]
    public async Task Raw_samples_older_than_24_hours_and_roll_ups_older_than_30_days_are_removed_newer_ones_kept()
    {
        await using var db = await TestDatabase.CreateAsync();
        var start = db.Clock.GetUtcNow();
        // 31 days of history, one sample every 10 minutes, then the first roll-up.
        await db.RecordEveryAsync(Load, "", start, start.AddDays(31), TimeSpan.FromMinutes(10), _ => 1);
        db.Clock.Advance(TimeSpan.FromDays(31));
        var now = db.Clock.GetUtcNow();
        await db.Metrics().RollUpAsync();

        var removed = await db.Metrics().PruneAsync();

        var raw = await db.RawTimesAsync();
        var minutes = await db.RollupMinutesAsync();
        Assert.Equal(now.AddHours(-24), raw[0]);
        Assert.Equal(now.AddMinutes(-10), raw[^1]);
        Assert.Equal(24 * 6, raw.Count);
        Assert.Equal(now.AddDays(-30), minutes[0]);
        Assert.Equal(now.AddMinutes(-10), minutes[^1]);
        Assert.Equal((31 * 24 * 6) - raw.Count + (31 * 24 * 6) - minutes.Count, removed);
        Assert.Equal(0, await db.Metrics().PruneAsync());
    }

    [Fact]
    public async Task Retention_follows_the_configured_hours_and_days()
    {
        await using var db = await TestDatabase.CreateAsync(new Dictionary<string, string?>
        {
            ["Metrics:RawRetentionHours"] = "2",
            ["Metrics:RollupRetentionDays"] = "1",
        });
        var start = db.Clock.GetUtcNow();
        await db.RecordEveryAsync(Load, "", start, start.AddDays(2), TimeSpan.FromHours(1), _ => 1);
        db.Clock.Advance(TimeSpan.FromDays(2));
        var now = db.Clock.GetUtcNow();
        await db.Metrics().RollUpAsync();

        await db.Metrics().PruneAsync();

        Assert.Equal([now.AddHours(-2), now.AddHours(-1)], await db.RawTimesAsync());
        Assert.Equal(Enumerable.Range(0, 24).Select(h => now.AddDays(-1).AddHours(h)), await db.RollupMinutesAsync());
    }

    [Fact]
    public async Task Pruning_keeps_raw_samples_that_are_not_rolled_up_yet()
    {
        await using var db = await TestDatabase.CreateAsync();
        var start = db.Clock.GetUtcNow();
        await db.RecordAsync(Load, "", start, 1);
        db.Clock.Advance(TimeSpan.FromHours(30));

        await db.Metrics().PruneAsync();
        var beforeRollUp = await db.RawTimesAsync();
        await db.Metrics().RollUpAsync();
        await db.Metrics().PruneAsync();

        Assert.Equal([start], beforeRollUp);
        Assert.Empty(await db.RawTimesAsync());
        Assert.Equal([start], await db.RollupMinutesAsync());
    }
}
