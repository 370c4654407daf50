using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Storage;
using Monitoring.Tests.Support;
using Monitoring.Web.Security.Accounts;

namespace Monitoring.Tests.Security;

/// <summary>A reverse proxy on this machine connects over loopback on behalf of anyone: its forwarded headers are
/// believed only from <c>Network:KnownProxies</c>, and a forwarded request never gets what a local caller gets.</summary>
public sealed class ForwardedHeadersTests
{
    private const string AdminPassword = "Adm1n-Passw0rd!";

    [Fact]
    public async Task Without_accounts_a_loopback_caller_carrying_X_Forwarded_For_is_refused()
    {
        using var app = new MonitoringApp();

        var direct = await app.Server.SendAsync(c => { c.Request.Path = "/api/v1/tasks"; c.Connection.RemoteIpAddress = IPAddress.Loopback; });
        var forwarded = await app.Server.SendAsync(c =>
        {
            c.Request.Path = "/api/v1/tasks";
            c.Request.Headers["X-Forwarded-For"] = "203.0.113.7";
            c.Connection.RemoteIpAddress = IPAddress.Loopback;
        });
        var standard = await app.Server.SendAsync(c =>
        {
            c.Request.Path = "/api/v1/tasks";
            c.Request.Headers["Forwarded"] = "for=203.0.113.7";
            c.Connection.RemoteIpAddress = IPAddress.Loopback;
        });

        Assert.Equal(200, direct.Response.StatusCode);
        Assert.Equal(401, forwarded.Response.StatusCode);
        Assert.Equal(401, standard.Response.StatusCode);
    }

    [Theory]
    [InlineData("X-Real-IP", "203.0.113.7")]
    [InlineData("Via", "1.1 nginx")]
    [InlineData("X-Forwarded-Proto", "https")]
    [InlineData("X-Forwarded-Host", "monitoring.example")]
    public async Task Without_accounts_a_loopback_caller_carrying_any_proxy_header_is_refused(string header, string value)
    {
        using var app = new MonitoringApp();

        var forwarded = await app.Server.SendAsync(c =>
        {
            c.Request.Path = "/api/v1/tasks";
            c.Request.Headers[header] = value;
            c.Connection.RemoteIpAddress = IPAddress.Loopback;
        });

        Assert.Equal(401, forwarded.Response.StatusCode);
    }

    [Fact]
    public async Task Anonymous_metrics_refuse_a_loopback_caller_carrying_X_Forwarded_For()
    {
        using var app = new MonitoringApp(new Dictionary<string, string?> { ["Auth:Mode"] = "Local", [AccountBootstrap.AdminPasswordVariable] = AdminPassword });

        var direct = await app.Server.SendAsync(c => { c.Request.Path = "/metrics"; c.Connection.RemoteIpAddress = IPAddress.Loopback; });
        var forwarded = await app.Server.SendAsync(c =>
        {
            c.Request.Path = "/metrics";
            c.Request.Headers["X-Forwarded-For"] = "127.0.0.1";
            c.Connection.RemoteIpAddress = IPAddress.Loopback;
        });

        Assert.Equal(200, direct.Response.StatusCode);
        Assert.Equal(401, forwarded.Response.StatusCode);
    }

    [Fact]
    public async Task Behind_a_known_proxy_the_forwarded_client_is_the_audited_address()
    {
        using var app = new MonitoringApp(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "Local",
            [AccountBootstrap.AdminPasswordVariable] = AdminPassword,
            ["Network:KnownProxies:0"] = "127.0.0.1",
        });
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.StartKestrel() };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");

        await SignInTests.SignInAsync(client, "admin", AdminPassword);

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();
        var login = await db.AuditEntries.SingleAsync(a => a.Action == "auth.login");
        Assert.Equal("203.0.113.7", login.RemoteAddress);
    }

    [Fact]
    public async Task Forwarded_headers_from_an_unknown_peer_change_nothing()
    {
        using var app = new MonitoringApp(new Dictionary<string, string?> { ["Auth:Mode"] = "Local", [AccountBootstrap.AdminPasswordVariable] = AdminPassword });
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.StartKestrel() };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");

        await SignInTests.SignInAsync(client, "admin", AdminPassword);

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();
        var login = await db.AuditEntries.SingleAsync(a => a.Action == "auth.login");
        Assert.Equal("127.0.0.1", login.RemoteAddress);
    }
}
