using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitoring.Core.Handlers;
using Monitoring.Core.Metrics;
using Monitoring.Core.Storage;
using Monitoring.Gpu;

namespace Monitoring.Benchmarks;

/// <summary>A series as the product records it, and how often its probe samples.</summary>
internal sealed record SeededSeries(string Name, string Labels, int IntervalSeconds);

/// <summary>What was seeded: 1-minute roll-ups for [<see cref="From"/>, <see cref="To"/>) of every series and raw
/// samples for the last <see cref="RawHours"/> hours of it.</summary>
internal sealed class SeededMetrics
{
    public required IReadOnlyList<SeededSeries> Series { get; init; }
    public DateTimeOffset From { get; init; }
    public DateTimeOffset To { get; init; }
    public int RawHours { get; init; }
    public long Rollups { get; init; }
    public long Samples { get; init; }
    public TimeSpan InsertTime { get; init; }
    public required string DatabasePath { get; init; }

    /// <summary>Raw samples one roll-up minute of the series folds.</summary>
    public static long SamplesPerMinute(SeededSeries series) => 60 / series.IntervalSeconds;
}

/// <summary>Fills the metric store with a month of history for a host with <c>gpus</c> GPUs, straight through
/// Microsoft.Data.Sqlite into the product's tables (MetricSeries, MetricRollups, MetricSamples): the probes would
/// take a month. Every roll-up is folded from the same deterministic samples the raw table holds for the last
/// 24 hours, so the product's own roll-up job, refolding recent minutes, writes the same rows again.</summary>
internal static class MetricHistorySeeder
{
    private const int RowsPerTransaction = 100_000;
    private const int ProbeIntervalSeconds = 5;
    private const int SnapshotIntervalSeconds = 30;
    private const long MinuteMs = 60_000;
    private static readonly string[] TaskTypes = [DemoTaskHandler.NoopType, DemoTaskHandler.TranscriptionType, DemoTaskHandler.VideoSynthesisType];

    /// <summary>The series the product records with <paramref name="gpus"/> GPUs, at the probes' default intervals:
    /// GPU and system probes every 5 s, the performance snapshot every 30 s.</summary>
    public static IReadOnlyList<SeededSeries> ProductSeries(int gpus)
    {
        var series = new List<SeededSeries>();
        foreach (var uuid in Enumerable.Range(0, gpus).Select(SimulatedGpuProbe.UuidOf))
        {
            var labels = MetricLabels.Of("uuid", uuid);
            series.AddRange(new[]
            {
                MetricNames.GpuMemoryUsedBytes, MetricNames.GpuMemoryFreeBytes, MetricNames.GpuUtilizationRatio,
                MetricNames.GpuTemperatureCelsius, MetricNames.GpuPowerWatts,
            }.Select(n => new SeededSeries(n, labels, ProbeIntervalSeconds)));
        }

        series.AddRange(new[]
        {
            MetricNames.SystemCpuRatio, MetricNames.SystemMemoryUsedBytes, MetricNames.SystemLoad1, MetricNames.ProcessWorkingSetBytes,
            MetricNames.ProcessCpuRatio, MetricNames.NetworkReceiveBytesPerSecond, MetricNames.NetworkTransmitBytesPerSecond,
        }.Select(n => new SeededSeries(n, MetricLabels.None, ProbeIntervalSeconds)));
        series.Add(new SeededSeries(MetricNames.DiskFreeBytes, MetricLabels.Of("mount", "/"), ProbeIntervalSeconds));
        series.AddRange(new[]
        {
            MetricNames.TasksQueued, MetricNames.TasksProcessing, MetricNames.TasksSuccessRatio, MetricNames.TasksCompletedPerMinute,
            MetricNames.TasksFailedPerMinute, MetricNames.WorkersBusy, MetricNames.WorkersSize,
        }.Select(n => new SeededSeries(n, MetricLabels.None, SnapshotIntervalSeconds)));
        foreach (var type in TaskTypes)
        {
            series.Add(new SeededSeries(MetricNames.TaskDurationP95Seconds, MetricLabels.Of("type", type), SnapshotIntervalSeconds));
            series.Add(new SeededSeries(MetricNames.TaskQueueWaitP95Seconds, MetricLabels.Of("type", type), SnapshotIntervalSeconds));
        }

        return series;
    }

    public static async Task<SeededMetrics> SeedAsync(string dataDirectory, IReadOnlyList<SeededSeries> series, DateTimeOffset now, int days, int rawHours)
    {
        await using var connection = await SeedDatabase.CreateAsync(dataDirectory);
        var databasePath = connection.DataSource;
        var watch = Stopwatch.StartNew();
        var toMs = now.ToUnixTimeMilliseconds() / MinuteMs * MinuteMs;
        var fromMs = toMs - (days * 24 * 60 * MinuteMs);
        var rawFromMs = toMs - (rawHours * 60 * MinuteMs);

        var ids = new List<long>();
        await using (var insertSeries = connection.CreateCommand())
        {
            insertSeries.CommandText = """INSERT INTO "MetricSeries" ("Name", "Labels") VALUES ($name, $labels) RETURNING "Id" """;
            var name = insertSeries.Parameters.Add("$name", SqliteType.Text);
            var labels = insertSeries.Parameters.Add("$labels", SqliteType.Text);
            foreach (var one in series)
            {
                name.Value = one.Name;
                labels.Value = one.Labels;
                ids.Add(Convert.ToInt64(await insertSeries.ExecuteScalarAsync(), CultureInfo.InvariantCulture));
            }
        }

        await using var rollup = connection.CreateCommand();
        rollup.CommandText = """INSERT INTO "MetricRollups" ("SeriesId", "Minute", "Min", "Max", "Sum", "Count") VALUES ($s, $m, $min, $max, $sum, $count)""";
        var rollupParameters = Parameters(rollup, "$s", "$m", "$min", "$max", "$sum", "$count");
        await using var sample = connection.CreateCommand();
        sample.CommandText = """INSERT INTO "MetricSamples" ("SeriesId", "At", "Value") VALUES ($s, $at, $v)""";
        var sampleParameters = Parameters(sample, "$s", "$at", "$v");

        long rollups = 0, samples = 0, inTransaction = 0;
        var transaction = connection.BeginTransaction();
        rollup.Transaction = transaction;
        sample.Transaction = transaction;
        var signals = series.Select((one, index) => new Signal(one, index)).ToArray();
        async Task CountRowAsync()
        {
            if (++inTransaction >= RowsPerTransaction)
            {
                await transaction.CommitAsync();
                await transaction.DisposeAsync();
                transaction = connection.BeginTransaction();
                rollup.Transaction = transaction;
                sample.Transaction = transaction;
                inTransaction = 0;
            }
        }

        // Roll-ups land as the product's hourly roll-up writes them: an hour at a time, series by series within it,
        // so one series' month is spread over the whole table as in a real database, not stored in one run.
        for (var hour = fromMs; hour < toMs; hour += 60 * MinuteMs)
        {
            for (var s = 0; s < series.Count; s++)
            {
                for (var minute = hour; minute < Math.Min(hour + (60 * MinuteMs), toMs); minute += MinuteMs)
                {
                    double min = double.MaxValue, max = double.MinValue, sum = 0;
                    long count = 0;
                    foreach (var (_, value) in signals[s].Minute(minute))
                    {
                        min = Math.Min(min, value);
                        max = Math.Max(max, value);
                        sum += value;
                        count++;
                    }

                    Bind(rollupParameters, ids[s], minute, min, max, sum, count);
                    await rollup.ExecuteNonQueryAsync();
                    rollups++;
                    await CountRowAsync();
                }
            }
        }

        // Raw samples land in time order, every series of a minute together, as the probes record them.
        for (var minute = rawFromMs; minute < toMs; minute += MinuteMs)
        {
            for (var s = 0; s < series.Count; s++)
            {
                foreach (var (at, value) in signals[s].Minute(minute))
                {
                    Bind(sampleParameters, ids[s], at, value);
                    await sample.ExecuteNonQueryAsync();
                    samples++;
                    await CountRowAsync();
                }
            }
        }

        await transaction.CommitAsync();
        await transaction.DisposeAsync();
        return new SeededMetrics
        {
            Series = series,
            From = DateTimeOffset.FromUnixTimeMilliseconds(fromMs),
            To = DateTimeOffset.FromUnixTimeMilliseconds(toMs),
            RawHours = rawHours,
            Rollups = rollups,
            Samples = samples,
            InsertTime = watch.Elapsed,
            DatabasePath = databasePath,
        };
    }

    private static SqliteParameter[] Parameters(SqliteCommand command, params string[] names) =>
        names.Select(n => command.Parameters.Add(new SqliteParameter(n, 0))).ToArray();

    private static void Bind(SqliteParameter[] parameters, params object[] values)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i].Value = values[i];
        }
    }

    /// <summary>A plausible, deterministic reading: a daily cycle, a faster wobble and hashed noise, in the unit
    /// and range the metric's name implies.</summary>
    private sealed class Signal(SeededSeries series, int index)
    {
        private readonly long _intervalMs = series.IntervalSeconds * 1000L;
        // Probes do not sample on the second: each series its own offset within its interval.
        private readonly long _phaseMs = (index * 397L) % (series.IntervalSeconds * 1000L);

        private readonly (double Base, double Amplitude) _range = series.Name switch
        {
            var name when name.EndsWith("_ratio", StringComparison.Ordinal) => (0.45, 0.4),
            var name when name.EndsWith("_celsius", StringComparison.Ordinal) => (60, 20),
            var name when name.EndsWith("_watts", StringComparison.Ordinal) => (180, 120),
            var name when name.EndsWith("_bytes", StringComparison.Ordinal) => (12e9, 8e9),
            var name when name.EndsWith("_per_second", StringComparison.Ordinal) => (5e6, 4e6),
            _ => (10, 8),
        };

        /// <summary>The samples the probe took in the minute starting at <paramref name="minuteMs"/>.</summary>
        public IEnumerable<(long At, double Value)> Minute(long minuteMs)
        {
            for (var at = minuteMs + _phaseMs; at < minuteMs + MinuteMs; at += _intervalMs)
            {
                yield return (at, At(at));
            }
        }

        private double At(long unixMs)
        {
            var day = Math.Sin(2 * Math.PI * (unixMs % 86_400_000) / 86_400_000 + index);
            var wobble = Math.Sin(2 * Math.PI * (unixMs % 900_000) / 900_000);
            var noise = (((unixMs / 1000 * 2654435761L) + index) & 0xFFFF) / 65535.0 - 0.5;
            return _range.Base + (_range.Amplitude * ((0.6 * day) + (0.25 * wobble) + (0.15 * noise)));
        }
    }
}
