using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Tests.Support;
using Monitoring.Web.Live;

namespace Monitoring.Tests.Live;

public sealed class LiveBatcherTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly FakeTimeProvider _clock = new();
    private readonly Channel<LiveUpdate> _source = Channel.CreateUnbounded<LiveUpdate>();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(DateTimeOffset At, LiveBatch Batch)> _flushes = [];
    private Task? _run;

    public void Dispose() => _stop.Dispose();

    private static PoolUpdate Numbered(int n) => new(DateTimeOffset.UnixEpoch.AddSeconds(n));

    private void Start() =>
        _run = LiveBatcher.RunAsync(_source.Reader.ReadAllAsync(_stop.Token), Interval, _clock, batch =>
        {
            lock (_flushes)
            {
                _flushes.Add((_clock.GetUtcNow(), batch));
            }

            return Task.CompletedTask;
        }, _stop.Token);

    private int FlushCount => Flushes().Count;

    private List<(DateTimeOffset At, LiveBatch Batch)> Flushes()
    {
        lock (_flushes)
        {
            return [.. _flushes];
        }
    }

    /// <summary>Until the batcher has taken everything written so far (the fake clock does not move meanwhile).</summary>
    private async Task ConsumedAsync()
    {
        await Eventually.TrueAsync(() => _source.Reader.Count == 0, "the batcher read the updates");
        await Task.Delay(50);
    }

    [Fact]
    public async Task The_first_update_goes_out_at_once_and_a_burst_waits_for_the_interval()
    {
        Start();

        await _source.Writer.WriteAsync(Numbered(1));
        await Eventually.TrueAsync(() => FlushCount == 1, "the first update went out without waiting");
        foreach (var n in new[] { 2, 3, 4 })
        {
            await _source.Writer.WriteAsync(Numbered(n));
        }

        await ConsumedAsync();
        _clock.Advance(Interval - TimeSpan.FromMilliseconds(1));
        await Task.Delay(50);
        Assert.Equal(1, FlushCount);

        _clock.Advance(TimeSpan.FromMilliseconds(1));

        await Eventually.TrueAsync(() => FlushCount == 2, "the burst went out one interval after the first");
        var burst = Flushes()[1].Batch;
        Assert.Equal([Numbered(2), Numbered(3), Numbered(4)], burst.Updates);
        Assert.Equal(0, burst.Dropped);
    }

    [Fact]
    public async Task A_steady_stream_goes_out_at_most_once_per_interval_and_loses_nothing()
    {
        Start();
        const int count = 40;

        for (var n = 0; n < count; n++)
        {
            await _source.Writer.WriteAsync(Numbered(n));
            await ConsumedAsync();
            _clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        _clock.Advance(Interval);
        await Eventually.TrueAsync(() => Flushes().Sum(f => f.Batch.Updates.Count) == count, "every update went out");
        var flushes = Flushes();
        Assert.Equal(Enumerable.Range(0, count).Select(Numbered), flushes.SelectMany(f => f.Batch.Updates));
        Assert.All(flushes.Zip(flushes.Skip(1)), pair => Assert.True(pair.Second.At - pair.First.At >= Interval, $"{pair.First.At:O} → {pair.Second.At:O}"));
        Assert.InRange(flushes.Count, count * 100 / 500, (count * 100 / 500) + 2);
    }

    [Fact]
    public async Task A_full_batch_keeps_the_newest_updates_and_counts_the_dropped()
    {
        Start();
        await _source.Writer.WriteAsync(Numbered(-1));
        await Eventually.TrueAsync(() => FlushCount == 1, "the first update went out");
        const int extra = 10;

        for (var n = 0; n < LiveBatcher.MaxBatchSize + extra; n++)
        {
            await _source.Writer.WriteAsync(Numbered(n));
        }

        await ConsumedAsync();
        _clock.Advance(Interval);

        await Eventually.TrueAsync(() => FlushCount == 2, "the full batch went out");
        var batch = Flushes()[1].Batch;
        Assert.Equal(extra, batch.Dropped);
        Assert.Equal(Enumerable.Range(extra, LiveBatcher.MaxBatchSize).Select(Numbered), batch.Updates);
    }

    [Fact]
    public async Task Cancelling_ends_the_run_quietly_even_with_a_batch_waiting()
    {
        Start();
        await _source.Writer.WriteAsync(Numbered(1));
        await Eventually.TrueAsync(() => FlushCount == 1, "the first update went out");
        await _source.Writer.WriteAsync(Numbered(2));
        await ConsumedAsync();

        await _stop.CancelAsync();

        await _run!.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, FlushCount);
    }
}
