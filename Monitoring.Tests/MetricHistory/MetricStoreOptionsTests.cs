using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitoring.Core.Metrics;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.MetricHistory;

public sealed class MetricStoreOptionsTests
{
    [Fact]
    public async Task Defaults_keep_raw_samples_a_day_and_roll_ups_30_days()
    {
        await using var db = await TestDatabase.CreateAsync();

        var options = db.Services.GetRequiredService<IOptions<MetricStoreOptions>>().Value;

        Assert.Equal(24, options.RawRetentionHours);
        Assert.Equal(30, options.RollupRetentionDays);
    }

    [Theory]
    [InlineData("0", "30", "RawRetentionHours")]
    [InlineData("24", "0", "RollupRetentionDays")]
    [InlineData("72", "2", "Metrics:RollupRetentionDays (2 days) must cover Metrics:RawRetentionHours (72 hours)")]
    public async Task Bad_retention_is_refused_naming_the_key(string rawHours, string rollupDays, string expected)
    {
        await using var db = await TestDatabase.CreateAsync(new Dictionary<string, string?>
        {
            ["Metrics:RawRetentionHours"] = rawHours,
            ["Metrics:RollupRetentionDays"] = rollupDays,
        });

        var error = Assert.Throws<OptionsValidationException>(() => db.Services.GetRequiredService<IOptions<MetricStoreOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
