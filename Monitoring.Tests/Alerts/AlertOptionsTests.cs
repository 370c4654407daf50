using Monitoring.Tests.Support;

namespace Monitoring.Tests.Alerts;

public sealed class AlertOptionsTests
{
    [Theory]
    [InlineData("Alerts:EvaluationIntervalSeconds", "0", "EvaluationIntervalSeconds")]
    [InlineData("Alerts:EvaluationIntervalSeconds", "4000", "EvaluationIntervalSeconds")]
    [InlineData("Alerts:HistoryDays", "0", "HistoryDays")]
    [InlineData("Alerts:MaxSilenceHours", "-1", "MaxSilenceHours")]
    [InlineData("Alerts:MaxInstancesPerRule", "0", "MaxInstancesPerRule")]
    public void Bad_alert_settings_stop_start_up_naming_the_key(string key, string value, string expected)
    {
        using var app = new MonitoringApp(new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains($"DataAnnotation validation failed for 'AlertOptions' members: '{expected}'", error.ToString(), StringComparison.Ordinal);
    }
}
