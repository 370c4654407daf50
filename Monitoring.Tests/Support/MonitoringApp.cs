using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Monitoring.Core;
using Monitoring.Core.Handlers;
using Monitoring.Core.Tasks;

namespace Monitoring.Tests.Support;

/// <summary>The real web host on a real SQLite file in a temp folder, demo producer off.
/// In-process (TestServer) by default; <see cref="StartKestrel"/> serves it on a loopback port for a browser.</summary>
public sealed class MonitoringApp : WebApplicationFactory<Program>
{
    private readonly TempDirectory? _ownDirectory;
    private readonly string _dataDirectory;
    private readonly Dictionary<string, string?> _settings;

    /// <param name="dataDirectory">Share a data folder with another host (two processes on one database); default: a fresh one.</param>
    public MonitoringApp(IDictionary<string, string?>? settings = null, string? dataDirectory = null)
    {
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        if (dataDirectory is null)
        {
            _ownDirectory = new TempDirectory();
            _dataDirectory = _ownDirectory.Path;
        }
        else
        {
            _dataDirectory = dataDirectory;
        }
    }

    /// <summary>The test-controlled handler, registered in every app (types test.gate and test.gpu-gate).</summary>
    public GateHandler Gate { get; } = new();

    /// <summary>Settings for a test that wants the scheduler and workers to run.</summary>
    public static Dictionary<string, string?> Scheduling(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Scheduler:Enabled"] = "true",
            ["Scheduler:IntervalSeconds"] = "1",
            ["Scheduler:LeaseSeconds"] = "3",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    public static JsonSerializerOptions Json => MonitoringJson.Options;

    public string DataDirectory => _dataDirectory;
    public TaskQueue Queue => Services.GetRequiredService<TaskQueue>();
    public TaskReader Reader => Services.GetRequiredService<TaskReader>();

    /// <summary>Serves the app on an ephemeral loopback port and returns its base address.</summary>
    public Uri StartKestrel()
    {
        UseKestrel(0);
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Storage:DataDirectory", _dataDirectory);
        builder.UseSetting("Demo:Enabled", "false");
        // In-process callers act as the local Admin unless a test asks for accounts (Auth:Mode=Local).
        builder.UseSetting("Auth:Mode", "None");
        // Most tests drive task states by hand; tests of scheduling turn it on explicitly.
        builder.UseSetting("Scheduler:Enabled", "false");
        builder.UseSetting("Gpu:Provider", "none");
        builder.UseSetting("Urls", "http://127.0.0.1:0");
        // A test host's tasks (gates held open) are stopped at once on dispose, not waited for; a test of the grace sets it.
        builder.UseSetting("Workers:ShutdownGraceSeconds", "0");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.AddSingleton<ITaskHandler>(Gate);
            // A browser's open circuit would otherwise hold every test host's shutdown for the default 30 s.
            services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _ownDirectory?.Dispose();
        }
    }
}

public static class HttpJson
{
    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return (await response.Content.ReadFromJsonAsync<T>(MonitoringApp.Json))!;
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body, MonitoringApp.Json);
}
