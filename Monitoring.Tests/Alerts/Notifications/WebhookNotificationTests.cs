using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Monitoring.Core.Alerts;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Alerts.Notifications;

public sealed class WebhookNotificationTests
{
    [Fact]
    public async Task Webhook_RetriesWithBackoffUntilTheReceiverAccepts()
    {
        await using var receiver = await LoopbackHttpServer.StartAsync(r => r.Number <= 2 ? 500 : 204);
        await using var host = await NotificationHost.StartAsync(Webhook(receiver, maxAttempts: 5));

        host.Sink.Publish(NotificationHost.Notification());
        var delivery = Assert.Single(await host.WaitForAsync("webhook"));

        Assert.True(delivery.Delivered, delivery.Error);
        Assert.Equal(3, delivery.Attempts);
        Assert.Equal(3, receiver.Requests.Count);
        var request = receiver.Requests[^1];
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hook", request.Path);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal("firing", body.GetProperty("status").GetString());
        Assert.Equal("GpuHighTemp", body.GetProperty("alertname").GetString());
        Assert.Equal("critical", body.GetProperty("severity").GetString());
        Assert.Equal("GPU-1234", body.GetProperty("labels").GetProperty("uuid").GetString());
        Assert.Equal("GPU GPU-1234 is at 91.5 °C", body.GetProperty("summary").GetString());
        Assert.Equal(91.5, body.GetProperty("value").GetDouble());
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 11, 55, 0, TimeSpan.Zero), body.GetProperty("startsAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("endsAt").ValueKind);
        Assert.Equal("9f3c2a71d0b4e5f6", body.GetProperty("fingerprint").GetString());
        // Every attempt carried the same body.
        Assert.Single(receiver.Requests.Select(r => r.Text).Distinct());
        Assert.Equal(2, host.Log.Events.Count(e => e.Level == LogLevel.Warning && e.Message.Contains("retrying in", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Webhook_GivesUpAfterMaxAttemptsAndLogsAnError()
    {
        await using var receiver = await LoopbackHttpServer.StartAsync(_ => 503);
        await using var host = await NotificationHost.StartAsync(Webhook(receiver, maxAttempts: 3));

        host.Sink.Publish(NotificationHost.Notification(AlertNotificationKind.Resolved));
        var delivery = Assert.Single(await host.WaitForAsync("webhook"));

        Assert.False(delivery.Delivered);
        Assert.Equal(3, delivery.Attempts);
        Assert.Contains("HTTP 503", delivery.Error, StringComparison.Ordinal);
        Assert.Equal(3, receiver.Requests.Count);
        Assert.Equal("resolved", JsonDocument.Parse(receiver.Requests[0].Body).RootElement.GetProperty("status").GetString());
        Assert.Contains(host.Log.Events, e => e.Level == LogLevel.Error
            && e.Message.Contains("NOT delivered to webhook after 3 attempt(s)", StringComparison.Ordinal) && e.Message.Contains("GpuHighTemp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Webhook_RejectedAsBadRequest_IsNotRetried()
    {
        await using var receiver = await LoopbackHttpServer.StartAsync(_ => 400);
        await using var host = await NotificationHost.StartAsync(Webhook(receiver, maxAttempts: 5));

        host.Sink.Publish(NotificationHost.Notification());
        var delivery = Assert.Single(await host.WaitForAsync("webhook"));

        Assert.False(delivery.Delivered);
        Assert.Equal(1, delivery.Attempts);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task Webhook_AttemptThatHangs_TimesOut()
    {
        await using var receiver = await LoopbackHttpServer.StartAsync(async (_, aborted) =>
        {
            await Task.Delay(Timeout.Infinite, aborted);
            return 200;
        });
        await using var host = await NotificationHost.StartAsync(Webhook(receiver, maxAttempts: 1, timeoutSeconds: 5));

        host.Sink.Publish(NotificationHost.Notification());
        await Eventually.TrueAsync(() => receiver.Requests.Count == 1, "the receiver got the request");
        Assert.Empty(host.On("webhook"));
        host.Clock!.Advance(TimeSpan.FromSeconds(4));
        // Not a wait for time to pass (the clock is fake): a moment for a wrongly early timeout to be recorded.
        await Task.Delay(100);
        Assert.Empty(host.On("webhook"));

        var delivery = Assert.Single(await host.WaitForAsync("webhook"));

        Assert.False(delivery.Delivered);
        Assert.Equal("timed out after 5 s", delivery.Error);
    }

    [Fact]
    public async Task Webhook_UserInfoInTheUrl_IsSentAsBasicAuthAndNeverLogged()
    {
        await using var receiver = await LoopbackHttpServer.StartAsync(_ => 500);
        var url = new UriBuilder(new Uri(receiver.Url, "hook")) { UserName = "ops", Password = "s3cret-pw" }.Uri;
        await using var host = await NotificationHost.StartAsync(new Dictionary<string, string?>
        {
            ["Webhook:Url"] = url.ToString(),
            ["Webhook:MaxAttempts"] = "2",
        });

        host.Sink.Publish(NotificationHost.Notification());
        await host.WaitForAsync("webhook");

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:s3cret-pw")), receiver.Requests[0].Authorization);
        Assert.DoesNotContain("s3cret-pw", host.Log.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", host.Deliveries[0].Error ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_ChannelWritesOneStructuredEventPerNotification()
    {
        await using var host = await NotificationHost.StartAsync(new Dictionary<string, string?>());

        host.Sink.Publish(NotificationHost.Notification());
        host.Sink.Publish(NotificationHost.Notification(AlertNotificationKind.Resolved));
        await host.WaitForAsync("log", 2);

        var events = host.Log.Events.Where(e => e.Category == "Monitoring.Alerts.Notifications").ToList();
        Assert.Equal(2, events.Count);
        Assert.Equal(LogLevel.Error, events[0].Level);
        Assert.StartsWith("Alert firing: GpuHighTemp (critical) GPU GPU-1234 is at 91.5 °C; value 91.5", events[0].Message, StringComparison.Ordinal);
        Assert.Contains("GPU-1234", events[0].Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Information, events[1].Level);
        Assert.StartsWith("Alert resolved: GpuHighTemp", events[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_WhenTheQueueIsFull_DropsTheOldestAndLogsWhatWasDropped()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var receiver = await LoopbackHttpServer.StartAsync(async (_, aborted) =>
        {
            await release.Task.WaitAsync(aborted);
            return 200;
        });
        var settings = Webhook(receiver, maxAttempts: 1);
        settings["QueueCapacity"] = "1";
        await using var host = await NotificationHost.StartAsync(settings);

        host.Sink.Publish(NotificationHost.Notification(name: "First", fingerprint: "f1"));
        await Eventually.TrueAsync(() => receiver.Requests.Count == 1, "the first notification is being delivered");
        host.Sink.Publish(NotificationHost.Notification(name: "Second", fingerprint: "f2"));
        host.Sink.Publish(NotificationHost.Notification(name: "Third", fingerprint: "f3"));
        host.Sink.Publish(NotificationHost.Notification(name: "Fourth", fingerprint: "f4"));
        release.SetResult();
        await host.WaitForAsync("webhook", 2);

        Assert.Equal(["First", "Fourth"], host.On("webhook").Select(d => d.AlertName));
        Assert.Equal(["Second", "Third"], host.On("queue").Select(d => d.AlertName));
        var dropped = host.Log.Events.Where(e => e.Level == LogLevel.Error && e.Message.StartsWith("Alert notification queue full", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, dropped.Count);
        Assert.Contains("dropped firing of Second (critical, f2)", dropped[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Webhook:Url", "not a url", "Alerts:Notifications:Webhook:Url")]
    [InlineData("Webhook:Url", "ftp://example.org/hook", "Alerts:Notifications:Webhook:Url")]
    [InlineData("Webhook:MaxAttempts", "0", "Alerts:Notifications:Webhook:MaxAttempts")]
    [InlineData("Smtp:Port", "70000", "Alerts:Notifications:Smtp:Port")]
    [InlineData("Smtp:To:0", "ops@example.org", "Alerts:Notifications:Smtp:Host")]
    [InlineData("Alertmanager:Url", "http:/missing-host", "Alerts:Notifications:Alertmanager:Url")]
    [InlineData("Alertmanager:ResendIntervalSeconds", "0", "Alerts:Notifications:Alertmanager:ResendIntervalSeconds")]
    public async Task BadSettings_StopStartUp_NamingTheKey(string key, string value, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => NotificationHost.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmtpHostWithRecipientsButNoSender_StopsStartUp()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => NotificationHost.StartAsync(new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:To:0"] = "ops@example.org",
            ["Smtp:Password"] = "hunter2",
        }));

        Assert.Contains("Alerts:Notifications:Smtp:From is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("Alerts:Notifications:Smtp:User and Alerts:Notifications:Smtp:Password go together", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Webhook(LoopbackHttpServer receiver, int maxAttempts, int timeoutSeconds = 300) => new()
    {
        ["Webhook:Url"] = new Uri(receiver.Url, "hook").ToString(),
        ["Webhook:MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Webhook:TimeoutSeconds"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
