using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Web.Metrics;

namespace Monitoring.Tests.Metrics;

/// <summary>The app's meters and the Prometheus bridge over them, without a web host.</summary>
public sealed class MeterScope : IDisposable
{
    private readonly ServiceProvider _services;

    public MeterScope()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Meters = new MonitoringMeters(_services.GetRequiredService<IMeterFactory>());
        Bridge = new PrometheusMeterBridge(Meters);
    }

    public MonitoringMeters Meters { get; }
    public PrometheusMeterBridge Bridge { get; }

    public async Task<string> ScrapeTextAsync()
    {
        using var stream = new MemoryStream();
        await Bridge.Registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public async Task<IReadOnlyList<Sample>> ScrapeAsync() => Exposition.Parse(await ScrapeTextAsync());

    public void Dispose()
    {
        Bridge.Dispose();
        _services.Dispose();
    }
}
