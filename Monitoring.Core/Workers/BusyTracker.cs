namespace Monitoring.Core.Workers;

/// <summary>How busy a worker was over the last five minutes, in 60 fixed five-second buckets:
/// constant memory however many tasks it runs.</summary>
internal sealed class BusyTracker
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private static readonly long BucketTicks = TimeSpan.FromSeconds(5).Ticks;
    private const int Buckets = 60;

    private readonly long[] _busyTicks = new long[Buckets];
    private readonly long[] _bucketIndex = new long[Buckets];
    private DateTimeOffset? _busySince;

    public void Start(DateTimeOffset at) => _busySince = at;

    public void Stop(DateTimeOffset at)
    {
        if (_busySince is { } since)
        {
            Add(since, at);
            _busySince = null;
        }
    }

    /// <summary>Busy time ÷ window, counting a task still running up to <paramref name="now"/>.</summary>
    public double Ratio(DateTimeOffset now)
    {
        var windowStart = now - Window;
        var current = now.UtcTicks / BucketTicks;
        long busy = 0;
        for (var i = 0; i < Buckets; i++)
        {
            if (current - _bucketIndex[i] < Buckets)
            {
                busy += _busyTicks[i];
            }
        }

        if (_busySince is { } since && since < now)
        {
            busy += (now - (since < windowStart ? windowStart : since)).Ticks;
        }

        return Math.Clamp(busy / (double)Window.Ticks, 0, 1);
    }

    private void Add(DateTimeOffset from, DateTimeOffset to)
    {
        var start = from.UtcTicks;
        var end = to.UtcTicks;
        while (start < end)
        {
            var bucket = start / BucketTicks;
            var bucketEnd = (bucket + 1) * BucketTicks;
            var slice = Math.Min(end, bucketEnd) - start;
            var slot = (int)(bucket % Buckets);
            if (_bucketIndex[slot] != bucket)
            {
                _bucketIndex[slot] = bucket;
                _busyTicks[slot] = 0;
            }

            _busyTicks[slot] += slice;
            start += slice;
        }
    }
}
