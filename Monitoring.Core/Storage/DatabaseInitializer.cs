using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Monitoring.Core.Storage;

public static class DatabaseInitializer
{
    /// <summary>Creates the data folder, switches the file to WAL and applies pending migrations.
    /// Runs before the host starts serving, so nothing reads an old schema.</summary>
    public static async Task InitializeDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseInitializer).FullName!);
        Directory.CreateDirectory(Path.GetDirectoryName(storage.DatabasePath)!);

        var factory = services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        // journal_mode is a property of the file: set once, it holds for every later connection.
        await db.Database.OpenConnectionAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        await db.Database.CloseConnectionAsync();
        await db.Database.MigrateAsync(cancellationToken);
        logger.LogInformation("Database ready at {Path} (WAL, synchronous={Synchronous})", storage.DatabasePath, storage.Synchronous);
    }

    /// <summary>Points a context at the product's SQLite file with its pragmas (durability, busy timeout).
    /// Every context on the database uses this, so they all behave the same under contention.</summary>
    public static DbContextOptionsBuilder UseMonitoringDatabase(
        this DbContextOptionsBuilder options, StorageOptions storage, string? migrationsHistoryTable = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(storage);
        return options
            .UseSqlite(ConnectionString(storage), sqlite =>
            {
                if (migrationsHistoryTable is not null)
                {
                    sqlite.MigrationsHistoryTable(migrationsHistoryTable);
                }
            })
            .AddInterceptors(new SqlitePragmas(storage.Synchronous, storage.BusyTimeoutMilliseconds));
    }

    public static string ConnectionString(StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new SqliteConnectionStringBuilder
        {
            DataSource = storage.DatabasePath,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = Math.Max(30, storage.BusyTimeoutMilliseconds / 1000),
        }.ToString();
    }
}
