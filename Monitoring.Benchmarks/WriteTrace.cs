using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Monitoring.Benchmarks;

/// <summary>Lists what one <see cref="Monitoring.Core.Tasks.TaskQueue"/> call sends to SQLite: connection
/// opens, transaction boundaries and every SQL statement, to explain the gap to the raw loop.
/// Attached only in the diagnostic pass after measuring.</summary>
internal sealed class WriteTrace : DbCommandInterceptor, IDbConnectionInterceptor, IDbTransactionInterceptor
{
    private readonly List<string> _steps = [];
    private readonly Lock _lock = new();

    public bool Recording { get; set; }

    public IReadOnlyList<string> Take()
    {
        lock (_lock)
        {
            var taken = _steps.ToList();
            _steps.Clear();
            return taken;
        }
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Add(command);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<int> NonQueryExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Add(command);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<object?> ScalarExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Add(command);
        return ValueTask.FromResult(result);
    }

    public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Add("open connection (the product's SqlitePragmas runs its PRAGMA batch on every open)");
        return Task.CompletedTask;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(
        DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        Add("BEGIN IMMEDIATE");
        return ValueTask.FromResult(result);
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Add("COMMIT");
        return Task.CompletedTask;
    }

    private void Add(DbCommand command)
    {
        var sql = QueryRecorder.OneLine(command.CommandText);
        Add(sql.Length > 110 ? sql[..110] + "…" : sql);
    }

    private void Add(string step)
    {
        if (!Recording)
        {
            return;
        }

        lock (_lock)
        {
            _steps.Add(step);
        }
    }
}
