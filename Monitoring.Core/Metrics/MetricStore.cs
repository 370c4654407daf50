using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.Core.Storage;

namespace Monitoring.Core.Metrics;

/// <summary>History of the probe and pipeline readings (SPEC §5, §10): raw samples for
/// <c>Metrics:RawRetentionHours</c>, folded into 1-minute roll-ups (min, max, sum, count) kept for
/// <c>Metrics:RollupRetentionDays</c>. The probe jobs record, the retention job rolls up and prunes, the
/// trend charts and <c>/api/v1/metrics</c> query.</summary>
/// <remarks>The SQL here is portable (quoted identifiers, <c>ON CONFLICT</c> upserts, integer division of
/// Unix milliseconds), so the store moves to PostgreSQL with the rest of the model.</remarks>
public sealed class MetricStore(
    IDbContextFactory<MonitoringDbContext> dbFactory, IOptionsMonitor<MetricStoreOptions> options, TimeProvider clock, ILogger<MetricStore> logger)
{
    /// <summary>Most points (steps × series) one query returns.</summary>
    public const int MaxPoints = 10_000;

    /// <summary>Points a query aims at when the caller names no step.</summary>
    public const int DefaultPoints = 360;

    /// <summary>Most distinct series the store accepts. The product's labels are bounded (GPUs, mounts, task
    /// types); this guards against a bug that would label by something unbounded.</summary>
    public const int MaxSeries = 2_000;

    public static readonly TimeSpan RollupStep = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MinStep = TimeSpan.FromSeconds(1);

    private const long MinuteMs = 60_000;

    /// <summary>A probe samples, then records a moment later: a sample can land in a minute already rolled
    /// up. Each roll-up folds this many recent minutes again.</summary>
    private static readonly TimeSpan s_refold = TimeSpan.FromMinutes(5);

    /// <summary>Each roll-up and delete statement covers at most this much time, so no write holds the database long.</summary>
    private static readonly TimeSpan s_rollUpBatch = TimeSpan.FromHours(1);
    private static readonly TimeSpan s_rawPruneBatch = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan s_rollupPruneBatch = TimeSpan.FromHours(6);

    private static readonly TimeSpan[] s_niceSteps =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30),
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2),
        TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12), TimeSpan.FromDays(1),
    ];

    /// <summary>Series ids by (name, labels); bounded by <see cref="MaxSeries"/>. Ids never change once written.</summary>
    private readonly ConcurrentDictionary<(string Name, string Labels), int> _series = new();
    private volatile bool _seriesLoaded;
    private int _overflowWarned;

    /// <summary>Writes the points in one transaction; points with a non-finite value or an over-long name or
    /// labels are skipped. Returns how many were written.</summary>
    public async Task<int> RecordAsync(IReadOnlyList<MetricPoint> points, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        var valid = points.Where(IsRecordable).ToList();
        if (valid.Count == 0)
        {
            return 0;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await LoadSeriesAsync(db, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var created = new Dictionary<(string Name, string Labels), int>();
        foreach (var key in valid.Select(p => (p.Name, p.Labels)).Distinct())
        {
            if (_series.ContainsKey(key))
            {
                continue;
            }

            if (_series.Count + created.Count >= MaxSeries)
            {
                if (Interlocked.Exchange(ref _overflowWarned, 1) == 0)
                {
                    logger.LogWarning("The metric store holds {Max} series; new series such as {Name}{{{Labels}}} are not recorded", MaxSeries, key.Name, key.Labels);
                }

                continue;
            }

            // Another process on the same database may have created it meanwhile.
            await db.Database.ExecuteSqlAsync(
                $"""INSERT INTO "MetricSeries" ("Name", "Labels") VALUES ({key.Name}, {key.Labels}) ON CONFLICT ("Name", "Labels") DO NOTHING""",
                cancellationToken);
            created[key] = await db.MetricSeries.Where(s => s.Name == key.Name && s.Labels == key.Labels).Select(s => s.Id).SingleAsync(cancellationToken);
        }

        var recorded = 0;
        foreach (var point in valid)
        {
            var key = (point.Name, point.Labels);
            if (_series.TryGetValue(key, out var id) || created.TryGetValue(key, out id))
            {
                db.MetricSamples.Add(new MetricSample { SeriesId = id, At = point.At, Value = point.Value });
                recorded++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var (key, id) in created)
        {
            _series.TryAdd(key, id);
        }

        return recorded;
    }

    /// <summary>Folds raw samples of every minute before the current one into roll-ups. Each minute's row is
    /// computed from all its raw samples and upserted whole, so running again changes nothing (and picks up a
    /// sample that arrived late in a recent minute). Returns the roll-up rows written.</summary>
    public async Task<int> RollUpAsync(CancellationToken cancellationToken = default)
    {
        var end = Floor(clock.GetUtcNow().ToUnixTimeMilliseconds(), MinuteMs);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        long start;
        if (await RolledUpToAsync(db, cancellationToken) is { } rolledUpTo)
        {
            start = rolledUpTo - (long)s_refold.TotalMilliseconds;
        }
        else if (await db.MetricSamples.MinAsync(s => (DateTimeOffset?)s.At, cancellationToken) is { } oldest)
        {
            start = Floor(oldest.ToUnixTimeMilliseconds(), MinuteMs);
        }
        else
        {
            return 0;
        }

        var written = 0;
        for (var from = start; from < end; from += (long)s_rollUpBatch.TotalMilliseconds)
        {
            var to = Math.Min(from + (long)s_rollUpBatch.TotalMilliseconds, end);
            // "WHERE true": SQLite needs a WHERE in INSERT … SELECT … ON CONFLICT to parse it unambiguously.
            written += await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO "MetricRollups" ("SeriesId", "Minute", "Min", "Max", "Sum", "Count")
                SELECT m."SeriesId", m."Minute", MIN(m."Value"), MAX(m."Value"), SUM(m."Value"), COUNT(*)
                FROM (SELECT "SeriesId", "At" / 60000 * 60000 AS "Minute", "Value"
                      FROM "MetricSamples" WHERE "At" >= {from} AND "At" < {to}) AS m
                WHERE true
                GROUP BY m."SeriesId", m."Minute"
                ON CONFLICT ("SeriesId", "Minute") DO UPDATE SET
                    "Min" = excluded."Min", "Max" = excluded."Max", "Sum" = excluded."Sum", "Count" = excluded."Count"
                """,
                cancellationToken);
        }

        return written;
    }

    /// <summary>Removes raw samples past <c>Metrics:RawRetentionHours</c> (only those already rolled up) and
    /// roll-ups past <c>Metrics:RollupRetentionDays</c>, a time slice per statement. Returns the rows removed.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.CurrentValue;
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var removed = 0;

        if (await RolledUpToAsync(db, cancellationToken) is { } rolledUpTo)
        {
            // Whole minutes only: a minute folded again finds all its samples or none (and then keeps its roll-up).
            var rawCutoff = DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(
                Floor(now.AddHours(-settings.RawRetentionHours).ToUnixTimeMilliseconds(), MinuteMs), rolledUpTo));
            while (await db.MetricSamples.MinAsync(s => (DateTimeOffset?)s.At, cancellationToken) is { } oldest && oldest < rawCutoff)
            {
                var before = Min(oldest + s_rawPruneBatch, rawCutoff);
                removed += await db.MetricSamples.Where(s => s.At < before).ExecuteDeleteAsync(cancellationToken);
            }
        }

        var rollupCutoff = now.AddDays(-settings.RollupRetentionDays);
        while (await db.MetricRollups.MinAsync(r => (DateTimeOffset?)r.Minute, cancellationToken) is { } oldest && oldest < rollupCutoff)
        {
            var before = Min(oldest + s_rollupPruneBatch, rollupCutoff);
            removed += await db.MetricRollups.Where(r => r.Minute < before).ExecuteDeleteAsync(cancellationToken);
        }

        if (removed > 0)
        {
            logger.LogInformation("Metric retention removed {Count} sample(s) and roll-up(s)", removed);
        }

        return removed;
    }

    /// <summary>The points of every series of <paramref name="name"/> (or only the one with these canonical
    /// <paramref name="labels"/>) in [from, to), one per step. Raw samples answer when the range lies within the
    /// raw retention and the step is under a minute; roll-ups answer otherwise, the step then rounded up to
    /// whole minutes.</summary>
    /// <exception cref="MetricQueryTooLargeException">More than <see cref="MaxPoints"/> points.</exception>
    public async Task<MetricSeriesResult> QueryAsync(
        string name, string? labels, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (to <= from)
        {
            throw new ArgumentException("to must be after from.", nameof(to));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(step, MinStep);
        var rawWindowStart = clock.GetUtcNow().AddHours(-options.CurrentValue.RawRetentionHours);
        var source = step < RollupStep && from >= rawWindowStart ? MetricSource.Raw : MetricSource.Rollup;
        var stepMs = source == MetricSource.Raw
            ? (long)step.TotalMilliseconds
            : Ceiling((long)step.TotalMilliseconds, MinuteMs);
        var fromMs = Floor(from.ToUnixTimeMilliseconds(), stepMs);
        var toMs = to.ToUnixTimeMilliseconds();

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var series = await db.MetricSeries.AsNoTracking()
            .Where(s => s.Name == name && (labels == null || s.Labels == labels))
            .ToListAsync(cancellationToken);
        series.Sort((a, b) => string.CompareOrdinal(a.Labels, b.Labels));

        var points = BucketCount(fromMs, toMs, stepMs) * series.Count;
        if (points > MaxPoints)
        {
            throw new MetricQueryTooLargeException(points, SmallestStep(fromMs, toMs, series.Count));
        }

        // Roll-ups cover the minutes before the watermark; later minutes are read raw (the roll-up runs hourly).
        var split = fromMs;
        if (source == MetricSource.Rollup && await RolledUpToAsync(db, cancellationToken) is { } rolledUpTo)
        {
            split = Math.Clamp(rolledUpTo, fromMs, toMs);
        }

        var result = new List<MetricSeriesPoints>(series.Count);
        foreach (var one in series)
        {
            var rows = new List<BucketRow>();
            if (split > fromMs)
            {
                rows.AddRange(await db.Database.SqlQuery<BucketRow>(
                    $"""
                    SELECT r."Bucket", MIN(r."Min") AS "Min", MAX(r."Max") AS "Max", SUM(r."Sum") AS "Sum", CAST(SUM(r."Count") AS BIGINT) AS "Count"
                    FROM (SELECT "Minute" / {stepMs} AS "Bucket", "Min", "Max", "Sum", "Count"
                          FROM "MetricRollups" WHERE "SeriesId" = {one.Id} AND "Minute" >= {fromMs} AND "Minute" < {split}) AS r
                    GROUP BY r."Bucket"
                    """).ToListAsync(cancellationToken));
            }

            if (split < toMs)
            {
                rows.AddRange(await db.Database.SqlQuery<BucketRow>(
                    $"""
                    SELECT s."Bucket", MIN(s."Value") AS "Min", MAX(s."Value") AS "Max", SUM(s."Value") AS "Sum", CAST(COUNT(*) AS BIGINT) AS "Count"
                    FROM (SELECT "At" / {stepMs} AS "Bucket", "Value"
                          FROM "MetricSamples" WHERE "SeriesId" = {one.Id} AND "At" >= {split} AND "At" < {toMs}) AS s
                    GROUP BY s."Bucket"
                    """).ToListAsync(cancellationToken));
            }

            // A step can straddle the watermark: its roll-up and raw parts merge here.
            var buckets = rows
                .GroupBy(r => r.Bucket)
                .OrderBy(g => g.Key)
                .Select(g =>
                {
                    var count = g.Sum(r => r.Count);
                    return new MetricBucket(
                        DateTimeOffset.FromUnixTimeMilliseconds(g.Key * stepMs), g.Min(r => r.Min), g.Sum(r => r.Sum) / count, g.Max(r => r.Max), count);
                })
                .ToList();
            result.Add(new MetricSeriesPoints(one.Labels, buckets));
        }

        return new MetricSeriesResult(
            name, DateTimeOffset.FromUnixTimeMilliseconds(fromMs), to, TimeSpan.FromMilliseconds(stepMs), source, result);
    }

    /// <summary>The step a query without one uses: the smallest round step that keeps one series at or under
    /// <see cref="DefaultPoints"/> points.</summary>
    public static TimeSpan ChooseStep(DateTimeOffset from, DateTimeOffset to)
    {
        var fromMs = from.ToUnixTimeMilliseconds();
        var toMs = Math.Max(to.ToUnixTimeMilliseconds(), fromMs + 1);
        foreach (var step in s_niceSteps)
        {
            var stepMs = (long)step.TotalMilliseconds;
            if (BucketCount(Floor(fromMs, stepMs), toMs, stepMs) <= DefaultPoints)
            {
                return step;
            }
        }

        // Beyond a day a step: whole days, leaving room for the alignment's extra step.
        var dayMs = (long)TimeSpan.FromDays(1).TotalMilliseconds;
        return TimeSpan.FromMilliseconds(Ceiling((toMs - fromMs) / (DefaultPoints - 1), dayMs));
    }

    /// <summary>Names that can be queried: those the product records and any other name with a stored series.</summary>
    public async Task<IReadOnlyList<string>> GetNamesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.MetricSeries.Select(s => s.Name).Distinct().ToListAsync(cancellationToken);
        return MetricNames.All.Union(stored, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private static bool IsRecordable(MetricPoint point) =>
        double.IsFinite(point.Value)
        && !string.IsNullOrEmpty(point.Name) && point.Name.Length <= MetricSeries.MaxNameLength
        && point.Labels is not null && point.Labels.Length <= MetricSeries.MaxLabelsLength;

    private async Task LoadSeriesAsync(MonitoringDbContext db, CancellationToken cancellationToken)
    {
        if (_seriesLoaded)
        {
            return;
        }

        foreach (var series in await db.MetricSeries.AsNoTracking().OrderBy(s => s.Id).Take(MaxSeries).ToListAsync(cancellationToken))
        {
            _series.TryAdd((series.Name, series.Labels), series.Id);
        }

        _seriesLoaded = true;
    }

    /// <summary>The end of the last rolled-up minute (Unix ms), or null before the first roll-up.</summary>
    private static async Task<long?> RolledUpToAsync(MonitoringDbContext db, CancellationToken cancellationToken) =>
        await db.MetricRollups.MaxAsync(r => (DateTimeOffset?)r.Minute, cancellationToken) is { } last
            ? last.ToUnixTimeMilliseconds() + MinuteMs
            : null;

    /// <summary>The smallest whole-minute step under which all series fit in <see cref="MaxPoints"/>.</summary>
    private static TimeSpan SmallestStep(long fromMs, long toMs, int seriesCount)
    {
        var perSeries = Math.Max(1, MaxPoints / seriesCount);
        var stepMs = Ceiling(Math.Max(1, (toMs - fromMs) / Math.Max(1, perSeries - 1)), MinuteMs);
        while (BucketCount(Floor(fromMs, stepMs), toMs, stepMs) * seriesCount > MaxPoints)
        {
            stepMs += MinuteMs;
        }

        return TimeSpan.FromMilliseconds(stepMs);
    }

    private static long BucketCount(long alignedFromMs, long toMs, long stepMs) => ((toMs - 1) / stepMs) - (alignedFromMs / stepMs) + 1;

    private static long Floor(long value, long unit) => value - (((value % unit) + unit) % unit);

    private static long Ceiling(long value, long unit) => Math.Max(unit, Floor(value + unit - 1, unit));

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>One step of one series as the aggregate SQL returns it.</summary>
    private sealed class BucketRow
    {
        public long Bucket { get; init; }
        public double Min { get; init; }
        public double Max { get; init; }
        public double Sum { get; init; }
        public long Count { get; init; }
    }
}
