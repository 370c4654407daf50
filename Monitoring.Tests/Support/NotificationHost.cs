using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Core.Alerts;
using Monitoring.Web.Alerts.Notifications;

namespace Monitoring.Tests.Support;

/// <summary>The product's notification services (<c>AddAlertNotifications</c>) in a host of their own, with the
/// given <c>Alerts:Notifications:*</c> settings, a fake clock for retry backoff and timeouts, and a recorded log.</summary>
public sealed class NotificationHost : IAsyncDisposable
{
    private readonly IHost _host;

    private NotificationHost(IHost host, FakeTimeProvider? clock, RecordingLoggerProvider log)
    {
        _host = host;
        Clock = clock;
        Log = log;
    }

    /// <summary>Null when the host runs on the real clock.</summary>
    public FakeTimeProvider? Clock { get; }
    public RecordingLoggerProvider Log { get; }
    public IAlertNotificationSink Sink => _host.Services.GetRequiredService<IAlertNotificationSink>();
    public IReadOnlyList<NotificationDelivery> Deliveries => _host.Services.GetRequiredService<NotificationDeliveryLog>().Recent();

    public static async Task<NotificationHost> StartAsync(IDictionary<string, string?> settings, bool fakeClock = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(settings.ToDictionary(s => "Alerts:Notifications:" + s.Key, s => s.Value));
        var log = new RecordingLoggerProvider();
        builder.Logging.ClearProviders().AddProvider(log).SetMinimumLevel(LogLevel.Debug);
        var clock = fakeClock ? new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero)) : null;
        if (clock is not null)
        {
            builder.Services.AddSingleton<TimeProvider>(clock);
        }

        builder.Services.AddAlertNotifications();
        var host = builder.Build();
        await host.StartAsync();
        return new NotificationHost(host, clock, log);
    }

    /// <summary>The outcomes on one channel, oldest first.</summary>
    public IReadOnlyList<NotificationDelivery> On(string channel) => Deliveries.Where(d => d.Channel == channel).Reverse().ToList();

    /// <summary>Waits for <paramref name="count"/> outcomes on a channel, moving the fake clock a second per poll so backoffs elapse.</summary>
    public async Task<IReadOnlyList<NotificationDelivery>> WaitForAsync(string channel, int count = 1, TimeSpan? step = null)
    {
        await Eventually.TrueAsync(() =>
        {
            Clock?.Advance(step ?? TimeSpan.FromSeconds(1));
            return On(channel).Count >= count;
        }, $"{count} delivery outcome(s) on {channel}");
        return On(channel);
    }

    private static string LabelOf(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Info => "info",
        AlertSeverity.Warning => "warning",
        _ => "critical",
    };

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    public static AlertNotification Notification(
        AlertNotificationKind kind = AlertNotificationKind.Firing, string name = "GpuHighTemp", string fingerprint = "9f3c2a71d0b4e5f6",
        AlertSeverity severity = AlertSeverity.Critical, double? value = 91.5)
    {
        var startsAt = new DateTimeOffset(2026, 11, 1, 11, 55, 0, TimeSpan.Zero);
        return new AlertNotification(7, name, severity,
            new Dictionary<string, string> { ["alertname"] = name, ["severity"] = LabelOf(severity), ["uuid"] = "GPU-1234" },
            $"GPU GPU-1234 is at {value} °C", kind, startsAt, kind == AlertNotificationKind.Resolved ? startsAt.AddMinutes(4) : null, value, fingerprint);
    }
}
