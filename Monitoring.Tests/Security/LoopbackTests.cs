using System.Net;
using Microsoft.AspNetCore.TestHost;
using Monitoring.Tests.Support;
using Monitoring.Web.Security;

namespace Monitoring.Tests.Security;

public sealed class LoopbackTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://+:80", false)]
    [InlineData("http://*:80", false)]
    [InlineData("http://[::]:80", false)]
    [InlineData("http://192.168.1.20:80", false)]
    public void Only_loopback_addresses_count_as_loopback(string address, bool loopback) =>
        Assert.Equal(loopback, LoopbackBindingGuard.IsLoopback(address));

    [Fact]
    public async Task Without_accounts_the_host_refuses_to_serve_the_network()
    {
        using var data = new TempDirectory();
        using var host = new WebProcess(data.Path, "--urls", "http://0.0.0.0:0", "--Auth:Mode=None");

        // A real process starts cold (JIT) and shares two cores with the browser tests: allow for it, a pass returns early.
        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(180));

        Assert.True(exitCode is not null and not 0, $"the host should have stopped with an error:\n{host.Output}");
        Assert.Contains("Auth:Mode=None only serves loopback addresses", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_accounts_the_host_may_serve_the_network_and_refuses_anonymous_callers()
    {
        using var data = new TempDirectory();
        var port = WebProcess.FreePort();
        using var host = new WebProcess(data.Path, "--urls", $"http://0.0.0.0:{port}", "--Demo:Enabled=false", "--Gpu:Provider=none");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await http.GetAsync("/health/live")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"the host answers\n{host.Output}", TimeSpan.FromSeconds(180));

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/tasks")).StatusCode);
        Assert.Contains("created the 'admin' account with the generated password", host.Output, StringComparison.Ordinal);
        var logs = Directory.GetFiles(Path.Combine(data.Path, "logs"), "*.clef").Select(File.ReadAllText).ToList();
        Assert.NotEmpty(logs);
        Assert.All(logs, text => Assert.DoesNotContain("generated password ", text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_answer_carries_the_security_headers()
    {
        using var app = new MonitoringApp();
        using var client = app.CreateClient();

        foreach (var url in new[] { "/tasks", "/api/v1/tasks", "/health/live" })
        {
            var response = await client.GetAsync(url);
            var csp = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        }
    }

    [Fact]
    public async Task A_caller_from_another_machine_gets_401_and_changes_nothing()
    {
        using var app = new MonitoringApp();
        var server = app.Server;

        var read = await server.SendAsync(c => { c.Request.Path = "/api/v1/tasks"; c.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3"); });
        var write = await server.SendAsync(c =>
        {
            c.Request.Method = "POST";
            c.Request.Path = "/api/v1/tasks";
            c.Request.ContentType = "application/json";
            c.Request.Body = new MemoryStream("""{"type":"x"}"""u8.ToArray());
            c.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        });

        Assert.Equal(401, read.Response.StatusCode);
        Assert.Equal(401, write.Response.StatusCode);
        Assert.Equal(0, (await app.Reader.ListAsync(Monitoring.Core.Tasks.TaskFilter.All, 1, 1)).Total);
    }
}
