using Monitoring.Core.Alerts;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Alerts.Notifications;

public sealed class SmtpNotificationTests
{
    [Fact]
    public async Task Email_ReachesEveryRecipient_WithStatusAndSeverityInTheSubject()
    {
        await using var smtp = new SmtpTestServer();
        await using var host = await NotificationHost.StartAsync(new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:From"] = "monitoring@example.org",
            ["Smtp:To:0"] = "ops@example.org",
            ["Smtp:To:1"] = "oncall@example.org",
            // A timed-out attempt that the server did receive is sent again (at least once): on a loaded machine that
            // made a third message. A generous timeout keeps this test about content, not about retries.
            ["Smtp:TimeoutSeconds"] = "60",
        });

        host.Sink.Publish(NotificationHost.Notification());
        host.Sink.Publish(NotificationHost.Notification(AlertNotificationKind.Resolved));
        var deliveries = await host.WaitForAsync("email", 2);

        Assert.All(deliveries, d => Assert.True(d.Delivered, d.Error));
        Assert.Equal(2, smtp.Messages.Count);
        var firing = smtp.Messages[0];
        Assert.Equal("monitoring@example.org", firing.From);
        Assert.Equal(["ops@example.org", "oncall@example.org"], firing.Recipients);
        Assert.Equal("[FIRING:critical] GpuHighTemp", firing.Message.Subject);
        var body = firing.Message.TextBody;
        Assert.Contains("GPU GPU-1234 is at 91.5 °C", body, StringComparison.Ordinal);
        Assert.Contains("Value:     91.5", body, StringComparison.Ordinal);
        Assert.Contains("uuid = GPU-1234", body, StringComparison.Ordinal);
        Assert.Contains("Started:   2026-11-01 11:55:00Z", body, StringComparison.Ordinal);
        Assert.Equal("[RESOLVED:critical] GpuHighTemp", smtp.Messages[1].Message.Subject);
        Assert.Contains("Ended:     2026-11-01 11:59:00Z", smtp.Messages[1].Message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Email_ServerThatRefusesConnections_IsRetriedThenReported()
    {
        var port = WebProcess.FreePort();
        await using var host = await NotificationHost.StartAsync(new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:From"] = "monitoring@example.org",
            ["Smtp:To:0"] = "ops@example.org",
            ["Smtp:User"] = "monitoring",
            ["Smtp:Password"] = "smtp-s3cret",
            ["Smtp:MaxAttempts"] = "2",
        });

        host.Sink.Publish(NotificationHost.Notification());
        var delivery = Assert.Single(await host.WaitForAsync("email"));

        Assert.False(delivery.Delivered);
        Assert.Equal(2, delivery.Attempts);
        Assert.DoesNotContain("smtp-s3cret", host.Log.AllText, StringComparison.Ordinal);
    }
}
