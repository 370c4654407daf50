using System.ComponentModel.DataAnnotations;

namespace Monitoring.Web.Demo;

public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Defaults to true in Development (appsettings.Development.json), false otherwise.</summary>
    public bool Enabled { get; set; }

    [Range(1, 6000)]
    public int TasksPerMinute { get; set; } = 30;

    [Range(0.0, 1.0)]
    public double FailureRate { get; set; } = 0.1;

    /// <summary>The producer pauses while this many demo tasks wait, so an idle pool never grows the queue without bound.</summary>
    [Range(1, 100_000)]
    public int MaxBacklog { get; set; } = 200;
}
