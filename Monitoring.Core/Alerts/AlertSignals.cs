using Microsoft.EntityFrameworkCore;
using Monitoring.Core.Storage;

namespace Monitoring.Core.Alerts;

/// <summary>The current value of one series of a signal.</summary>
/// <param name="Labels">Canonical labels (<see cref="Metrics.MetricLabels"/>), empty for an unlabelled series.</param>
public sealed record AlertSignal(string Labels, double Value);

/// <summary>What the evaluator reads: the current series of a signal name. A series without a recent value is left
/// out, and its instance goes to NoData.</summary>
public interface IAlertSignalSource
{
    Task<IReadOnlyList<AlertSignal>> ReadAsync(string metric, CancellationToken cancellationToken);
}

/// <summary>Reads the metric store: each series' latest raw sample, if it is within the lookback window.</summary>
public sealed class StoredAlertSignals(IDbContextFactory<MonitoringDbContext> dbFactory, TimeProvider clock)
{
    public async Task<IReadOnlyList<AlertSignal>> LatestAsync(string metric, TimeSpan lookback, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await LatestBetweenAsync(metric, now - lookback, now, cancellationToken);
    }

    /// <summary>Each series' latest sample in [from, to]; the (SeriesId, At) index answers it per series.</summary>
    public async Task<IReadOnlyList<AlertSignal>> LatestBetweenAsync(string metric, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.MetricSeries.AsNoTracking()
            .Where(s => s.Name == metric)
            .Select(s => new
            {
                s.Labels,
                Value = db.MetricSamples.Where(m => m.SeriesId == s.Id && m.At >= from && m.At <= to)
                    .OrderByDescending(m => m.At).Select(m => (double?)m.Value).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        return rows.Where(r => r.Value is not null).Select(r => new AlertSignal(r.Labels, r.Value!.Value)).ToList();
    }

    /// <summary>The average over every sample of every series of the name in [from, to]; null without samples.</summary>
    public async Task<double?> AverageAsync(string metric, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.MetricSamples.AsNoTracking()
            .Where(m => m.At >= from && m.At <= to && db.MetricSeries.Any(s => s.Id == m.SeriesId && s.Name == metric))
            .AverageAsync(m => (double?)m.Value, cancellationToken);
    }
}

/// <summary>A signal source over the metric store alone (stored series; derived signals have no series).</summary>
public sealed class StoredOnlyAlertSignals(StoredAlertSignals stored, TimeSpan lookback) : IAlertSignalSource
{
    public Task<IReadOnlyList<AlertSignal>> ReadAsync(string metric, CancellationToken cancellationToken) =>
        stored.LatestAsync(metric, lookback, cancellationToken);
}
