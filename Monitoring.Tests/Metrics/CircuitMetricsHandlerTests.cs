using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Web.Metrics;

namespace Monitoring.Tests.Metrics;

public sealed class CircuitMetricsHandlerTests
{
    [Fact]
    public async Task Opened_and_closed_circuits_move_the_active_gauge_and_the_total()
    {
        using var scope = new MeterScope();
        // Blazor makes one handler per circuit; the handler never looks at the circuit itself.
        var first = new CircuitMetricsHandler(scope.Meters);
        var second = new CircuitMetricsHandler(scope.Meters);
        Circuit circuit = null!;

        await first.OnCircuitOpenedAsync(circuit, CancellationToken.None);
        await second.OnCircuitOpenedAsync(circuit, CancellationToken.None);
        await first.OnCircuitClosedAsync(circuit, CancellationToken.None);

        Assert.Equal(1, scope.Meters.ActiveCircuits);
        var samples = await scope.ScrapeAsync();
        Assert.Equal(1, samples.Named("monitoring_circuits_active").Single().Value);
        Assert.Equal(2, samples.Named("monitoring_circuits_total").Single().Value);

        await second.OnCircuitClosedAsync(circuit, CancellationToken.None);
        samples = await scope.ScrapeAsync();
        Assert.Equal(0, samples.Named("monitoring_circuits_active").Single().Value);
        Assert.Equal(2, samples.Named("monitoring_circuits_total").Single().Value);
    }

    [Fact]
    public async Task Every_circuit_gets_the_handler()
    {
        await using var host = await MetricsHost.StartAsync(("Scheduler:Enabled", "false"));
        using var circuitScope = host.Services.CreateScope();
        Assert.Contains(circuitScope.ServiceProvider.GetServices<CircuitHandler>(), h => h is CircuitMetricsHandler);
    }
}
