namespace Monitoring.Web.Metrics;

/// <summary>Request count, 5xx count and p95 latency over the last <see cref="Window"/>, for the alert signals.</summary>
/// <param name="P95Seconds">Estimated from histogram buckets as Prometheus' <c>histogram_quantile</c> does; null without requests.</param>
public sealed record HttpRequestSummary(long Requests, long Errors, double? P95Seconds)
{
    /// <summary>5xx ÷ requests; 0 without requests.</summary>
    public double ErrorRatio => Requests == 0 ? 0 : (double)Errors / Requests;
}

/// <summary>The last five minutes of HTTP requests, fed by <see cref="HttpMetricsMiddleware"/>: a ring of
/// <see cref="SlotCount"/> ten-second slots, each a latency histogram over the <c>/metrics</c> buckets plus counts.
/// Fixed size whatever the traffic; the HTTP alert rules read it at each evaluation.</summary>
public sealed class HttpRequestWindow(TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_slotLength = TimeSpan.FromSeconds(10);
    private static readonly int SlotCount = (int)(Window / s_slotLength);

    private readonly Lock _lock = new();
    private readonly Slot[] _slots = Enumerable.Range(0, SlotCount).Select(_ => new Slot()).ToArray();

    public void Record(TimeSpan elapsed, int status)
    {
        var index = SlotIndex(clock.GetUtcNow());
        var bucket = BucketOf(elapsed.TotalSeconds);
        lock (_lock)
        {
            var slot = _slots[index % SlotCount];
            if (slot.Index != index)
            {
                slot.Reset(index);
            }

            slot.Requests++;
            slot.Buckets[bucket]++;
            if (status >= 500)
            {
                slot.Errors++;
            }
        }
    }

    public HttpRequestSummary Summarize()
    {
        var newest = SlotIndex(clock.GetUtcNow());
        var buckets = new long[MonitoringMeters.HttpBuckets.Length + 1];
        long requests = 0, errors = 0;
        lock (_lock)
        {
            foreach (var slot in _slots.Where(s => s.Index > newest - SlotCount && s.Index <= newest))
            {
                requests += slot.Requests;
                errors += slot.Errors;
                for (var i = 0; i < buckets.Length; i++)
                {
                    buckets[i] += slot.Buckets[i];
                }
            }
        }

        return new HttpRequestSummary(requests, errors, requests == 0 ? null : Quantile(0.95, buckets, requests));
    }

    /// <summary>Linear interpolation inside the bucket holding the rank, from 0 for the first bucket; a rank in the
    /// overflow bucket answers the highest finite bound (both as <c>histogram_quantile</c>).</summary>
    private static double Quantile(double q, long[] buckets, long total)
    {
        var bounds = MonitoringMeters.HttpBuckets;
        var rank = q * total;
        long below = 0;
        for (var i = 0; i < bounds.Length; i++)
        {
            if (below + buckets[i] >= rank && buckets[i] > 0)
            {
                var lower = i == 0 ? 0 : bounds[i - 1];
                return lower + ((bounds[i] - lower) * (rank - below) / buckets[i]);
            }

            below += buckets[i];
        }

        return bounds[^1];
    }

    private static int BucketOf(double seconds)
    {
        var bounds = MonitoringMeters.HttpBuckets;
        for (var i = 0; i < bounds.Length; i++)
        {
            if (seconds <= bounds[i])
            {
                return i;
            }
        }

        return bounds.Length;
    }

    private static long SlotIndex(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / (long)s_slotLength.TotalMilliseconds;

    private sealed class Slot
    {
        public long Index { get; private set; } = long.MinValue;
        public long Requests { get; set; }
        public long Errors { get; set; }
        public long[] Buckets { get; } = new long[MonitoringMeters.HttpBuckets.Length + 1];

        public void Reset(long index)
        {
            Index = index;
            Requests = 0;
            Errors = 0;
            Array.Clear(Buckets);
        }
    }
}
