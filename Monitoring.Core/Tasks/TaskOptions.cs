using System.ComponentModel.DataAnnotations;

namespace Monitoring.Core.Tasks;

public sealed class TaskOptions
{
    public const string Section = "Tasks";

    [Range(1, 100)]
    public int DefaultMaxAttempts { get; set; } = 3;

    [Range(1, 7 * 24 * 3600)]
    public int DefaultTimeoutSeconds { get; set; } = 3600;

    /// <summary>Backoff before the second attempt; doubles each attempt after.</summary>
    [Range(0, 3600)]
    public int RetryBaseDelaySeconds { get; set; } = 5;

    [Range(0, 24 * 3600)]
    public int RetryMaxDelaySeconds { get; set; } = 600;
}

internal sealed class ValidateTaskOptions() : CrossFieldRules<TaskOptions>(TaskOptions.Section)
{
    protected override IEnumerable<SettingProblem> Check(TaskOptions options)
    {
        if (options.RetryBaseDelaySeconds > options.RetryMaxDelaySeconds)
        {
            yield return new(Key(nameof(TaskOptions.RetryBaseDelaySeconds)),
                $"{Key(nameof(TaskOptions.RetryBaseDelaySeconds))} ({options.RetryBaseDelaySeconds}) must not exceed {Key(nameof(TaskOptions.RetryMaxDelaySeconds))} ({options.RetryMaxDelaySeconds}).");
        }
    }
}
