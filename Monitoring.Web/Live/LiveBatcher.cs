namespace Monitoring.Web.Live;

/// <summary>Gathers a stream of updates into batches, at most one per interval: the first update after a quiet
/// spell goes out at once, later ones wait until an interval has passed since the last batch went out.</summary>
public static class LiveBatcher
{
    /// <summary>Updates a batch holds at most; older ones are dropped and counted in <see cref="LiveBatch.Dropped"/>.</summary>
    public const int MaxBatchSize = 512;

    /// <summary>Runs until <paramref name="updates"/> ends or <paramref name="cancellationToken"/> is cancelled
    /// (then it returns quietly). <paramref name="flush"/> runs one batch at a time; an exception from it ends the run.</summary>
    public static Task RunAsync(
        IAsyncEnumerable<LiveUpdate> updates, TimeSpan interval, TimeProvider clock, Func<LiveBatch, Task> flush,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flush);
        return RunAsync(updates, interval, clock, (items, dropped) => flush(new LiveBatch(items, dropped)), cancellationToken);
    }

    /// <summary>The same for any stream (e.g. log entries): <paramref name="flush"/> gets the items, oldest first, and
    /// how many older ones were dropped from the batch.</summary>
    public static async Task RunAsync<T>(
        IAsyncEnumerable<T> updates, TimeSpan interval, TimeProvider clock, Func<IReadOnlyList<T>, int, Task> flush,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(flush);
        var batch = new Queue<T>();
        var dropped = 0;
        long? lastFlush = null;
        Task<bool>? next = null;
        Task? due = null;
        var enumerator = updates.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                next ??= enumerator.MoveNextAsync().AsTask();
                if (due is not null && await Task.WhenAny(next, due) == due)
                {
                    due = null;
                    await FlushAsync();
                    continue;
                }

                if (!await next)
                {
                    return;
                }

                next = null;
                if (batch.Count == MaxBatchSize)
                {
                    batch.Dequeue();
                    dropped++;
                }

                batch.Enqueue(enumerator.Current);
                if (due is null)
                {
                    var wait = lastFlush is { } last ? interval - clock.GetElapsedTime(last) : TimeSpan.Zero;
                    if (wait > TimeSpan.Zero)
                    {
                        due = Task.Delay(wait, clock, cancellationToken);
                    }
                    else
                    {
                        await FlushAsync();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled while reading or waiting: the caller is done with the updates.
        }
        finally
        {
            // An async iterator must not be disposed while a MoveNextAsync is in flight; once cancelled, it completes.
            if (next is not null)
            {
                await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await enumerator.DisposeAsync();
        }

        async Task FlushAsync()
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            T[] items = [.. batch];
            var droppedNow = dropped;
            batch.Clear();
            dropped = 0;
            await flush(items, droppedNow);
            lastFlush = clock.GetTimestamp();
        }
    }
}
