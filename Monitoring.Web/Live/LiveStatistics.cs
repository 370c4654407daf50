using Monitoring.Core.Tasks;

namespace Monitoring.Web.Live;

/// <summary>The dashboard's task statistics, read once for every open page: task changes re-read them from the
/// database at most every <see cref="Interval"/> and the result goes out on the <see cref="LiveFeed"/> as a
/// <see cref="StatsUpdate"/>. Twenty-five open dashboards cost one query per interval, not twenty-five, and a
/// change reaches every page within about one interval (the <c>circuits</c> benchmark measures it).</summary>
public sealed class LiveStatistics(LiveFeed feed, TaskStatistics statistics, TimeProvider clock, ILogger<LiveStatistics> logger)
    : BackgroundService
{
    /// <summary>The window of the dashboard's "last hour" figures.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>The shortest time between two reads caused by task changes: one read for all pages, so shorter than
    /// a page's 500 ms render interval, which then sets the pace.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>Older statistics are read again even without task changes: the hour window moves on.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(15);

    private readonly SemaphoreSlim _reading = new(1, 1);
    private TaskStats? _latest;

    /// <summary>The latest statistics, read now when there are none yet or they are older than <see cref="MaxAge"/>
    /// (a page opened while the service is not running, e.g. in component tests, still gets figures).</summary>
    public async Task<TaskStats> GetLatestAsync(CancellationToken cancellationToken = default)
    {
        var latest = Volatile.Read(ref _latest);
        return latest is not null && clock.GetUtcNow() - latest.At < MaxAge ? latest : await RefreshAsync(cancellationToken);
    }

    /// <summary>Reads the statistics now and sends them to every open page.</summary>
    public async Task<TaskStats> RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _reading.WaitAsync(cancellationToken);
        try
        {
            var stats = await statistics.GetAsync(Window, cancellationToken);
            Volatile.Write(ref _latest, stats);
            feed.Publish(new StatsUpdate(stats));
            return stats;
        }
        finally
        {
            _reading.Release();
        }
    }

    public override void Dispose()
    {
        _reading.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        LiveBatcher.RunAsync(feed.Subscribe(stoppingToken), Interval, clock, batch => OnBatchAsync(batch, stoppingToken), stoppingToken);

    private async Task OnBatchAsync(LiveBatch batch, CancellationToken cancellationToken)
    {
        var latest = Volatile.Read(ref _latest);
        var stale = latest is null || clock.GetUtcNow() - latest.At >= MaxAge;
        // Its own StatsUpdate comes back through the feed too: only task and pool changes and age count. Pool
        // changes count because the dashboard shows the pool's figures when the statistics arrive, not on each change
        // (one render per change, with everything in it).
        if (!batch.HasPoolChanges && batch.Dropped == 0 && !stale)
        {
            return;
        }

        try
        {
            await RefreshAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Pages keep the figures they have; the next task change or probe reading tries again.
            logger.LogWarning(ex, "Dashboard statistics could not be read");
        }
    }
}
