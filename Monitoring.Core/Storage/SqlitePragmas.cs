using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Monitoring.Core.Storage;

/// <summary>Sets the per-connection pragmas; WAL mode is stored in the file and set once at start-up.</summary>
internal sealed class SqlitePragmas(string synchronous, int busyTimeoutMilliseconds) : DbConnectionInterceptor
{
    private readonly string _sql =
        $"PRAGMA synchronous={(synchronous == "Normal" ? "NORMAL" : "FULL")}; PRAGMA busy_timeout={busyTimeoutMilliseconds}; PRAGMA foreign_keys=ON;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _sql;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(
        DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = _sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
