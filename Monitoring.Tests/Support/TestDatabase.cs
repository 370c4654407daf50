using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Core;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;

namespace Monitoring.Tests.Support;

/// <summary>The product's Core services over a real SQLite file, with a fake clock.
/// <see cref="RestartAsync"/> drops every service and opens the same file again, as a process restart would.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly Dictionary<string, string?> _settings;
    private IHost _host = null!;

    private TestDatabase(Dictionary<string, string?> settings)
    {
        _settings = settings;
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
    public string DataDirectory => _directory.Path;
    public IServiceProvider Services => _host.Services;
    public TaskQueue Queue => Services.GetRequiredService<TaskQueue>();
    public TaskReader Reader => Services.GetRequiredService<TaskReader>();
    public TaskStatistics Statistics => Services.GetRequiredService<TaskStatistics>();

    public static async Task<TestDatabase> CreateAsync(IDictionary<string, string?>? settings = null)
    {
        var db = new TestDatabase(new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()));
        await db.StartAsync();
        return db;
    }

    public async Task RestartAsync()
    {
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await StartAsync();
    }

    public async Task<MonitoringDbContext> OpenAsync() =>
        await Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();

    /// <summary>The roll-up must always equal a count over the tasks themselves.</summary>
    public async Task AssertCountersMatchTasksAsync()
    {
        await using var db = await OpenAsync();
        var actual = await db.Tasks.GroupBy(t => new { t.Type, t.Priority, t.Status })
            .Select(g => new { g.Key.Type, g.Key.Priority, g.Key.Status, Count = g.LongCount() })
            .ToListAsync();
        var counters = await db.TaskCounters.Where(c => c.InStatus != 0).ToListAsync();
        Assert.Equal(
            actual.Select(a => $"{a.Type}/{a.Priority}/{a.Status}={a.Count}").Order(StringComparer.Ordinal),
            counters.Select(c => $"{c.Type}/{c.Priority}/{c.Status}={c.InStatus}").Order(StringComparer.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        await Task.Yield();
        _directory.Dispose();
    }

    private async Task StartAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = _directory.Path,
        });
        builder.Configuration.AddInMemoryCollection(_settings);
        builder.Services.AddSingleton<TimeProvider>(Clock);
        builder.AddMonitoringCore();
        _host = builder.Build();
        await _host.Services.InitializeDatabaseAsync();
    }
}
