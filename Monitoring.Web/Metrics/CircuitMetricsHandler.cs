using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Monitoring.Web.Metrics;

/// <summary>Counts console sessions: a Blazor circuit per connected browser tab (<c>monitoring_circuits_active</c>,
/// <c>monitoring_circuits_total</c>). One handler per circuit; the counts live in the singleton meters.</summary>
internal sealed class CircuitMetricsHandler(MonitoringMeters meters) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        meters.CircuitOpened();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        meters.CircuitClosed();
        return Task.CompletedTask;
    }
}
