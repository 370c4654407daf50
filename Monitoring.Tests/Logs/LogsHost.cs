using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitoring.Core;
using Monitoring.Tests.Support;
using Monitoring.Web.Logs;
using Monitoring.Web.Security;

namespace Monitoring.Tests.Logs;

/// <summary>A minimal web host with just the logging feature, composed as the product composes it
/// (<c>AddMonitoringLogging()</c>, <c>MapLogsApi()</c>, loopback authentication), on a TestServer and a temp data folder.</summary>
internal sealed class LogsHost : IAsyncDisposable
{
    private readonly TempDirectory? _ownDirectory;

    private LogsHost(WebApplication app, string dataDirectory, TempDirectory? ownDirectory)
    {
        App = app;
        DataDirectory = dataDirectory;
        _ownDirectory = ownDirectory;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }
    public string DataDirectory { get; }
    public HttpClient Client { get; }
    public LogFolder Folder => App.Services.GetRequiredService<LogFolder>();
    public LogRingBuffer Buffer => App.Services.GetRequiredService<LogRingBuffer>();

    public static async Task<LogsHost> StartAsync(IDictionary<string, string?>? settings = null, string? dataDirectory = null)
    {
        var own = dataDirectory is null ? new TempDirectory() : null;
        var data = dataDirectory ?? own!.Path;
        WebApplication? app = null;
        try
        {
            // The content root is the empty data folder, so no appsettings.json from the build output leaks in.
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = data });
            builder.WebHost.UseTestServer();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
            {
                ["Storage:DataDirectory"] = data,
            });

            builder.AddMonitoringLogging();
            builder.Services.AddAuthentication(LoopbackAuthenticationHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, LoopbackAuthenticationHandler>(LoopbackAuthenticationHandler.SchemeName, null);
            builder.Services.AddAuthorizationBuilder()
                .AddPolicy(Roles.ViewPolicy, p => p.RequireRole(Roles.Viewer, Roles.Operator, Roles.Admin));
            builder.Services.AddProblemDetails();
            builder.Services.ConfigureHttpJsonOptions(o => MonitoringJson.Configure(o.SerializerOptions));

            app = builder.Build();
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapLogsApi();
            await app.StartAsync();
            return new LogsHost(app, data, own);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            own?.Dispose();
            throw;
        }
    }

    public ILogger Logger(string category) => App.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        _ownDirectory?.Dispose();
    }
}
