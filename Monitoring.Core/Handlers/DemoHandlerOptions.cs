using System.ComponentModel.DataAnnotations;

namespace Monitoring.Core.Handlers;

/// <summary>The simulated workloads of the demo handler, from the <c>Demo</c> section (shared with the demo producer,
/// whose keys this class ignores).</summary>
public sealed class DemoHandlerOptions
{
    public const string Section = "Demo";

    /// <summary>Probability that a simulated attempt fails (0–1).</summary>
    [Range(0.0, 1.0)]
    public double FailureRate { get; set; } = 0.1;

    /// <summary>Simulated durations are divided by this: 10 runs ten times faster.</summary>
    [Range(0.001, 1_000_000.0)]
    public double SpeedFactor { get; set; } = 1.0;

    /// <summary>Seeds the random failures for reproducible runs; null = a different sequence each start.</summary>
    public int? Seed { get; set; }
}
