using Monitoring.Core.Alerts;
using Monitoring.Tests.Metrics;

namespace Monitoring.Tests.Alerts;

/// <summary>deploy/prometheus/monitoring-rules.yml is generated from the built-in rules; it must match them and
/// pass Prometheus' own checker.</summary>
public sealed class PrometheusRuleFileTests
{
    private static string RulesFile => Path.Combine(DeployFiles.Root, "prometheus", "monitoring-rules.yml");

    [Fact]
    public async Task The_committed_rules_file_is_what_the_built_in_rules_render()
    {
        var rendered = PrometheusRuleFile.Render(BuiltInAlertRules.All);
        if (Environment.GetEnvironmentVariable("MONITORING_WRITE_RULES") == "1")
        {
            await File.WriteAllTextAsync(RulesFile, rendered);
        }

        Assert.True(File.Exists(RulesFile), $"{RulesFile} is missing; regenerate it with MONITORING_WRITE_RULES=1.");
        Assert.Equal(rendered, await File.ReadAllTextAsync(RulesFile));
    }

    [Fact]
    public async Task The_rules_file_passes_promtool_and_has_every_built_in_rule()
    {
        var result = await Promtool.RunAsync(["check", "rules", RulesFile]);

        Assert.True(result.ExitCode == 0, $"promtool check rules exited {result.ExitCode}:\n{result.Output}");
        Assert.Contains($"SUCCESS: {BuiltInAlertRules.All.Count} rules found", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_scrape_example_loads_the_rules_file()
    {
        Assert.Contains("monitoring-rules.yml", await File.ReadAllTextAsync(DeployFiles.ScrapeConfig), StringComparison.Ordinal);
        var result = await Promtool.RunAsync(["check", "config", DeployFiles.ScrapeConfig]);
        Assert.True(result.ExitCode == 0, $"promtool check config exited {result.ExitCode}:\n{result.Output}");
        Assert.Contains("monitoring-rules.yml", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_series_a_rule_expression_uses_is_on_metrics_or_documented()
    {
        var documented = await File.ReadAllTextAsync(Path.Combine(DeployFiles.Root, "README.md"));
        foreach (var name in BuiltInAlertRules.All.SelectMany(r => DeployFiles.MetricNames(r.Expression)).Distinct())
        {
            var family = name.EndsWith("_bucket", StringComparison.Ordinal) ? name[..^"_bucket".Length] : name;
            Assert.True(documented.Contains(family, StringComparison.Ordinal) || Braced(documented, family), $"{name} is not in deploy/README.md");
        }
    }

    /// <summary>deploy/README.md abbreviates families such as <c>monitoring_system_memory_{used,total}_bytes</c>.</summary>
    private static bool Braced(string text, string name) =>
        System.Text.RegularExpressions.Regex.Matches(text, @"`(monitoring_[a-z0-9_]*)\{([a-z0-9_,]+)\}([a-z0-9_]*)`")
            .SelectMany(m => m.Groups[2].Value.Split(',').Select(part => m.Groups[1].Value + part + m.Groups[3].Value))
            .Contains(name);
}
