using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Alerts;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Alerts.Notifications;

public sealed class AlertNotificationsApiTests
{
    [Fact]
    public async Task NotificationsEndpoint_ListsEnabledChannelsAndRecentOutcomesNewestFirst()
    {
        await using var receiver = await LoopbackHttpServer.StartAsync(_ => 200);
        await using var app = new MonitoringApp(new Dictionary<string, string?>
        {
            ["Alerts:Notifications:Webhook:Url"] = new Uri(receiver.Url, "hook").ToString(),
        });
        var client = app.CreateClient();
        var sink = app.Services.GetRequiredService<IAlertNotificationSink>();

        sink.Publish(NotificationHost.Notification(name: "QueueBacklog", fingerprint: "q1"));
        sink.Publish(NotificationHost.Notification(AlertNotificationKind.Resolved, name: "QueueBacklog", fingerprint: "q1"));
        JsonElement status = default;
        await Eventually.TrueAsync(async () =>
        {
            status = await (await client.GetAsync(new Uri("/api/v1/alerts/notifications", UriKind.Relative))).ReadJsonAsync();
            return status.GetProperty("deliveries").GetArrayLength() == 4;
        }, "four outcomes (two notifications on two channels)");

        Assert.Equal(["log", "webhook"], status.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        var deliveries = status.GetProperty("deliveries").EnumerateArray().ToList();
        Assert.All(deliveries, d => Assert.True(d.GetProperty("delivered").GetBoolean()));
        Assert.All(deliveries, d => Assert.Equal("QueueBacklog", d.GetProperty("alertName").GetString()));
        Assert.Equal("Resolved", deliveries[0].GetProperty("kind").GetString());
        Assert.Equal("Firing", deliveries[^1].GetProperty("kind").GetString());
        Assert.Equal(2, receiver.Requests.Count);
    }
}
