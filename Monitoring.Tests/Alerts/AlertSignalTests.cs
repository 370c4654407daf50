using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Core.Alerts;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Monitoring.Web.Metrics;

namespace Monitoring.Tests.Alerts;

public sealed class AlertSignalTests
{
    [Fact]
    public void The_request_window_gives_p95_and_error_ratio_of_the_last_five_minutes()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var window = new HttpRequestWindow(clock);
        Assert.Null(window.Summarize().P95Seconds);
        Assert.Equal(0, window.Summarize().ErrorRatio);

        for (var i = 0; i < 90; i++)
        {
            window.Record(TimeSpan.FromMilliseconds(20), 200);
        }

        for (var i = 0; i < 10; i++)
        {
            window.Record(TimeSpan.FromSeconds(3), 503);
        }

        var summary = window.Summarize();
        Assert.Equal(100, summary.Requests);
        Assert.Equal(0.10, summary.ErrorRatio, 6);
        // Rank 95 of 100 lies in the (2.5 s, 5 s] bucket holding ranks 91–100: 2.5 + 2.5 × 5/10.
        Assert.Equal(3.75, summary.P95Seconds!.Value, 6);

        clock.Advance(TimeSpan.FromMinutes(4));
        window.Record(TimeSpan.FromMilliseconds(20), 200);
        Assert.Equal(101, window.Summarize().Requests);

        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(10));
        var later = window.Summarize();
        Assert.Equal(1, later.Requests);
        Assert.Equal(0, later.ErrorRatio);
        Assert.True(later.P95Seconds <= 0.025);
    }

    [Fact]
    public async Task A_task_running_longer_than_twice_its_types_p99_is_counted_per_type()
    {
        await using var db = await TestDatabase.CreateAsync();
        for (var i = 0; i < RunningTaskAnomalies.MinSamples; i++)
        {
            var task = await db.Queue.EnqueueAsync("render");
            await db.Queue.ClaimAsync(task.Id, "w1", gpuUuid: null);
            db.Clock.Advance(TimeSpan.FromSeconds(10));
            await db.Queue.CompleteAsync(task.Id, "{}");
        }

        var slow = await db.Queue.EnqueueAsync("render");
        await db.Queue.ClaimAsync(slow.Id, "w1", gpuUuid: null);
        var other = await db.Queue.EnqueueAsync("transcribe");
        await db.Queue.ClaimAsync(other.Id, "w2", gpuUuid: null);
        var anomalies = new RunningTaskAnomalies(db.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Core.Storage.MonitoringDbContext>>(), db.Clock);

        db.Clock.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(0, (await anomalies.CountAsync())["render"]);

        db.Clock.Advance(TimeSpan.FromSeconds(2));
        var counts = await anomalies.CountAsync();
        Assert.Equal(1, counts["render"]);
        // No history to judge the other type by: counted as 0, never guessed.
        Assert.Equal(0, counts["transcribe"]);
    }
}
