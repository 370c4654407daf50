using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Monitoring.Core.Storage;

/// <summary>Sets the per-connection pragmas; WAL mode is stored in the file and set once at start-up, and
/// foreign keys are switched on by the connection string.</summary>
/// <remarks>The busy timeout goes first, on its own: until it is set, a brand-new handle that loads the schema
/// while another connection writes can fail at once instead of waiting (seen with 16 connections opening
/// together). A pragma that still fails that way is retried a few times.</remarks>
internal sealed class SqlitePragmas(string synchronous, int busyTimeoutMilliseconds) : DbConnectionInterceptor
{
    private const int Attempts = 5;

    private readonly string[] _pragmas =
    [
        $"PRAGMA busy_timeout={busyTimeoutMilliseconds};",
        $"PRAGMA synchronous={(synchronous == "Normal" ? "NORMAL" : "FULL")};",
    ];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        foreach (var pragma in _pragmas)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    using var command = connection.CreateCommand();
                    command.CommandText = pragma;
                    command.ExecuteNonQuery();
                    break;
                }
                catch (SqliteException ex) when (IsTransient(ex) && attempt < Attempts)
                {
                    Thread.Sleep(10 * attempt);
                }
            }
        }
    }

    public override async Task ConnectionOpenedAsync(
        DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        foreach (var pragma in _pragmas)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await using var command = connection.CreateCommand();
                    command.CommandText = pragma;
                    await command.ExecuteNonQueryAsync(cancellationToken);
                    break;
                }
                catch (SqliteException ex) when (IsTransient(ex) && attempt < Attempts)
                {
                    await Task.Delay(10 * attempt, cancellationToken);
                }
            }
        }
    }

    /// <summary>SQLITE_ERROR while the schema loads under a concurrent writer, SQLITE_BUSY, SQLITE_LOCKED.</summary>
    private static bool IsTransient(SqliteException ex) => ex.SqliteErrorCode is 1 or 5 or 6;
}
