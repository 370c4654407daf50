using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Monitoring.Core.Workers;
using Monitoring.Tests.Support;
using Monitoring.Web;

namespace Monitoring.Tests.Workers;

public sealed class WorkerOptionsTests
{
    [Fact]
    public void The_host_waits_longer_for_its_services_to_stop_than_the_shutdown_grace()
    {
        using var data = new TempDirectory();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = data.Path,
            ["Workers:ShutdownGraceSeconds"] = "120",
        });
        builder.AddMonitoring();
        using var app = builder.Build();

        Assert.Equal(TimeSpan.FromSeconds(120), app.Services.GetRequiredService<WorkerPool>().ShutdownGrace);
        // Otherwise the host would cut the graceful stop off and the running tasks would be recovered as Lost.
        Assert.True(app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout > TimeSpan.FromSeconds(120));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("3601")]
    public void A_shutdown_grace_out_of_range_stops_start_up_naming_the_setting(string seconds)
    {
        using var app = new MonitoringApp(MonitoringApp.Scheduling(("Workers:ShutdownGraceSeconds", seconds)));

        var error = Assert.Throws<OptionsValidationException>(() => app.Services);

        Assert.Contains("ShutdownGraceSeconds", error.Message, StringComparison.Ordinal);
    }
}
