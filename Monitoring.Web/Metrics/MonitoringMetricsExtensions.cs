using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Monitoring.Web.Security;
using Prometheus;

namespace Monitoring.Web.Metrics;

public static class MonitoringMetricsExtensions
{
    public const string Path = "/metrics";

    /// <summary>Registers the instruments, the Prometheus bridge and the circuit counter.</summary>
    public static WebApplicationBuilder AddMonitoringMetrics(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section);
        services.AddMetrics();
        services.AddSingleton<MonitoringMeters>();
        services.AddSingleton<HttpRequestWindow>();
        services.AddSingleton<StateGauges>();
        services.AddSingleton<TaskChangeMetrics>();
        services.AddSingleton<PrometheusMeterBridge>();
        // Picked up by the Serilog pipeline (ReadFrom.Services) beside the ring buffer.
        services.AddSingleton<Serilog.Core.ILogEventSink, LogEventCounterSink>();
        // Blazor resolves circuit handlers per circuit, from the circuit's scope.
        services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, CircuitMetricsHandler>());
        return builder;
    }

    /// <summary>Starts the instruments, times every request, and serves <c>/metrics</c>: anonymously to this
    /// machine by default, to anyone with <c>Metrics:AllowAnonymous=true</c>, only to Viewers and up with <c>false</c>.</summary>
    /// <remarks>Call it before <c>MapMonitoring()</c>: its request timing must wrap the status-code pages,
    /// the exception handler and authentication, so it sees the status the client gets.</remarks>
    public static WebApplication MapMonitoringMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Created now, not at the first scrape: the task counters must see changes from the first one.
        app.Services.GetRequiredService<StateGauges>();
        app.Services.GetRequiredService<TaskChangeMetrics>();
        var bridge = app.Services.GetRequiredService<PrometheusMeterBridge>();
        // A counter appears at its first increment; start this unlabelled one at 0 so the first circuit is an increase.
        app.Services.GetRequiredService<MonitoringMeters>().CircuitsOpened.Add(0);

        app.UseMiddleware<HttpMetricsMiddleware>();
        var endpoint = app.MapMetrics(Path, bridge.Registry).WithDisplayName("Prometheus metrics");
        switch (app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.AllowAnonymous)
        {
            case true:
                break;
            case false:
                endpoint.RequireAuthorization(Roles.ViewPolicy);
                break;
            default:
                // Anonymous from this machine only; a caller from elsewhere must be a Viewer or better.
                endpoint.RequireAuthorization(policy => policy.RequireAssertion(context =>
                    context.User.IsInRole(Roles.Viewer) || context.User.IsInRole(Roles.Operator) || context.User.IsInRole(Roles.Admin) ||
                    (context.Resource is HttpContext http && ClientAddress.IsLoopbackCaller(http))));
                break;
        }

        return app;
    }
}
