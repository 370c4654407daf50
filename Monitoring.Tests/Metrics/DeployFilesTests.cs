namespace Monitoring.Tests.Metrics;

public sealed class DeployFilesTests
{
    [Fact]
    public async Task The_scrape_example_is_a_valid_Prometheus_config()
    {
        var result = await Promtool.RunAsync(["check", "config", DeployFiles.ScrapeConfig]);
        Assert.True(result.ExitCode == 0, $"promtool check config exited {result.ExitCode}:\n{result.Output}");
    }

    [Fact]
    public async Task Every_dashboard_query_is_valid_PromQL()
    {
        var queries = DeployFiles.DashboardQueries();
        Assert.True(queries.Count >= 10, $"{queries.Count} queries");
        var rules = Path.Combine(Path.GetTempPath(), $"dashboard-rules-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(rules, DeployFiles.AsRulesFile(queries));
        try
        {
            var result = await Promtool.RunAsync(["check", "rules", rules]);
            Assert.True(result.ExitCode == 0, $"promtool check rules exited {result.ExitCode}:\n{result.Output}");
        }
        finally
        {
            File.Delete(rules);
        }
    }
}
