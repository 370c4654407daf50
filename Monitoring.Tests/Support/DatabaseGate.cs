using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Monitoring.Tests.Support;

/// <summary>Stands between the product's EF Core contexts and the real SQLite file: open by default, it can hold
/// every query until the test releases it (a page's loading state) or fail them as a broken disk would (its error
/// state). Everything else about the database stays real.</summary>
public sealed class DatabaseGate : DbCommandInterceptor
{
    /// <summary>SQLITE_IOERR: what a page sees when the disk under the database fails.</summary>
    private const int DiskIoError = 10;

    public const string DiskIoErrorMessage = "SQLite Error 10: 'disk I/O error'.";

    private volatile TaskCompletionSource? _held;
    private volatile bool _failing;

    /// <summary>Queries from now on wait until <see cref="Release"/>.</summary>
    public void Hold() => _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => Interlocked.Exchange(ref _held, null)?.TrySetResult();

    /// <summary>Queries from now on fail with SQLite's disk I/O error.</summary>
    public void Fail() => _failing = true;

    public void Heal() => _failing = false;

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await PassAsync(cancellationToken);
        return result;
    }

    public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        await PassAsync(cancellationToken);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await PassAsync(cancellationToken);
        return result;
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        ThrowIfFailing();
        return result;
    }

    private async Task PassAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        if (_held is { } held)
        {
            await held.Task.WaitAsync(cancellationToken);
        }
    }

    private void ThrowIfFailing()
    {
        if (_failing)
        {
            throw new SqliteException(DiskIoErrorMessage, DiskIoError);
        }
    }
}
