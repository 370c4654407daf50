using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core;
using Monitoring.Core.Handlers;
using Monitoring.Core.Tasks;
using Monitoring.Gpu;
using Monitoring.Tests.Support;
using Monitoring.Web;
using Monitoring.Web.Jobs;
using Monitoring.Web.Metrics;

namespace Monitoring.Tests.Metrics;

/// <summary>The web app built the way Program.cs builds it once metrics are integrated (the same extension calls
/// through the same <c>AddMonitoring</c>/<c>UseMonitoringAsync</c>), on a TestServer over a real
/// SQLite file, with 8 simulated GPUs and the scheduler on.</summary>
public sealed class MetricsHost : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly WebApplication _app;

    private MetricsHost(TempDirectory directory, WebApplication app, GateHandler gate)
    {
        _directory = directory;
        _app = app;
        Gate = gate;
    }

    /// <summary>Runs types test.gate and test.gpu-gate; passes tasks straight through unless told otherwise.</summary>
    public GateHandler Gate { get; }
    public IServiceProvider Services => _app.Services;
    public TaskQueue Queue => Services.GetRequiredService<TaskQueue>();
    public TestServer Server => _app.GetTestServer();

    public static async Task<MetricsHost> StartAsync(params (string Key, string Value)[] settings)
    {
        var directory = new TempDirectory();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            EnvironmentName = "Development",
            // No appsettings.json: every setting the test depends on is below.
            ContentRootPath = directory.Path,
        });
        builder.WebHost.UseTestServer();
        var configuration = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Storage:DataDirectory"] = directory.Path,
            ["Auth:Mode"] = "None",
            ["Demo:Enabled"] = "false",
            ["Gpu:Provider"] = "simulated",
            ["Gpu:Simulated:Count"] = "8",
            ["Scheduler:Enabled"] = "true",
            ["Scheduler:IntervalSeconds"] = "1",
            ["Scheduler:LeaseSeconds"] = "3",
            ["Workers:Count"] = "4",
            ["Probes:GpuIntervalSeconds"] = "1",
            ["Probes:SystemIntervalSeconds"] = "1",
            ["Probes:PerformanceIntervalSeconds"] = "5",
        };
        foreach (var (key, value) in settings)
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        var gate = new GateHandler { PassThrough = true };
        builder.Services.AddSingleton<ITaskHandler>(gate);

        builder.AddMonitoring();

        var app = builder.Build();
        await app.UseMonitoringAsync();
        await app.StartAsync();
        return new MetricsHost(directory, app, gate);
    }

    public HttpClient CreateClient() => Server.CreateClient();

    /// <summary>A scrape from another machine (the loopback handler treats in-process calls as the local admin).</summary>
    public Task<HttpContext> ScrapeFromRemoteAsync() =>
        Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = MonitoringMetricsExtensions.Path;
            c.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        });

    public async Task<string> ScrapeAsync()
    {
        using var client = CreateClient();
        using var response = await client.GetAsync(new Uri(MonitoringMetricsExtensions.Path, UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _directory.Dispose();
    }
}
