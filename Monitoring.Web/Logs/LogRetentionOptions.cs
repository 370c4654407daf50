using System.ComponentModel.DataAnnotations;
using Monitoring.Core.Retention;

namespace Monitoring.Web.Logs;

/// <summary><c>Retention:LogDays</c> (SPEC §10), read here so the logging feature owns its one retention key;
/// the other <c>Retention:*</c> keys are <see cref="RetentionOptions"/>.</summary>
public sealed class LogRetentionOptions
{
    public const string Section = RetentionOptions.Section;

    /// <summary>Plain log files not written for this long are compressed into <c>logs/archive</c>.</summary>
    [Range(1, 36_500)]
    public int LogDays { get; set; } = 14;
}
