using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Storage;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Storage;

public sealed class SqliteVersionTests
{
    /// <summary>SQLite before 3.50.2 has CVE-2025-6965 (memory corruption through aggregate queries); the native library
    /// comes with EF Core's SQLitePCLRaw bundle, so a package change can bring an old one back.</summary>
    [Fact]
    public async Task The_database_runs_on_sqlite_3_50_2_or_newer()
    {
        using var app = new MonitoringApp();
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();

        var version = (await db.Database.SqlQueryRaw<string>("SELECT sqlite_version() AS \"Value\"").ToListAsync()).Single();

        Assert.True(Version.Parse(version) >= new Version(3, 50, 2), $"SQLite {version} is older than 3.50.2 (CVE-2025-6965)");
    }
}
