using System.Text.Json;
using Monitoring.Core.Alerts;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Alerts.Notifications;

public sealed class AlertmanagerNotificationTests
{
    [AlertmanagerFact]
    public async Task Alertmanager_HoldsTheAlertWhileFiring_KeepsHearingOfIt_AndDropsItWhenResolved()
    {
        await using var alertmanager = await AlertmanagerProcess.StartAsync();
        await using var host = await NotificationHost.StartAsync(new Dictionary<string, string?>
        {
            ["Alertmanager:Url"] = alertmanager.Url.ToString(),
            ["Alertmanager:ResendIntervalSeconds"] = "5",
            ["Alertmanager:GeneratorUrl"] = "http://127.0.0.1:5080/alerts",
        });
        // Alertmanager runs on the real clock and checks startsAt/endsAt against it.
        var startsAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        var labels = new Dictionary<string, string>
        {
            ["alertname"] = "GpuHighTemp",
            ["severity"] = "critical",
            ["uuid"] = "GPU-5e7f",
            ["gpu.index"] = "0",
        };
        var firing = new AlertNotification(3, "GpuHighTemp", AlertSeverity.Critical, labels, "GPU GPU-5e7f is at 91 °C",
            AlertNotificationKind.Firing, startsAt, null, 91, "a1b2c3d4e5f60718");

        host.Sink.Publish(firing);
        var posted = Assert.Single(await host.WaitForAsync("alertmanager"));
        Assert.True(posted.Delivered, posted.Error);

        var alert = await ActiveAsync(alertmanager, "GPU-5e7f");
        Assert.Equal("active", alert.GetProperty("status").GetProperty("state").GetString());
        var held = alert.GetProperty("labels");
        Assert.Equal("GpuHighTemp", held.GetProperty("alertname").GetString());
        Assert.Equal("critical", held.GetProperty("severity").GetString());
        Assert.Equal("0", held.GetProperty("gpu_index").GetString());
        Assert.Equal("GPU GPU-5e7f is at 91 °C", alert.GetProperty("annotations").GetProperty("summary").GetString());
        Assert.Equal("91", alert.GetProperty("annotations").GetProperty("value").GetString());
        Assert.Equal("http://127.0.0.1:5080/alerts", alert.GetProperty("generatorURL").GetString());
        Assert.Equal(startsAt.ToUnixTimeSeconds(), alert.GetProperty("startsAt").GetDateTimeOffset().ToUnixTimeSeconds());

        // Without a re-post Alertmanager would resolve it after resolve_timeout; each re-post moves updatedAt.
        var updatedAt = alert.GetProperty("updatedAt").GetDateTimeOffset();
        await Eventually.TrueAsync(async () =>
        {
            host.Clock!.Advance(TimeSpan.FromSeconds(5));
            return (await ActiveAsync(alertmanager, "GPU-5e7f")).GetProperty("updatedAt").GetDateTimeOffset() > updatedAt;
        }, "the firing alert is re-posted");

        host.Sink.Publish(firing with { Kind = AlertNotificationKind.Resolved, EndsAt = DateTimeOffset.UtcNow });
        var resolved = await host.WaitForAsync("alertmanager", 2);
        Assert.True(resolved[1].Delivered, resolved[1].Error);
        await Eventually.TrueAsync(async () => !(await alertmanager.AlertsAsync("?active=true")).Any(a => Uuid(a) == "GPU-5e7f"),
            "Alertmanager no longer lists the alert as active");
    }

    private static async Task<JsonElement> ActiveAsync(AlertmanagerProcess alertmanager, string uuid)
    {
        JsonElement found = default;
        await Eventually.TrueAsync(async () =>
        {
            var match = (await alertmanager.AlertsAsync("?active=true")).Where(a => Uuid(a) == uuid).ToList();
            found = match.FirstOrDefault();
            return match.Count == 1 && found.GetProperty("status").GetProperty("state").GetString() == "active";
        }, $"Alertmanager lists the alert for {uuid} as active");
        return found;
    }

    private static string? Uuid(JsonElement alert) =>
        alert.GetProperty("labels").TryGetProperty("uuid", out var uuid) ? uuid.GetString() : null;
}
