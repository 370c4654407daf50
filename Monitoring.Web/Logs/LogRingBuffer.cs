using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Monitoring.Web.Logs;

/// <summary>The newest log entries of this process, for the live tail and the search API. Bounded: when full,
/// the oldest entry is dropped. Each subscriber gets its own bounded channel that drops its oldest unread entry
/// rather than slow the logger down (a UI feed, not work).</summary>
/// <remarks>To show history and then follow without a gap, subscribe first and then <see cref="Query"/>; a
/// subscribed entry whose <see cref="LogEntry.Sequence"/> is not above the newest queried one is a repeat.</remarks>
public sealed class LogRingBuffer
{
    public const int DefaultCapacity = 5000;
    public const int DefaultSubscriberCapacity = 1000;

    private readonly Lock _lock = new();
    private readonly LogEntry[] _entries;
    private readonly List<LogSubscription> _subscribers = [];
    private int _next;
    private int _count;

    public LogRingBuffer(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _entries = new LogEntry[capacity];
    }

    public int Capacity => _entries.Length;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public int SubscriberCount
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count;
            }
        }
    }

    public void Add(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            _entries[_next] = entry;
            _next = (_next + 1) % _entries.Length;
            _count = Math.Min(_count + 1, _entries.Length);
            // Under the lock so every subscriber sees entries in the order the buffer holds them;
            // TryWrite on a DropOldest channel never blocks.
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(entry);
            }
        }
    }

    /// <summary>The matching entries, newest first, at most <see cref="LogQuery.Limit"/>.</summary>
    public IReadOnlyList<LogEntry> Query(LogQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var snapshot = Snapshot();
        var result = new List<LogEntry>(Math.Min(query.Limit, snapshot.Length));
        for (var i = snapshot.Length - 1; i >= 0 && result.Count < query.Limit; i--)
        {
            if (query.Matches(snapshot[i]))
            {
                result.Add(snapshot[i]);
            }
        }

        return result;
    }

    /// <summary>Entries added from now on, until the subscription is disposed.</summary>
    public LogSubscription Subscribe(int capacity = DefaultSubscriberCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var channel = Channel.CreateBounded<LogEntry>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        var subscription = new LogSubscription(this, channel);
        lock (_lock)
        {
            _subscribers.Add(subscription);
        }

        return subscription;
    }

    /// <summary>Follows new entries until <paramref name="cancellationToken"/> fires; unsubscribes when the loop ends.</summary>
    public async IAsyncEnumerable<LogEntry> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var subscription = Subscribe();
        await foreach (var entry in subscription.Reader.ReadAllAsync(cancellationToken))
        {
            yield return entry;
        }
    }

    internal void Unsubscribe(LogSubscription subscription)
    {
        lock (_lock)
        {
            _subscribers.Remove(subscription);
            subscription.Writer.TryComplete();
        }
    }

    /// <summary>Oldest first.</summary>
    private LogEntry[] Snapshot()
    {
        lock (_lock)
        {
            var copy = new LogEntry[_count];
            var start = (_next - _count + _entries.Length) % _entries.Length;
            for (var i = 0; i < _count; i++)
            {
                copy[i] = _entries[(start + i) % _entries.Length];
            }

            return copy;
        }
    }
}

/// <summary>One subscriber's feed of new entries; dispose it to unsubscribe (the reader then completes).</summary>
public sealed class LogSubscription : IDisposable
{
    private readonly LogRingBuffer _owner;
    private readonly Channel<LogEntry> _channel;

    internal LogSubscription(LogRingBuffer owner, Channel<LogEntry> channel)
    {
        _owner = owner;
        _channel = channel;
    }

    public ChannelReader<LogEntry> Reader => _channel.Reader;

    internal ChannelWriter<LogEntry> Writer => _channel.Writer;

    public void Dispose() => _owner.Unsubscribe(this);
}
