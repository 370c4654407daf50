using System.Globalization;
using System.Text;

namespace Monitoring.Core.Alerts;

/// <summary>Renders the built-in rules as a Prometheus alerting rule file (deploy/prometheus/monitoring-rules.yml),
/// so a deployment that alerts from Prometheus and Alertmanager watches the same conditions as the console.
/// A test regenerates the file and compares it with the committed one, so the two cannot drift.</summary>
public static class PrometheusRuleFile
{
    public const string GroupName = "monitoring";

    public static string Render(IEnumerable<BuiltInAlertRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var text = new StringBuilder();
        text.Append("# Generated from Monitoring.Core/Alerts/BuiltInAlertRules.cs; do not edit by hand.\n");
        text.Append("# Regenerate: MONITORING_WRITE_RULES=1 dotnet test Monitoring.Tests --filter PrometheusRuleFileTests\n");
        text.Append("groups:\n");
        text.Append("  - name: ").Append(GroupName).Append('\n');
        text.Append("    rules:\n");
        foreach (var rule in rules)
        {
            text.Append("      - alert: ").Append(rule.Name).Append('\n');
            text.Append("        expr: ").Append(Quote(rule.Expression)).Append('\n');
            if (rule.For > TimeSpan.Zero)
            {
                text.Append("        for: ").Append(Duration(rule.For)).Append('\n');
            }

            text.Append("        labels:\n");
            text.Append("          severity: ").Append(rule.Severity.Label()).Append('\n');
            text.Append("          builtin: ").Append(Quote(rule.Key)).Append('\n');
            text.Append("        annotations:\n");
            text.Append("          summary: ").Append(Quote(rule.Summary)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A single-quoted YAML scalar: no escapes except a doubled quote, so PromQL and templates pass through.</summary>
    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Duration(TimeSpan span) =>
        span.TotalSeconds % 60 == 0
            ? ((long)span.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m"
            : ((long)span.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
}
