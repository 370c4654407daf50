namespace Monitoring.Web.Metrics;

public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Whether <c>/metrics</c> answers without authentication. Unset (the default): only to callers on
    /// this machine (a local Prometheus or agent), anyone else needs the Viewer role. <c>true</c>: to anyone (a
    /// remote Prometheus without credentials; the series carry no task data). <c>false</c>: Viewer role always.</summary>
    public bool? AllowAnonymous { get; set; }
}
