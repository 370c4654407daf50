using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Tasks;
using Monitoring.Core.Workers;
using Monitoring.Tests.Support;
using Monitoring.Web.Live;

namespace Monitoring.Tests.Live;

public sealed class LiveFeedTests : IDisposable
{
    private readonly MonitoringApp _app = new();
    private readonly LiveFeed _feed;

    // A feed of its own on the app's real queue and pool: the app's probe jobs publish to the registered
    // one, and their samples would interleave with the sequences these tests count.
    public LiveFeedTests() => _feed = new LiveFeed(_app.Queue, _app.Services.GetRequiredService<WorkerPool>(), TimeProvider.System);

    public void Dispose()
    {
        _feed.Dispose();
        _app.Dispose();
    }

    private LiveFeed Feed => _feed;

    private static PoolUpdate Numbered(int n) => new(DateTimeOffset.UnixEpoch.AddSeconds(n));

    [Fact]
    public async Task A_subscriber_that_does_not_read_keeps_the_newest_updates_and_never_blocks_publishers()
    {
        using var cts = new CancellationTokenSource();
        var feed = Feed;
        var droppedBefore = feed.DroppedCount;
        var updates = feed.Subscribe(cts.Token);
        const int published = LiveFeed.SubscriberCapacity * 4;

        // Synchronous and on this thread: a publisher that could block would hang the test here.
        for (var n = 0; n < published; n++)
        {
            feed.Publish(Numbered(n));
        }

        var received = new List<LiveUpdate>();
        await foreach (var update in updates.WithCancellation(cts.Token))
        {
            received.Add(update);
            if (received.Count == LiveFeed.SubscriberCapacity)
            {
                await cts.CancelAsync();
            }
        }

        Assert.Equal(
            Enumerable.Range(published - LiveFeed.SubscriberCapacity, LiveFeed.SubscriberCapacity).Select(Numbered),
            received);
        Assert.Equal(published - LiveFeed.SubscriberCapacity, feed.DroppedCount - droppedBefore);
    }

    [Fact]
    public async Task A_fast_subscriber_is_not_held_back_by_a_slow_one()
    {
        using var cts = new CancellationTokenSource();
        var feed = Feed;
        _ = feed.Subscribe(cts.Token); // never read
        await using var fast = feed.Subscribe(cts.Token).GetAsyncEnumerator(cts.Token);

        for (var n = 0; n < LiveFeed.SubscriberCapacity * 2; n++)
        {
            feed.Publish(Numbered(n));
            Assert.True(await fast.MoveNextAsync());
            Assert.Equal(Numbered(n), fast.Current);
        }

        await cts.CancelAsync();
    }

    [Fact]
    public async Task Cancelling_ends_the_enumeration_quietly_and_removes_the_subscription()
    {
        var feed = Feed;
        var baseline = feed.SubscriberCount;
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        var reading = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var update in feed.Subscribe(cts.Token))
            {
                count++;
                started.TrySetResult();
            }

            return count;
        });

        await Eventually.TrueAsync(() => feed.SubscriberCount == baseline + 1, "the reader subscribed");
        feed.Publish(Numbered(1));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await cts.CancelAsync();

        Assert.Equal(1, await reading.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(baseline, feed.SubscriberCount);
    }

    [Fact]
    public async Task A_subscription_cancelled_before_it_is_read_is_removed_too()
    {
        var feed = Feed;
        var baseline = feed.SubscriberCount;
        using var cts = new CancellationTokenSource();

        _ = feed.Subscribe(cts.Token);
        Assert.Equal(baseline + 1, feed.SubscriberCount);
        await cts.CancelAsync();

        Assert.Equal(baseline, feed.SubscriberCount);
    }

    [Fact]
    public async Task Leaving_an_enumeration_early_removes_the_subscription()
    {
        var feed = Feed;
        var baseline = feed.SubscriberCount;
        feed.Publish(Numbered(0)); // before subscribing: not delivered
        var updates = feed.Subscribe(CancellationToken.None);
        feed.Publish(Numbered(1));
        feed.Publish(Numbered(2));

        await foreach (var update in updates)
        {
            Assert.Equal(Numbered(1), update);
            break;
        }

        Assert.Equal(baseline, feed.SubscriberCount);
    }

    [Fact]
    public void The_subscriber_list_is_bounded()
    {
        var feed = Feed;
        using var cts = new CancellationTokenSource();
        while (feed.SubscriberCount < LiveFeed.MaxSubscribers)
        {
            _ = feed.Subscribe(cts.Token);
        }

        Assert.Throws<InvalidOperationException>(() => feed.Subscribe(cts.Token));
        cts.Cancel();
        Assert.Equal(0, feed.SubscriberCount);
    }

    [Fact]
    public async Task Committed_task_changes_and_the_pool_moves_they_cause_arrive()
    {
        var feed = Feed;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var updates = feed.Subscribe(cts.Token).GetAsyncEnumerator(cts.Token);

        var task = await _app.Queue.EnqueueAsync();
        await _app.Queue.ClaimAsync(task.Id, "w1", gpuUuid: null);

        var received = new List<LiveUpdate>();
        while (received.Count < 3 && await updates.MoveNextAsync())
        {
            received.Add(updates.Current);
        }

        Assert.Collection(
            received,
            u => Assert.Equal((task.Id, (TaskState?)null, (TaskState?)TaskState.Pending), Moved(u)),
            u => Assert.Equal((task.Id, (TaskState?)TaskState.Pending, (TaskState?)TaskState.Processing), Moved(u)),
            u => Assert.IsType<PoolUpdate>(u));

        static (long, TaskState?, TaskState?) Moved(LiveUpdate update)
        {
            var change = Assert.IsType<TaskUpdate>(update).Change;
            return (change.TaskId, change.From, change.To);
        }
    }
}

public sealed class LiveFeedProbeTests : IDisposable
{
    private readonly MonitoringApp _app = new(new Dictionary<string, string?>
    {
        ["Probes:SystemIntervalSeconds"] = "1",
        ["Probes:GpuIntervalSeconds"] = "1",
    });

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task The_probe_jobs_publish_their_samples()
    {
        var feed = _app.Services.GetRequiredService<LiveFeed>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        SystemSampleUpdate? system = null;
        GpuSampleUpdate? gpus = null;

        await foreach (var update in feed.Subscribe(cts.Token))
        {
            system ??= update as SystemSampleUpdate;
            gpus ??= update as GpuSampleUpdate;
            if (system is not null && gpus is not null)
            {
                break;
            }
        }

        Assert.NotNull(system);
        Assert.True(system.Sample.ProcessWorkingSetBytes > 0);
        // Gpu:Provider is none in test hosts: the job still reports, with no GPUs.
        Assert.NotNull(gpus);
        Assert.Empty(gpus.Samples);
    }
}
