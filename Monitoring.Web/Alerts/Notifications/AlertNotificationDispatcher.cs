using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Monitoring.Core.Alerts;

namespace Monitoring.Web.Alerts.Notifications;

/// <summary>Takes notifications from the rule evaluator without ever making it wait, and delivers each one to
/// every enabled channel in the background (channels in parallel, notifications in order).</summary>
/// <remarks>The queue is bounded. When it is full the <em>oldest</em> waiting notification is dropped and the
/// drop logged as an error: a newer notification describes the current state of an alert, an older one a
/// state that may already be over.</remarks>
internal sealed class AlertNotificationDispatcher : BackgroundService, IAlertNotificationSink
{
    private readonly Channel<AlertNotification> _queue;
    private readonly IReadOnlyList<IAlertNotificationChannel> _channels;
    private readonly NotificationDeliveryLog _deliveries;
    private readonly TimeProvider _clock;
    private readonly ILogger<AlertNotificationDispatcher> _logger;
    private readonly int _capacity;

    public AlertNotificationDispatcher(
        IEnumerable<IAlertNotificationChannel> channels, NotificationDeliveryLog deliveries, IOptions<AlertNotificationOptions> options,
        TimeProvider clock, ILogger<AlertNotificationDispatcher> logger)
    {
        _channels = channels.Where(c => c.Enabled).ToList();
        _deliveries = deliveries;
        _clock = clock;
        _logger = logger;
        _capacity = options.Value.QueueCapacity;
        _queue = Channel.CreateBounded<AlertNotification>(
            new BoundedChannelOptions(_capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            Dropped);
    }

    /// <summary>The enabled channels, log first.</summary>
    public IReadOnlyList<string> Channels => _channels.Select(c => c.Name).ToList();

    public void Publish(AlertNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (!_queue.Writer.TryWrite(notification))
        {
            _logger.LogError("Alert notification {AlertStatus} of {AlertName} ({Fingerprint}) dropped: notifications are shutting down",
                AlertNotificationText.Status(notification.Kind), notification.RuleName, notification.Fingerprint);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _logger.LogInformation("Alert notifications go to: {Channels}", string.Join(", ", Channels));
        var repeating = _channels.OfType<IRepeatingAlertNotificationChannel>().Select(c => RepeatAsync(c, stoppingToken)).ToList();
        try
        {
            await foreach (var notification in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await Task.WhenAll(_channels.Select(c => DeliverAsync(c, notification, stoppingToken)));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _queue.Writer.TryComplete();
            if (_queue.Reader.Count > 0)
            {
                _logger.LogWarning("{Count} alert notification(s) not delivered: the application stopped", _queue.Reader.Count);
            }
        }

        await Task.WhenAll(repeating);
    }

    private async Task DeliverAsync(IAlertNotificationChannel channel, AlertNotification n, CancellationToken stoppingToken)
    {
        DeliveryResult result;
        try
        {
            result = await channel.DeliverAsync(n, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // One broken channel must not stop the others or the dispatcher.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "Alert notification channel {Channel} failed", channel.Name);
            result = new DeliveryResult(1, $"{ex.GetType().Name}: {ex.Message}");
        }

        Record(channel.Name, n, result);
        if (channel is LogNotificationChannel)
        {
            // The log channel's own event is its outcome.
            return;
        }

        if (result.Delivered)
        {
            _logger.LogInformation("Alert notification {AlertStatus} of {AlertName} ({Fingerprint}) delivered to {Channel} in {Attempts} attempt(s)",
                AlertNotificationText.Status(n.Kind), n.RuleName, n.Fingerprint, channel.Name, result.Attempts);
        }
        else
        {
            _logger.LogError("Alert notification {AlertStatus} of {AlertName} ({Fingerprint}) NOT delivered to {Channel} after {Attempts} attempt(s): {Error}",
                AlertNotificationText.Status(n.Kind), n.RuleName, n.Fingerprint, channel.Name, result.Attempts, result.Error);
        }
    }

    private async Task RepeatAsync(IRepeatingAlertNotificationChannel channel, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(channel.RepeatInterval, _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await channel.RepeatAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Dropped(AlertNotification n)
    {
        _logger.LogError("Alert notification queue full ({Capacity}): dropped {AlertStatus} of {AlertName} ({Severity}, {Fingerprint}) from {StartsAt:O}",
            _capacity, AlertNotificationText.Status(n.Kind), n.RuleName, AlertNotificationText.Severity(n.Severity), n.Fingerprint, n.StartsAt);
        Record("queue", n, new DeliveryResult(0, $"dropped: more than {_capacity} notifications waiting"));
    }

    private void Record(string channel, AlertNotification n, DeliveryResult result) =>
        _deliveries.Add(new NotificationDelivery(_clock.GetUtcNow(), channel, n.Kind, n.RuleName, n.Severity, n.Fingerprint,
            result.Delivered, result.Attempts, result.Error));
}
