namespace Monitoring.Web.Metrics;

public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Whether <c>/metrics</c> answers without authentication. A Prometheus server usually scrapes
    /// without credentials, and the series carry no task data; set false to require the Viewer role.</summary>
    public bool AllowAnonymous { get; set; } = true;
}
