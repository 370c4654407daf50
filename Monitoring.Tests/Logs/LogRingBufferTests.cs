using Monitoring.Web.Logs;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using static Monitoring.Tests.Logs.ClefLines;

namespace Monitoring.Tests.Logs;

public sealed class LogRingBufferTests
{
    [Fact]
    public void A_full_buffer_drops_its_oldest_entries()
    {
        var buffer = new LogRingBuffer(capacity: 3);

        for (var i = 1; i <= 5; i++)
        {
            buffer.Add(Entry(Noon.AddSeconds(i), $"event {i}", sequence: i));
        }

        Assert.Equal(3, buffer.Count);
        Assert.Equal(["event 5", "event 4", "event 3"], buffer.Query(LogQuery.All).Select(e => e.Message));
    }

    [Fact]
    public void Query_filters_by_level_source_text_and_time_newest_first_up_to_the_limit()
    {
        var buffer = new LogRingBuffer();
        buffer.Add(Entry(Noon.AddMinutes(1), "GPU 0 placed", "Information", "Monitoring.Core.Scheduling.GpuScheduler", sequence: 1));
        buffer.Add(Entry(Noon.AddMinutes(2), "Task failed", "Error", "Monitoring.Core.Workers.WorkerPool", "System.TimeoutException: gpu hung", 2));
        buffer.Add(Entry(Noon.AddMinutes(3), "GPU 1 hot", "Warning", "Monitoring.Gpu.GpuInventory", sequence: 3));
        buffer.Add(Entry(Noon.AddMinutes(4), "gpu lease renewed", "Debug", "Monitoring.Core.Scheduling.SchedulerLease", sequence: 4));

        Assert.Equal([2, 3], Seq(buffer.Query(new LogQuery { MinimumLevel = LogEventLevel.Warning })).Order());
        Assert.Equal([4, 1], Seq(buffer.Query(new LogQuery { Source = "monitoring.core.scheduling" })));
        Assert.Equal([4, 3, 2, 1], Seq(buffer.Query(new LogQuery { Search = "GPU" })));
        Assert.Equal([3, 2], Seq(buffer.Query(new LogQuery { From = Noon.AddMinutes(2), To = Noon.AddMinutes(4) })));
        Assert.Equal([4, 3], Seq(buffer.Query(new LogQuery { Limit = 2 })));
    }

    [Fact]
    public async Task A_subscriber_receives_new_entries_until_it_unsubscribes()
    {
        var buffer = new LogRingBuffer();
        buffer.Add(Entry(Noon, "before", sequence: 1));

        var subscription = buffer.Subscribe();
        buffer.Add(Entry(Noon.AddSeconds(1), "while subscribed", sequence: 2));
        Assert.True(subscription.Reader.TryRead(out var received));
        Assert.Equal("while subscribed", received.Message);
        Assert.Equal(1, buffer.SubscriberCount);

        subscription.Dispose();
        buffer.Add(Entry(Noon.AddSeconds(2), "after", sequence: 3));

        Assert.Equal(0, buffer.SubscriberCount);
        Assert.False(subscription.Reader.TryRead(out _));
        await subscription.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_slow_subscriber_loses_its_oldest_unread_entries_and_never_blocks_the_logger()
    {
        var buffer = new LogRingBuffer();
        using var subscription = buffer.Subscribe(capacity: 2);

        for (var i = 1; i <= 5; i++)
        {
            buffer.Add(Entry(Noon.AddSeconds(i), $"event {i}", sequence: i));
        }

        Assert.True(subscription.Reader.TryRead(out var first));
        Assert.True(subscription.Reader.TryRead(out var second));
        Assert.False(subscription.Reader.TryRead(out _));
        Assert.Equal(["event 4", "event 5"], new[] { first.Message, second.Message });
    }

    [Fact]
    public async Task Watching_follows_new_entries_and_unsubscribes_when_cancelled()
    {
        var buffer = new LogRingBuffer();
        using var cts = new CancellationTokenSource();
        var watch = buffer.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        try
        {
            var next = watch.MoveNextAsync();
            Assert.Equal(1, buffer.SubscriberCount);
            buffer.Add(Entry(Noon, "live", sequence: 1));
            Assert.True(await next.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.Equal("live", watch.Current.Message);

            next = watch.MoveNextAsync();
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        }
        finally
        {
            await watch.DisposeAsync();
        }

        Assert.Equal(0, buffer.SubscriberCount);
    }

    [Fact]
    public void The_sink_stores_rendered_events_numbered_by_the_enricher()
    {
        var buffer = new LogRingBuffer();
        using (var logger = new LoggerConfiguration()
            .Enrich.With(new LogSequenceEnricher())
            .WriteTo.Sink(new LogRingBufferSink(buffer))
            .CreateLogger())
        {
            logger.ForContext(Constants.SourceContextPropertyName, "Monitoring.Tests.Source").Information("Task {TaskId} placed", 42);
            logger.Error(new InvalidOperationException("boom"), "Worker {Worker} crashed", "w-1");
        }

        var entries = buffer.Query(LogQuery.All);

        Assert.Equal([2, 1], Seq(entries));
        Assert.Equal(("Error", "Worker \"w-1\" crashed", ""), (entries[0].Level, entries[0].Message, entries[0].Source));
        Assert.Contains("InvalidOperationException: boom", entries[0].Exception, StringComparison.Ordinal);
        Assert.Equal(("Information", "Task 42 placed", "Monitoring.Tests.Source", (string?)null), (entries[1].Level, entries[1].Message, entries[1].Source, entries[1].Exception));
    }

    private static IEnumerable<long> Seq(IEnumerable<LogEntry> entries) => entries.Select(e => e.Sequence);
}
