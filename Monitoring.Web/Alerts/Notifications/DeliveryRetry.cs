using Microsoft.Extensions.Logging;

namespace Monitoring.Web.Alerts.Notifications;

/// <summary>A failure that another attempt cannot fix (the receiver rejected the content).</summary>
internal sealed class PermanentDeliveryException(string message) : Exception(message);

/// <summary>Runs a delivery with a per-attempt timeout and exponential backoff between attempts, on the injected
/// clock so tests drive the waits with a fake one.</summary>
internal static class DeliveryRetry
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    public static TimeSpan Backoff(int failedAttempt) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(failedAttempt - 1, 20)));

    public static async Task<DeliveryResult> RunAsync(
        string channel, DeliveryOptions options, TimeProvider clock, ILogger logger,
        Func<CancellationToken, Task> attempt, CancellationToken stopping)
    {
        string? error = null;
        for (var number = 1; number <= options.MaxAttempts; number++)
        {
            var timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
            using var timer = new CancellationTokenSource(timeout, clock);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timer.Token);
            try
            {
                await attempt(linked.Token);
                return new DeliveryResult(number, null);
            }
            catch (OperationCanceledException) when (timer.IsCancellationRequested && !stopping.IsCancellationRequested)
            {
                error = $"timed out after {options.TimeoutSeconds} s";
            }
            catch (PermanentDeliveryException ex)
            {
                return new DeliveryResult(number, ex.Message + " (not retried)");
            }
#pragma warning disable CA1031 // Network and protocol errors of every kind are a failed attempt, to retry or report.
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                error = $"{ex.GetType().Name}: {ex.Message}";
            }

            if (number < options.MaxAttempts)
            {
                var backoff = Backoff(number);
                logger.LogWarning("Alert notification attempt {Attempt} of {MaxAttempts} on {Channel} failed ({Error}); retrying in {BackoffSeconds} s",
                    number, options.MaxAttempts, channel, error, backoff.TotalSeconds);
                await Task.Delay(backoff, clock, stopping);
            }
        }

        return new DeliveryResult(options.MaxAttempts, error);
    }
}
