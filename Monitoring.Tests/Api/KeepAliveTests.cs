using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Api;

/// <summary>Idle HTTP connections end after <c>Kestrel:Limits:KeepAliveTimeout</c>: every page load leaves the
/// browser's parallel connections open, each with its buffers, until then.</summary>
public sealed class KeepAliveTests
{
    [Fact]
    public void The_shipped_setting_reaches_Kestrel()
    {
        using var app = new MonitoringApp();

        var limits = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        Assert.Equal(TimeSpan.FromSeconds(15), limits.KeepAliveTimeout);
    }

    [Fact]
    public async Task An_idle_connection_is_closed_after_the_timeout()
    {
        using var app = new MonitoringApp(new Dictionary<string, string?> { ["Kestrel:Limits:KeepAliveTimeout"] = "00:00:02" });
        var address = app.StartKestrel();
        using var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /favicon.svg HTTP/1.1\r\nHost: {address.Authority}\r\n\r\n"));

        // The response, then nothing until the server closes the connection (a read of 0 bytes).
        var buffer = new byte[64 * 1024];
        var first = await stream.ReadAsync(buffer);
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(buffer, 0, first), StringComparison.Ordinal);
        var idle = Stopwatch.StartNew();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await stream.ReadAsync(buffer, bound.Token) > 0)
        {
        }

        // Kestrel's default (130 s) would run past the bound; its timer ticks once a second.
        Assert.InRange(idle.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    }
}
