using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core;
using Monitoring.Core.Tasks;

namespace Monitoring.Tests.Support;

/// <summary>The real web host on a real SQLite file in a temp folder, demo producer off.
/// In-process (TestServer) by default; <see cref="StartKestrel"/> serves it on a loopback port for a browser.</summary>
public sealed class MonitoringApp : WebApplicationFactory<Program>
{
    private readonly TempDirectory _directory = new();
    private readonly Dictionary<string, string?> _settings;

    public MonitoringApp(IDictionary<string, string?>? settings = null)
    {
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
    }

    public static JsonSerializerOptions Json => MonitoringJson.Options;

    public string DataDirectory => _directory.Path;
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
        builder.UseSetting("Storage:DataDirectory", _directory.Path);
        builder.UseSetting("Demo:Enabled", "false");
        // Most tests drive task states by hand; tests of scheduling turn it on explicitly.
        builder.UseSetting("Scheduler:Enabled", "false");
        builder.UseSetting("Gpu:Provider", "none");
        builder.UseSetting("Urls", "http://127.0.0.1:0");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _directory.Dispose();
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
