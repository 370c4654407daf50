using System.ComponentModel.DataAnnotations;

namespace Monitoring.Web.Logs;

/// <summary>The <c>Logs:*</c> keys: the rolling files under <c>{Storage:DataDirectory}/logs</c> and the in-memory tail.
/// Minimum levels come from <c>Serilog:MinimumLevel</c> (or, without it, <c>Logging:LogLevel</c>); how long plain
/// files stay before archiving is <c>Retention:LogDays</c> (<see cref="LogRetentionOptions"/>).</summary>
public sealed class LoggingOptions
{
    public const string Section = "Logs";

    /// <summary>A file that reaches this size rolls over to <c>monitoring-yyyyMMdd_001.clef</c> and so on.</summary>
    [Range(64 * 1024, 1L << 40)]
    public long FileSizeLimitBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Serilog deletes the oldest plain files beyond this count (archives are not counted).</summary>
    [Range(1, 10_000)]
    public int RetainedFileCount { get; set; } = 31;

    /// <summary>Compressed archives (<c>logs/archive/*.gz</c>) are deleted once their content is this old.</summary>
    [Range(1, 36_500)]
    public int ArchiveDays { get; set; } = 90;

    /// <summary>Entries the live tail keeps in memory; the oldest is dropped first.</summary>
    [Range(100, 1_000_000)]
    public int BufferCapacity { get; set; } = LogRingBuffer.DefaultCapacity;
}
