using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;

namespace Monitoring.Benchmarks;

/// <summary>What was seeded, kept to check the API's answers against.</summary>
internal sealed class SeededHistory
{
    public required string DatabasePath { get; init; }
    public long Tasks { get; init; }
    public long Completed { get; init; }
    public long Failed { get; init; }
    public long Cancelled { get; init; }
    public required IReadOnlyDictionary<string, long> ByType { get; init; }
    /// <summary>Ids of Failed tasks, ascending.</summary>
    public required long[] FailedIds { get; init; }
    /// <summary>FinishedAt (Unix ms) of Completed and of Failed tasks, ascending.</summary>
    public required long[] CompletedFinishedAt { get; init; }
    public required long[] FailedFinishedAt { get; init; }
    public int Fingerprints { get; init; }
    public TimeSpan InsertTime { get; init; }
    public TimeSpan AnalyzeTime { get; init; }
    public double AverageParametersBytes { get; init; }

    /// <summary>Finished tasks of a status with FinishedAt ≥ <paramref name="sinceMs"/>.</summary>
    public long FinishedSince(TaskState status, long sinceMs)
    {
        var times = status == TaskState.Completed ? CompletedFinishedAt : FailedFinishedAt;
        var index = Array.BinarySearch(times, sinceMs);
        if (index < 0)
        {
            index = ~index;
        }
        else
        {
            while (index > 0 && times[index - 1] == sinceMs)
            {
                index--;
            }
        }

        return times.Length - index;
    }
}

/// <summary>Fills the product's schema with a month of finished tasks, straight through
/// Microsoft.Data.Sqlite: going through <see cref="TaskQueue"/> would take hours at a million tasks.</summary>
/// <remarks>Rows are what the queue itself would have left behind: the same columns, enum values,
/// Unix-millisecond times, fingerprints from <see cref="ErrorFingerprint.Compute"/>, and a TaskCounters
/// roll-up that matches the rows exactly. TaskEvents are not written: neither measured query reads them.</remarks>
internal static class HistorySeeder
{
    private const int RowsPerTransaction = 50_000;
    private const int MaxAttempts = 3;
    private const int TimeoutSeconds = 3600;
    private static readonly string[] Gpus = ["GPU-6c1f0a4e-3b0d-4e59-9a51-2f8d1c7b9e01", "GPU-b2e7d913-8a44-4c1e-b7f0-5e3a9d26c4f2"];
    private static readonly string[] Operators = ["alice", "bob", "oncall-bot", "carol"];

    private static readonly TypeProfile[] Types =
    [
        new("video.synthesize", 0.25, 95_000, 0.5, 8L << 30,
        [
            (FailureKind.Error, "CUDA out of memory. Tried to allocate {0} MiB (GPU 0; 23.65 GiB total capacity; {1} MiB already allocated)"),
            (FailureKind.Error, "ffmpeg exited with code {0}: [libx264 @ 0x{1:x}] height not divisible by 2"),
            (FailureKind.Error, "Model checkpoint not found: /models/vidgen/vidgen-2.{0}.safetensors"),
            (FailureKind.Error, "NaN detected in latent at denoising step {0}"),
            (FailureKind.Rejected, "Parameter 'resolution' is invalid: '{0}x{1}' is not a supported size"),
            (FailureKind.NoCapacity, "Needs {0} GiB of GPU memory; the largest GPU has 24 GiB"),
        ]),
        new("audio.transcribe", 0.25, 42_000, 0.6, 4L << 30,
        [
            (FailureKind.Error, "Decoder error: unsupported codec 'opus' in stream {0}"),
            (FailureKind.Error, "CUDA error: an illegal memory access was encountered (error {0})"),
            (FailureKind.Error, "Audio too short: {0} ms (minimum 500 ms)"),
            (FailureKind.Error, "whisper: failed to load model large-v{0}: file is truncated"),
            (FailureKind.Rejected, "Unknown language code 'x{0}'"),
        ]),
        new("image.upscale", 0.15, 6_500, 0.4, 2L << 30,
        [
            (FailureKind.Error, "PIL.UnidentifiedImageError: cannot identify image file /data/in/images/IMG_{0}.png"),
            (FailureKind.Error, "Tile {0} produced an empty output"),
            (FailureKind.Error, "Output larger than {0} megapixels"),
            (FailureKind.Error, "Disk full while writing /data/out/images/IMG_{0}_x4.png"),
            (FailureKind.Rejected, "Parameter 'scale' must be 2 or 4, not {0}"),
        ]),
        new("video.thumbnail", 0.15, 1_200, 0.5, 0,
        [
            (FailureKind.Error, "ffmpeg exited with code {0}: /data/out/video/{1}.mp4: No such file or directory"),
            (FailureKind.Error, "ffmpeg exited with code {0}: Invalid data found when processing input"),
            (FailureKind.Error, "Seek position {0} ms is past the end of the stream"),
            (FailureKind.Rejected, "Parameter 'format' is invalid: 'x{0}'"),
        ]),
        new("text.embed", 0.12, 3_500, 0.5, 1L << 30,
        [
            (FailureKind.Error, "Document {0} not found in collection 'support-articles'"),
            (FailureKind.Error, "Token limit exceeded: {0} tokens (max 512)"),
            (FailureKind.Error, "Vector store returned HTTP {0}"),
            (FailureKind.Rejected, "Parameter 'batchSize' must be at most 256, not {0}"),
        ]),
        new("report.render", 0.08, 2_500, 0.7, 0,
        [
            (FailureKind.Error, "Template error at line {0}: unknown variable 'usage_total'"),
            (FailureKind.Error, "SMTP 4{0} temporary failure delivering to ops@example.com"),
            (FailureKind.Error, "Query timeout after {0} s reading daily usage"),
            (FailureKind.Rejected, "Unknown report 'weekly-{0}'"),
        ]),
    ];

    private static readonly string[] Prompts =
    [
        "a drone shot over a rocky coastline at sunset, cinematic, 35mm",
        "a city street in the rain at night, neon reflections, slow pan",
        "timelapse of clouds over mountains, golden hour",
        "a cat chasing a laser pointer across a wooden floor",
        "product turntable of a white sneaker on a grey background",
        "aerial view of a forest in autumn, gentle fog",
    ];

    public static async Task<SeededHistory> SeedAsync(string dataDirectory, int taskCount, DateTimeOffset end)
    {
        await using var connection = await SeedDatabase.CreateAsync(dataDirectory);
        var databasePath = connection.DataSource;
        var insertWatch = Stopwatch.StartNew();
        var random = new Random(20261122);
        var counters = new Dictionary<(string Type, TaskPriority Priority, TaskState Status), (long InStatus, long Entered)>();
        var byType = Types.ToDictionary(t => t.Name, _ => 0L, StringComparer.Ordinal);
        var failedIds = new List<long>();
        var completedAt = new List<long>(taskCount);
        var failedAt = new List<long>();
        var fingerprints = new HashSet<string>(StringComparer.Ordinal);
        long completed = 0, failed = 0, cancelled = 0, parameterBytes = 0;

        Check.That(await ScalarAsync(connection, "SELECT COUNT(*) FROM Tasks") == 0, "seeding: the fresh database already holds tasks.");

        using var insert = connection.CreateCommand();
        insert.CommandText = $"INSERT INTO Tasks ({string.Join(", ", Row.Columns)}) VALUES ({string.Join(", ", Row.Columns.Select((_, i) => "$p" + i.ToString(CultureInfo.InvariantCulture)))})";
        var parameters = Row.Columns.Select((_, i) => insert.Parameters.Add(new SqliteParameter("$p" + i.ToString(CultureInfo.InvariantCulture), DBNull.Value))).ToArray();

        var endMs = end.ToUnixTimeMilliseconds() - 1000;
        var startMs = end.AddDays(-30).ToUnixTimeMilliseconds();
        var step = (endMs - startMs) / (double)taskCount;
        var row = new Row();
        SqliteTransaction? transaction = null;
        for (var i = 0; i < taskCount; i++)
        {
            if (i % RowsPerTransaction == 0)
            {
                if (transaction is not null)
                {
                    await transaction.CommitAsync();
                    await transaction.DisposeAsync();
                }

                transaction = connection.BeginTransaction();
                insert.Transaction = transaction;
            }

            // Finish times rise with the id, evenly over the month, so the newest ids are the newest tasks.
            var finishedAt = startMs + (long)((i + random.NextDouble()) * step);
            var id = i + 1L;
            var type = Pick(random, Types);
            var priority = PickPriority(random);
            Generate(random, row, id, type, priority, finishedAt);

            row.Bind(parameters);
            await insert.ExecuteNonQueryAsync();

            parameterBytes += row.Parameters.Length;
            byType[type.Name]++;
            Count(counters, type.Name, priority, row.Status, row.Attempt, row.StartedAt is not null);
            switch (row.Status)
            {
                case TaskState.Completed:
                    completed++;
                    completedAt.Add(finishedAt);
                    break;
                case TaskState.Failed:
                    failed++;
                    failedAt.Add(finishedAt);
                    failedIds.Add(id);
                    fingerprints.Add(row.ErrorFingerprint!);
                    break;
                default:
                    cancelled++;
                    break;
            }
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync();
            await transaction.DisposeAsync();
        }

        await using (var counterTransaction = (SqliteTransaction)await connection.BeginTransactionAsync())
        {
            using var upsert = connection.CreateCommand();
            upsert.Transaction = counterTransaction;
            upsert.CommandText = "INSERT INTO TaskCounters (Type, Priority, Status, InStatus, EnteredTotal) VALUES ($type, $priority, $status, $in, $entered)";
            foreach (var ((type, priority, status), (inStatus, entered)) in counters)
            {
                upsert.Parameters.Clear();
                upsert.Parameters.AddWithValue("$type", type);
                upsert.Parameters.AddWithValue("$priority", (int)priority);
                upsert.Parameters.AddWithValue("$status", (int)status);
                upsert.Parameters.AddWithValue("$in", inStatus);
                upsert.Parameters.AddWithValue("$entered", entered);
                await upsert.ExecuteNonQueryAsync();
            }

            await counterTransaction.CommitAsync();
        }

        insertWatch.Stop();
        var analyzeWatch = Stopwatch.StartNew();
        // Planner statistics (sqlite_stat1). The product never runs ANALYZE itself; see the report.
        await ExecuteAsync(connection, "ANALYZE;");
        analyzeWatch.Stop();
        await ExecuteAsync(connection, "PRAGMA wal_checkpoint(TRUNCATE);");

        return new SeededHistory
        {
            DatabasePath = databasePath,
            Tasks = taskCount,
            Completed = completed,
            Failed = failed,
            Cancelled = cancelled,
            ByType = byType,
            FailedIds = [.. failedIds],
            CompletedFinishedAt = [.. completedAt],
            FailedFinishedAt = [.. failedAt],
            Fingerprints = fingerprints.Count,
            InsertTime = insertWatch.Elapsed,
            AnalyzeTime = analyzeWatch.Elapsed,
            AverageParametersBytes = taskCount == 0 ? 0 : parameterBytes / (double)taskCount,
        };
    }

    /// <summary>Every status a task passed through counts in EnteredTotal; only its final one in InStatus.</summary>
    private static void Count(
        Dictionary<(string, TaskPriority, TaskState), (long InStatus, long Entered)> counters,
        string type, TaskPriority priority, TaskState final, int attempts, bool started)
    {
        void Add(TaskState status, long inStatus, long entered)
        {
            if (entered == 0)
            {
                return;
            }

            counters.TryGetValue((type, priority, status), out var c);
            counters[(type, priority, status)] = (c.InStatus + inStatus, c.Entered + entered);
        }

        var claims = started ? attempts : 0;
        Add(TaskState.Pending, 0, Math.Max(1, claims));
        Add(TaskState.Processing, 0, claims);
        Add(TaskState.Retrying, 0, Math.Max(0, claims - 1));
        Add(final, 1, 1);
    }

    private static void Generate(Random random, Row row, long id, TypeProfile type, TaskPriority priority, long finishedAt)
    {
        row.Reset();
        row.Id = id;
        row.Type = type.Name;
        row.Priority = priority;
        row.Parameters = type.Parameters(random, id);
        row.Source = random.NextDouble() < 0.75 ? "api" : "system";
        row.IdempotencyKey = row.Source == "api" && random.NextDouble() < 0.3 ? $"{type.Name}:{id:x8}" : null;
        row.FinishedAt = finishedAt;
        var wait = (long)Math.Min(LogNormal(random, 1_500, 1.3), 20 * 60_000);
        var roll = random.NextDouble();

        if (roll < 0.88)
        {
            var attempts = roll < 0.836 ? 1 : roll < 0.8756 ? 2 : 3;
            var duration = (long)LogNormal(random, type.MedianDurationMs, type.Sigma);
            Started(random, row, type, attempts, duration, wait);
            row.Status = TaskState.Completed;
            row.Progress = 100;
            row.Result = string.Create(CultureInfo.InvariantCulture, $"{{\"output\":\"/data/out/{type.Name}/{id:D9}\",\"bytes\":{random.Next(10_000, 400_000_000)}}}");
        }
        else if (roll < 0.97)
        {
            var (kind, template) = PickError(random, type);
            var message = string.Format(CultureInfo.InvariantCulture, template, random.Next(1, 4096), random.Next(1, 1 << 20));
            if (kind == FailureKind.Timeout)
            {
                Started(random, row, type, MaxAttempts, TimeoutSeconds * 1000L + random.Next(0, 1500), wait);
            }
            else if (kind == FailureKind.NoCapacity)
            {
                // Refused at placement: never started.
                row.EnqueuedAt = row.CreatedAt = finishedAt - wait;
            }
            else
            {
                var attempts = kind.IsRetryable() ? MaxAttempts : 1;
                var duration = (long)(LogNormal(random, type.MedianDurationMs, type.Sigma) * (kind == FailureKind.Rejected ? 0.01 : 0.4));
                Started(random, row, type, attempts, duration, wait);
                row.Progress = kind == FailureKind.Rejected ? 0 : random.Next(0, 96);
            }

            row.Status = TaskState.Failed;
            row.FailureKind = kind;
            row.Error = message;
            row.ErrorDetail = kind == FailureKind.Error
                ? string.Create(CultureInfo.InvariantCulture, $"Traceback (most recent call last):\n  File \"/opt/pipeline/{type.Name}.py\", line {random.Next(20, 900)}, in run\n    result = handler.execute(params)\n  File \"/opt/pipeline/runtime.py\", line 212, in execute\n    raise TaskError(message)\nTaskError: {message}")
                : null;
            row.ErrorFingerprint = ErrorFingerprint.Compute(type.Name, kind, message);
        }
        else
        {
            var running = random.NextDouble() < 0.5;
            if (running)
            {
                var duration = (long)(LogNormal(random, type.MedianDurationMs, type.Sigma) * random.NextDouble());
                Started(random, row, type, 1, duration, wait);
                row.Progress = random.Next(0, 100);
            }
            else
            {
                row.EnqueuedAt = row.CreatedAt = finishedAt - (wait * 10);
            }

            var who = Operators[random.Next(Operators.Length)];
            row.Status = TaskState.Cancelled;
            row.FailureKind = FailureKind.Cancelled;
            row.Error = $"Cancelled by {who}" + (random.NextDouble() < 0.3 ? ": superseded by a newer request" : "") + (running ? "; running work stopped" : "");
            row.ErrorFingerprint = ErrorFingerprint.Compute(type.Name, FailureKind.Cancelled, "cancelled");
        }

        // One write per status change since creation: enqueue, then per attempt claim (+ fail and requeue before a retry), then the end.
        var claims = row.StartedAt is null ? 0 : row.Attempt;
        row.Version = 1 + claims + (2L * Math.Max(0, claims - 1)) + 1;
    }

    private static void Started(Random random, Row row, TypeProfile type, int attempts, long duration, long wait)
    {
        var finishedAt = row.FinishedAt!.Value;
        row.Attempt = attempts;
        row.DurationMs = duration;
        row.QueueWaitMs = wait;
        row.StartedAt = finishedAt - duration;
        row.EnqueuedAt = row.StartedAt.Value - wait;
        // Earlier attempts and their backoff (5 s doubling) happened before the last enqueue.
        var earlier = 0L;
        for (var a = 1; a < attempts; a++)
        {
            earlier += (duration / 2) + (5_000L << (a - 1));
        }

        row.CreatedAt = row.EnqueuedAt - earlier;
        row.WorkerId = "worker-" + random.Next(1, 5).ToString(CultureInfo.InvariantCulture);
        if (type.GpuBytes > 0)
        {
            row.RequiredGpuMemoryBytes = type.GpuBytes;
            row.GpuUuid = Gpus[random.Next(Gpus.Length)];
            row.PeakGpuMemoryBytes = (long)(type.GpuBytes * (0.6 + (0.35 * random.NextDouble())));
        }
    }

    private static TypeProfile Pick(Random random, TypeProfile[] types)
    {
        var roll = random.NextDouble();
        foreach (var type in types)
        {
            roll -= type.Weight;
            if (roll < 0)
            {
                return type;
            }
        }

        return types[^1];
    }

    private static TaskPriority PickPriority(Random random) => random.NextDouble() switch
    {
        < 0.05 => TaskPriority.Critical,
        < 0.25 => TaskPriority.High,
        < 0.80 => TaskPriority.Normal,
        _ => TaskPriority.Low,
    };

    /// <summary>A few causes dominate, many are rare: weight 1/(rank+1) over the type's errors, then
    /// timeouts and lost runs, which every type can have.</summary>
    private static (FailureKind Kind, string Template) PickError(Random random, TypeProfile type)
    {
        var causes = type.ErrorCauses;
        var total = causes.Select((_, i) => 1.0 / (i + 1)).Sum();
        var roll = random.NextDouble() * total;
        for (var i = 0; i < causes.Count; i++)
        {
            roll -= 1.0 / (i + 1);
            if (roll < 0)
            {
                return causes[i];
            }
        }

        return causes[^1];
    }

    private static double LogNormal(Random random, double median, double sigma)
    {
        // Box–Muller.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return median * Math.Exp(sigma * normal);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private sealed class TypeProfile(
        string name, double weight, double medianDurationMs, double sigma, long gpuBytes, (FailureKind, string)[] errors)
    {
        public string Name { get; } = name;
        public double Weight { get; } = weight;
        public double MedianDurationMs { get; } = medianDurationMs;
        public double Sigma { get; } = sigma;
        public long GpuBytes { get; } = gpuBytes;

        /// <summary>The type's own errors, most frequent first, then a timeout and a lost run.</summary>
        public IReadOnlyList<(FailureKind Kind, string Template)> ErrorCauses { get; } =
        [
            .. errors.Take(2),
            (FailureKind.Timeout, "The task ran longer than its timeout of 3600 s and was stopped"),
            .. errors.Skip(2),
            (FailureKind.Lost, "The process stopped while the task ran on worker worker-{0}."),
        ];

        public string Parameters(Random random, long id)
        {
            var n = random.Next(1, 9_999_999);
            return Name switch
            {
                "video.synthesize" => string.Create(CultureInfo.InvariantCulture,
                    $"{{\"prompt\":\"{Prompts[random.Next(Prompts.Length)]}\",\"resolution\":\"{(random.Next(2) == 0 ? "1920x1080" : "1280x720")}\",\"fps\":24,\"seconds\":{random.Next(4, 16)},\"seed\":{n},\"model\":\"vidgen-2.1\",\"output\":\"/data/out/video/{id:D9}.mp4\"}}"),
                "audio.transcribe" => string.Create(CultureInfo.InvariantCulture,
                    $"{{\"input\":\"/data/in/audio/episode-{n:D7}.wav\",\"language\":\"{(random.Next(3) == 0 ? "de" : "en")}\",\"model\":\"whisper-large-v3\",\"diarize\":{(random.Next(2) == 0 ? "true" : "false")},\"output\":\"/data/out/transcripts/episode-{n:D7}.json\"}}"),
                "image.upscale" => string.Create(CultureInfo.InvariantCulture,
                    $"{{\"input\":\"/data/in/images/IMG_{n:D7}.png\",\"scale\":{(random.Next(2) == 0 ? 2 : 4)},\"model\":\"esrgan-x4\",\"tile\":512,\"output\":\"/data/out/images/IMG_{n:D7}_up.png\"}}"),
                "video.thumbnail" => string.Create(CultureInfo.InvariantCulture,
                    $"{{\"input\":\"/data/out/video/{id:D9}.mp4\",\"at\":\"00:00:0{random.Next(0, 10)}.500\",\"width\":640,\"height\":360,\"format\":\"jpeg\",\"output\":\"/data/out/thumbs/{id:D9}.jpg\"}}"),
                "text.embed" => string.Create(CultureInfo.InvariantCulture,
                    $"{{\"collection\":\"support-articles\",\"documentIds\":[{n},{n + 1},{n + 2},{n + 3}],\"model\":\"e5-large-v2\",\"batchSize\":64,\"normalize\":true}}"),
                _ => string.Create(CultureInfo.InvariantCulture,
                    $"{{\"report\":\"daily-usage\",\"date\":\"2026-11-{random.Next(1, 29):D2}\",\"format\":\"pdf\",\"recipients\":[\"ops@example.com\"],\"locale\":\"en-US\",\"run\":{n}}}"),
            };
        }
    }

    /// <summary>One Tasks row, column for column as the migration defines it.</summary>
    private sealed class Row
    {
        public static readonly string[] Columns =
        [
            "Id", "Type", "Priority", "Parameters", "Status", "Attempt", "MaxAttempts", "TimeoutSeconds",
            "RequiredGpuMemoryBytes", "IdempotencyKey", "Source", "CreatedAt", "EnqueuedAt", "StartedAt", "FinishedAt",
            "NextAttemptAt", "WorkerId", "GpuUuid", "Progress", "Result", "FailureKind", "Error", "ErrorDetail",
            "ErrorFingerprint", "PeakGpuMemoryBytes", "DurationMs", "QueueWaitMs", "Version",
        ];

        public long Id;
        public string Type = "";
        public TaskPriority Priority;
        public string Parameters = "{}";
        public TaskState Status;
        public int Attempt;
        public long RequiredGpuMemoryBytes;
        public string? IdempotencyKey;
        public string Source = "api";
        public long CreatedAt;
        public long EnqueuedAt;
        public long? StartedAt;
        public long? FinishedAt;
        public string? WorkerId;
        public string? GpuUuid;
        public int Progress;
        public string? Result;
        public FailureKind? FailureKind;
        public string? Error;
        public string? ErrorDetail;
        public string? ErrorFingerprint;
        public long? PeakGpuMemoryBytes;
        public long? DurationMs;
        public long? QueueWaitMs;
        public long Version;

        public void Reset()
        {
            Attempt = 0;
            RequiredGpuMemoryBytes = 0;
            IdempotencyKey = null;
            StartedAt = null;
            FinishedAt = null;
            WorkerId = null;
            GpuUuid = null;
            Progress = 0;
            Result = null;
            FailureKind = null;
            Error = null;
            ErrorDetail = null;
            ErrorFingerprint = null;
            PeakGpuMemoryBytes = null;
            DurationMs = null;
            QueueWaitMs = null;
        }

        public void Bind(SqliteParameter[] p)
        {
            p[0].Value = Id;
            p[1].Value = Type;
            p[2].Value = (int)Priority;
            p[3].Value = Parameters;
            p[4].Value = (int)Status;
            p[5].Value = Attempt;
            p[6].Value = MaxAttempts;
            p[7].Value = TimeoutSeconds;
            p[8].Value = RequiredGpuMemoryBytes;
            p[9].Value = Db(IdempotencyKey);
            p[10].Value = Source;
            p[11].Value = CreatedAt;
            p[12].Value = EnqueuedAt;
            p[13].Value = Db(StartedAt);
            p[14].Value = Db(FinishedAt);
            p[15].Value = DBNull.Value;
            p[16].Value = Db(WorkerId);
            p[17].Value = Db(GpuUuid);
            p[18].Value = Progress;
            p[19].Value = Db(Result);
            p[20].Value = FailureKind is { } kind ? (int)kind : DBNull.Value;
            p[21].Value = Db(Error);
            p[22].Value = Db(ErrorDetail);
            p[23].Value = Db(ErrorFingerprint);
            p[24].Value = Db(PeakGpuMemoryBytes);
            p[25].Value = Db(DurationMs);
            p[26].Value = Db(QueueWaitMs);
            p[27].Value = Version;
        }

        private static object Db(string? value) => value is null ? DBNull.Value : value;

        private static object Db(long? value) => value is { } v ? v : DBNull.Value;
    }
}
