using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Handlers;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Storage;

namespace Monitoring.Benchmarks;

/// <summary>A CPU task type that completes at once: what is measured is the queue, the scheduler and
/// the worker pool around it. The benchmark's own, so it does not depend on the product's demo handlers.</summary>
internal sealed class NoopHandler : ITaskHandler
{
    public const string TaskType = "bench.noop";

    private static readonly Task<TaskResult> Done = Task.FromResult(new TaskResult(null));

    public string Name => "bench";

    public IReadOnlyList<TaskTypeDefinition> Types { get; } =
    [
        new(TaskType, "bench", RequiresGpu: false, GpuMemoryBytes: 0, TimeoutSeconds: null, MaxAttempts: null, Parameters: []),
    ];

    public IReadOnlyList<ParameterProblem> ValidateParameters(string type, JsonElement parameters) => [];

    public Task<TaskResult> RunAsync(TaskRun run, CancellationToken cancellationToken) => Done;
}

/// <summary>The real web app in process (<c>WebApplicationFactory&lt;Program&gt;</c>, TestServer) with the
/// scheduler and worker pool running, no GPU, the demo producer off and <see cref="NoopHandler"/> registered.</summary>
internal static class SchedulingHost
{
    public static WebApplicationFactory<global::Program> Create(string dataDirectory, IReadOnlyDictionary<string, string>? settings = null) =>
        new WebApplicationFactory<global::Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Storage:DataDirectory", dataDirectory);
            b.UseSetting("Demo:Enabled", "false");
            b.UseSetting("Gpu:Provider", "none");
            b.UseSetting("Scheduler:Enabled", "true");
            // Accounts on, as shipped; with a given admin password the first start prints no generated one.
            foreach (var (key, value) in new BenchmarkCredentials().Settings)
            {
                b.UseSetting(key, value);
            }

            // Only the benchmark's own lines on stdout, and none after its JSON line.
            b.UseSetting("Logging:LogLevel:Default", "Warning");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                b.UseSetting(key, value);
            }

            b.UseEnvironment("Production");
            b.ConfigureServices(services => services.AddSingleton<ITaskHandler>(new NoopHandler()));
        });

    /// <summary>Starts the host and waits until its scheduler holds the lease (it schedules nothing before).</summary>
    public static async Task<IServiceProvider> StartAsync(WebApplicationFactory<global::Program> factory)
    {
        var services = factory.Services;
        var scheduler = services.GetRequiredService<GpuScheduler>();
        var waited = Stopwatch.StartNew();
        while (scheduler.IsReadOnly)
        {
            Check.That(waited.Elapsed < TimeSpan.FromSeconds(30), $"the scheduler did not take its lease within 30 s: {scheduler.ReadOnlyReason}");
            await Task.Delay(10);
        }

        return services;
    }

    /// <summary>journal_mode and synchronous as the product's own connections see them (through its pragma interceptor).</summary>
    public static async Task<(string JournalMode, string Synchronous)> DurabilityAsync(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        var journal = Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) ?? "?";
        command.CommandText = "PRAGMA synchronous";
        var synchronous = await command.ExecuteScalarAsync() switch
        {
            0L => "OFF",
            1L => "NORMAL",
            2L => "FULL",
            3L => "EXTRA",
            var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture) ?? "?",
        };
        return (journal.ToUpperInvariant(), synchronous);
    }
}
