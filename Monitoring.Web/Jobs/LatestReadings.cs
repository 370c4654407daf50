using Monitoring.Core.Probes;
using Monitoring.Core.Tasks;

namespace Monitoring.Web.Jobs;

/// <summary>The newest system reading and performance snapshot, for the console and the API.
/// One value each (bounded); history goes to the metric store.</summary>
public sealed class LatestReadings
{
    public SystemSample? System { get; set; }

    public TaskStats? Performance { get; set; }
}
