using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Monitoring.Core.Probes;
using Monitoring.Core.Tasks;
using Monitoring.Core.Workers;
using Monitoring.Gpu;

namespace Monitoring.Web.Live;

/// <summary>Pushes what changed to the open console pages, without polling the database: committed task changes
/// (<see cref="TaskQueue.Changed"/>), the worker pool (<see cref="WorkerPool.WorkerFreed"/>, <see cref="WorkerPool.Resized"/> and task starts and
/// ends) and probe samples (the probe jobs call <see cref="PublishSystemSample"/> and <see cref="PublishGpuSamples"/>).</summary>
/// <remarks>
/// Each subscriber reads its own channel of <see cref="SubscriberCapacity"/> updates that drops the oldest when
/// full (aspire's <c>TelemetryRepository.Watchers.cs</c> does the same for its UI feeds), so a slow page never
/// blocks a publisher — a task write, a worker, a probe job — and never holds more than that many updates.
/// The subscriber list is bounded too: past <see cref="MaxSubscribers"/> a new subscription is refused.
/// </remarks>
public sealed class LiveFeed : IDisposable
{
    public const int SubscriberCapacity = 256;

    /// <summary>Far above the open pages one machine's console serves; reaching it means subscriptions leak.</summary>
    public const int MaxSubscribers = 1000;

    private readonly Lock _lock = new();
    private readonly TaskQueue _queue;
    private readonly WorkerPool _pool;
    private readonly TimeProvider _clock;
    // Copy-on-write, so publishers iterate a snapshot without taking the lock.
    private Channel<LiveUpdate>[] _subscribers = [];
    private long _dropped;

    public LiveFeed(TaskQueue queue, WorkerPool pool, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(pool);
        _queue = queue;
        _pool = pool;
        _clock = clock;
        _queue.Changed += OnTaskChanged;
        _pool.WorkerFreed += OnPoolChanged;
        _pool.Resized += OnPoolChanged;
    }

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Updates dropped from full subscriber channels since start (a page busy or stuck for that long).</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Subscribes now and returns the updates published from now on. The subscription ends when
    /// <paramref name="cancellationToken"/> is cancelled or the enumeration is disposed; enumerate it once.</summary>
    /// <exception cref="InvalidOperationException">There are already <see cref="MaxSubscribers"/> subscribers.</exception>
    public IAsyncEnumerable<LiveUpdate> Subscribe(CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<LiveUpdate>(
            new BoundedChannelOptions(SubscriberCapacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = false,
            },
            _ => Interlocked.Increment(ref _dropped));
        lock (_lock)
        {
            if (_subscribers.Length >= MaxSubscribers)
            {
                throw new InvalidOperationException($"The live feed already has {MaxSubscribers} subscribers; subscriptions are not being ended.");
            }

            _subscribers = [.. _subscribers, channel];
        }

        // Registered eagerly, so a subscription that is cancelled before it is ever enumerated goes away too.
        var registration = cancellationToken.Register(() => Remove(channel));
        return ReadAsync(channel, registration, cancellationToken);
    }

    public void Publish(LiveUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        foreach (var channel in Volatile.Read(ref _subscribers))
        {
            // Never false for a DropOldest channel unless it was completed by its subscriber's end.
            channel.Writer.TryWrite(update);
        }
    }

    public void PublishSystemSample(SystemSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        Publish(new SystemSampleUpdate(sample));
    }

    public void PublishGpuSamples(IReadOnlyList<GpuSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        Publish(new GpuSampleUpdate(samples, samples.Count > 0 ? samples.Max(s => s.At) : _clock.GetUtcNow()));
    }

    public void Dispose()
    {
        _queue.Changed -= OnTaskChanged;
        _pool.WorkerFreed -= OnPoolChanged;
        _pool.Resized -= OnPoolChanged;
        Channel<LiveUpdate>[] subscribers;
        lock (_lock)
        {
            subscribers = _subscribers;
            _subscribers = [];
        }

        foreach (var channel in subscribers)
        {
            channel.Writer.TryComplete();
        }
    }

    private async IAsyncEnumerable<LiveUpdate> ReadAsync(
        Channel<LiveUpdate> channel, CancellationTokenRegistration registration, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            // Ends quietly on cancellation: the caller asked for it, it is not an error.
            while (await WaitToReadAsync(channel.Reader, cancellationToken))
            {
                while (!cancellationToken.IsCancellationRequested && channel.Reader.TryRead(out var update))
                {
                    yield return update;
                }
            }
        }
        finally
        {
            await registration.DisposeAsync();
            Remove(channel);
        }
    }

    private static async ValueTask<bool> WaitToReadAsync(ChannelReader<LiveUpdate> reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.WaitToReadAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Remove(Channel<LiveUpdate> channel)
    {
        lock (_lock)
        {
            var index = Array.IndexOf(_subscribers, channel);
            if (index >= 0)
            {
                _subscribers = [.. _subscribers[..index], .. _subscribers[(index + 1)..]];
            }
        }

        channel.Writer.TryComplete();
    }

    private void OnTaskChanged(TaskChange change)
    {
        Publish(new TaskUpdate(change));
        // Claims and finishes move workers; the pool raises no event when a worker becomes busy.
        if (change.From == TaskState.Processing || change.To == TaskState.Processing)
        {
            Publish(new PoolUpdate(change.At));
        }
    }

    private void OnPoolChanged() => Publish(new PoolUpdate(_clock.GetUtcNow()));
}
