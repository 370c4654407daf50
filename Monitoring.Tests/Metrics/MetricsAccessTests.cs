using System.Net;
using Microsoft.AspNetCore.Http;
using Monitoring.Web.Metrics;

namespace Monitoring.Tests.Metrics;

public sealed class MetricsAccessTests
{
    [Fact]
    public async Task By_default_only_this_machine_may_scrape_anonymously()
    {
        await using var host = await MetricsHost.StartAsync(("Scheduler:Enabled", "false"), ("Auth:Mode", "Local"), ("MONITORING_ADMIN_PASSWORD", "Adm1n-Passw0rd!"));

        var remote = await host.ScrapeFromRemoteAsync();
        using var client = host.CreateClient();
        using var local = await client.GetAsync(new Uri(MonitoringMetricsExtensions.Path, UriKind.Relative));

        Assert.Equal(StatusCodes.Status401Unauthorized, remote.Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
    }

    [Fact]
    public async Task With_anonymous_access_on_anyone_may_scrape()
    {
        await using var host = await MetricsHost.StartAsync(("Scheduler:Enabled", "false"), ("Metrics:AllowAnonymous", "true"));
        var context = await host.ScrapeFromRemoteAsync();
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }

    [Fact]
    public async Task Without_anonymous_access_a_remote_scrape_is_refused_and_a_viewer_may_scrape()
    {
        await using var host = await MetricsHost.StartAsync(("Scheduler:Enabled", "false"), ("Metrics:AllowAnonymous", "false"));

        var remote = await host.ScrapeFromRemoteAsync();
        Assert.Equal(StatusCodes.Status401Unauthorized, remote.Response.StatusCode);

        // In-process calls are the local admin under Auth:Mode=None.
        using var client = host.CreateClient();
        using var local = await client.GetAsync(new Uri(MonitoringMetricsExtensions.Path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        Assert.Contains("monitoring_build_info", await local.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
