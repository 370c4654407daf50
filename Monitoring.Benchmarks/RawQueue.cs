using System.Data;
using Microsoft.Data.Sqlite;

namespace Monitoring.Benchmarks;

/// <summary>The baseline for <see cref="LifecycleBenchmark"/>: the same three transactions as the
/// product's enqueue, claim and complete, written by hand on one open connection with prepared
/// statements, at the same durability (WAL, synchronous=FULL).</summary>
/// <remarks>The schema mirrors the product's Tasks and TaskEvents tables column for column and carries
/// the same indexes, so every insert and update maintains as many b-trees as the product's do.
/// It does not maintain the TaskCounters roll-up: that is work the product chooses to do.</remarks>
internal sealed class RawQueue : IDisposable
{
    private const string Schema = """
        CREATE TABLE Tasks (
            Id INTEGER NOT NULL CONSTRAINT PK_Tasks PRIMARY KEY AUTOINCREMENT,
            Type TEXT NOT NULL, Priority INTEGER NOT NULL, Parameters TEXT NOT NULL, Status INTEGER NOT NULL,
            Attempt INTEGER NOT NULL, MaxAttempts INTEGER NOT NULL, TimeoutSeconds INTEGER NOT NULL,
            RequiredGpuMemoryBytes INTEGER NOT NULL, IdempotencyKey TEXT NULL, Source TEXT NOT NULL,
            CreatedAt INTEGER NOT NULL, EnqueuedAt INTEGER NOT NULL, StartedAt INTEGER NULL, FinishedAt INTEGER NULL,
            NextAttemptAt INTEGER NULL, WorkerId TEXT NULL, GpuUuid TEXT NULL, Progress INTEGER NOT NULL,
            Result TEXT NULL, FailureKind INTEGER NULL, Error TEXT NULL, ErrorDetail TEXT NULL, ErrorFingerprint TEXT NULL,
            PeakGpuMemoryBytes INTEGER NULL, DurationMs INTEGER NULL, QueueWaitMs INTEGER NULL, Version INTEGER NOT NULL);
        CREATE TABLE TaskEvents (
            Id INTEGER NOT NULL CONSTRAINT PK_TaskEvents PRIMARY KEY AUTOINCREMENT,
            TaskId INTEGER NOT NULL, At INTEGER NOT NULL, "From" INTEGER NULL, "To" INTEGER NOT NULL,
            Actor TEXT NOT NULL, Message TEXT NULL, WorkerId TEXT NULL, GpuUuid TEXT NULL,
            CONSTRAINT FK_TaskEvents_Tasks_TaskId FOREIGN KEY (TaskId) REFERENCES Tasks (Id) ON DELETE CASCADE);
        CREATE INDEX IX_TaskEvents_TaskId_Id ON TaskEvents (TaskId, Id);
        CREATE INDEX IX_Tasks_CreatedAt ON Tasks (CreatedAt);
        CREATE INDEX IX_Tasks_FinishedAt ON Tasks (FinishedAt);
        CREATE UNIQUE INDEX IX_Tasks_IdempotencyKey ON Tasks (IdempotencyKey);
        CREATE INDEX IX_Tasks_Status_ErrorFingerprint_FinishedAt ON Tasks (Status, ErrorFingerprint, FinishedAt);
        CREATE INDEX IX_Tasks_Status_Id ON Tasks (Status, Id);
        CREATE INDEX IX_Tasks_Status_NextAttemptAt ON Tasks (Status, NextAttemptAt);
        CREATE INDEX IX_Tasks_Status_Priority_EnqueuedAt_Id ON Tasks (Status, Priority, EnqueuedAt, Id);
        CREATE INDEX IX_Tasks_Type_Id ON Tasks (Type, Id);
        """;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insertTask;
    private readonly SqliteCommand _insertEvent;
    private readonly SqliteCommand _selectNext;
    private readonly SqliteCommand _claim;
    private readonly SqliteCommand _complete;

    private RawQueue(SqliteConnection connection)
    {
        _connection = connection;
        _insertTask = Prepare("""
            INSERT INTO Tasks (Type, Priority, Parameters, Status, Attempt, MaxAttempts, TimeoutSeconds, RequiredGpuMemoryBytes,
                               IdempotencyKey, Source, CreatedAt, EnqueuedAt, Progress, Version)
            VALUES ($type, 2, '{}', 0, 0, 3, 3600, 0, NULL, 'system', $now, $now, 0, 1)
            RETURNING Id
            """, "$type", "$now");
        _insertEvent = Prepare("""
            INSERT INTO TaskEvents (TaskId, At, "From", "To", Actor, Message, WorkerId, GpuUuid)
            VALUES ($task, $now, $from, $to, $actor, $message, $worker, NULL)
            """, "$task", "$now", "$from", "$to", "$actor", "$message", "$worker");
        _selectNext = Prepare("""
            SELECT Id, EnqueuedAt FROM Tasks WHERE Status = 0
            ORDER BY Priority, EnqueuedAt, Id LIMIT 1
            """);
        _claim = Prepare("""
            UPDATE Tasks SET Status = 1, WorkerId = $worker, GpuUuid = NULL, Attempt = Attempt + 1, StartedAt = $now,
                             FinishedAt = NULL, NextAttemptAt = NULL, Progress = 0, QueueWaitMs = $wait, Version = Version + 1
            WHERE Id = $id AND Status = 0
            """, "$worker", "$now", "$wait", "$id");
        _complete = Prepare("""
            UPDATE Tasks SET Status = 3, FinishedAt = $now, DurationMs = $now - StartedAt, Progress = 100, Result = NULL,
                             Version = Version + 1
            WHERE Id = $id AND Status = 1
            """, "$now", "$id");
    }

    public static RawQueue Open(string databasePath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        connection.Open();
        using (var pragmas = connection.CreateCommand())
        {
            pragmas.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;";
            pragmas.ExecuteNonQuery();
            pragmas.CommandText = Schema;
            pragmas.ExecuteNonQuery();
        }

        return new RawQueue(connection);
    }

    /// <summary>"journal_mode=wal, synchronous=2" — read back, not assumed.</summary>
    public string Durability()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        var journal = command.ExecuteScalar();
        command.CommandText = "PRAGMA synchronous";
        var synchronous = command.ExecuteScalar();
        return $"journal_mode={journal}, synchronous={synchronous}";
    }

    public long Enqueue(string type, long now)
    {
        using var transaction = Begin();
        _insertTask.Parameters["$type"].Value = type;
        _insertTask.Parameters["$now"].Value = now;
        var id = (long)_insertTask.ExecuteScalar()!;
        AddEvent(id, now, from: null, to: 0, "system", "Enqueued", worker: null);
        transaction.Commit();
        return id;
    }

    /// <summary>Claims the next pending task in queue order; null when none waits.</summary>
    public long? ClaimNext(string workerId, long now)
    {
        using var transaction = Begin();
        long id;
        long enqueuedAt;
        using (var reader = _selectNext.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            id = reader.GetInt64(0);
            enqueuedAt = reader.GetInt64(1);
        }

        _claim.Parameters["$worker"].Value = workerId;
        _claim.Parameters["$now"].Value = now;
        _claim.Parameters["$wait"].Value = Math.Max(0, now - enqueuedAt);
        _claim.Parameters["$id"].Value = id;
        Expect(_claim.ExecuteNonQuery(), id);
        AddEvent(id, now, from: 0, to: 1, "scheduler", "Claimed by " + workerId, workerId);
        transaction.Commit();
        return id;
    }

    public void Complete(long id, string workerId, long now)
    {
        using var transaction = Begin();
        _complete.Parameters["$now"].Value = now;
        _complete.Parameters["$id"].Value = id;
        Expect(_complete.ExecuteNonQuery(), id);
        AddEvent(id, now, from: 1, to: 3, "system", "Completed", workerId);
        transaction.Commit();
    }

    public long Count(int status)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM Tasks WHERE Status = $status";
        command.Parameters.AddWithValue("$status", status);
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose()
    {
        foreach (var command in new[] { _insertTask, _insertEvent, _selectNext, _claim, _complete })
        {
            command.Dispose();
        }

        _connection.Dispose();
    }

    // Serializable without deferral is Microsoft.Data.Sqlite's "BEGIN IMMEDIATE": the write lock is
    // taken up front, as EF Core's transactions take it in the product.
    private SqliteTransaction Begin()
    {
        var transaction = _connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
        foreach (var command in new[] { _insertTask, _insertEvent, _selectNext, _claim, _complete })
        {
            command.Transaction = transaction;
        }

        return transaction;
    }

    private void AddEvent(long taskId, long now, int? from, int to, string actor, string message, string? worker)
    {
        _insertEvent.Parameters["$task"].Value = taskId;
        _insertEvent.Parameters["$now"].Value = now;
        _insertEvent.Parameters["$from"].Value = from is { } f ? f : DBNull.Value;
        _insertEvent.Parameters["$to"].Value = to;
        _insertEvent.Parameters["$actor"].Value = actor;
        _insertEvent.Parameters["$message"].Value = message;
        _insertEvent.Parameters["$worker"].Value = worker is null ? DBNull.Value : worker;
        _insertEvent.ExecuteNonQuery();
    }

    private static void Expect(int rows, long id)
    {
        if (rows != 1)
        {
            throw new BenchmarkCheckException($"raw: task {id} was not in the expected state ({rows} rows changed).");
        }
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
        }

        command.Prepare();
        return command;
    }
}
