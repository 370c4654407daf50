using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Monitoring.Tests.Support;
using Monitoring.Web;

namespace Monitoring.Tests;

/// <summary>How the published host starts: where it finds its files and which address it serves.</summary>
public sealed class MonitoringCompositionTests
{
    [Fact]
    public async Task Started_from_another_folder_the_host_still_reads_its_appsettings()
    {
        using var data = new TempDirectory();
        using var elsewhere = new TempDirectory();
        var port = WebProcess.FreePort();
        using var host = new WebProcess(new WebProcessStart { WorkingDirectory = elsewhere.Path }, data.Path,
            "--urls", $"http://127.0.0.1:{port}", "--Auth:Mode=None", "--Gpu:Provider=none", "--Scheduler:Enabled=false");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await host.WaitUntilLiveAsync(http);

        // The task type and the settings below exist only in the shipped appsettings.json.
        var submitted = await http.PostJsonAsync("/api/v1/tasks", new { type = "video.synthesize", parameters = new { width = 320, height = 240, seconds = 1 } });
        var settings = (await (await http.GetAsync("/api/v1/system/config")).ReadJsonAsync()).EnumerateArray()
            .ToDictionary(s => s.GetProperty("key").GetString()!, s => s.GetProperty("value").GetString());

        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        Assert.Equal("4", settings["Workers:Count"]);
        Assert.Equal("3", settings["Scheduler:MaxBatchSize"]);
    }

    [Fact]
    public async Task The_address_in_ASPNETCORE_URLS_is_served_as_the_container_sets_it()
    {
        using var data = new TempDirectory();
        var port = WebProcess.FreePort();
        var how = new WebProcessStart { Environment = new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://0.0.0.0:{port}" } };
        using var host = new WebProcess(how, data.Path, "--Demo:Enabled=false", "--Gpu:Provider=none", "--Scheduler:Enabled=false");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        await host.WaitUntilLiveAsync(http);

        Assert.Contains($"0.0.0.0:{port}", host.Output, StringComparison.Ordinal);
        // The kernel's own table: a listening socket (state 0A) on the wildcard address 0.0.0.0 at that port.
        var listening = File.ReadAllLines("/proc/net/tcp").Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f[3] == "0A").Select(f => f[1]);
        Assert.Contains($"00000000:{port.ToString("X4", CultureInfo.InvariantCulture)}", listening);
    }

    [Fact]
    public void The_shipped_appsettings_name_no_address_so_the_loopback_default_applies()
    {
        var shipped = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).Build();

        Assert.False(MonitoringComposition.HasAddress(shipped));
        Assert.Equal("http://127.0.0.1:5080", MonitoringComposition.DefaultAddress);
    }

    [Theory]
    [InlineData("urls", "http://0.0.0.0:8080")]
    [InlineData("http_ports", "8080")]
    [InlineData("https_ports", "8443")]
    [InlineData("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:8080")]
    public void Any_configured_address_replaces_the_default(string key, string value)
    {
        var configured = new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create<string, string?>(key, value)]).Build();

        Assert.True(MonitoringComposition.HasAddress(configured));
    }

    [Fact]
    public void Without_an_explicit_content_root_it_is_the_app_folder_and_an_explicit_one_is_kept()
    {
        Assert.Equal(AppContext.BaseDirectory, MonitoringComposition.HostOptions([]).ContentRootPath);
        Assert.Null(MonitoringComposition.HostOptions(["--contentRoot", "/srv/monitoring"]).ContentRootPath);
    }
}
