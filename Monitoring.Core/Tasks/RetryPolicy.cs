namespace Monitoring.Core.Tasks;

/// <summary>Exponential backoff: base × 2^(attempt − 1), capped. Deterministic, so tests can predict it.</summary>
public static class RetryPolicy
{
    public static TimeSpan Delay(int failedAttempt, TaskOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var exponent = Math.Clamp(failedAttempt - 1, 0, 30);
        var seconds = Math.Min((double)options.RetryBaseDelaySeconds * (1L << exponent), options.RetryMaxDelaySeconds);
        return TimeSpan.FromSeconds(seconds);
    }
}
