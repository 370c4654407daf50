using System.Globalization;
using Monitoring.Core.Alerts;
using Monitoring.Core.Metrics;

namespace Monitoring.Web.Components.Alerts;

/// <summary>The rule editor's fields as typed. <see cref="ToDraft"/> reports what cannot even be read (a threshold
/// that is not a number, labels that are not key=value pairs) under the same field names the rule validation uses,
/// so the form shows every message next to its field.</summary>
public sealed class AlertRuleForm
{
    public long? Id { get; set; }
    public string? BuiltIn { get; set; }
    public string Name { get; set; } = "";
    public string Metric { get; set; } = MetricNames.SystemCpuRatio;
    public string Matchers { get; set; } = "";
    public string Comparison { get; set; } = ">";
    public string Threshold { get; set; } = "";
    public string ForSeconds { get; set; } = "0";
    public string KeepFiringForSeconds { get; set; } = "0";
    public string Severity { get; set; } = "warning";
    public string Labels { get; set; } = "";
    public string Summary { get; set; } = "";
    public bool Enabled { get; set; } = true;

    public static AlertRuleForm From(AlertRuleView rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new AlertRuleForm
        {
            Id = rule.Id,
            BuiltIn = rule.BuiltIn,
            Name = rule.Name,
            Metric = rule.Metric,
            Matchers = Pairs(rule.Matchers),
            Comparison = rule.Comparison,
            Threshold = rule.Threshold.ToString(CultureInfo.InvariantCulture),
            ForSeconds = rule.ForSeconds.ToString(CultureInfo.InvariantCulture),
            KeepFiringForSeconds = rule.KeepFiringForSeconds.ToString(CultureInfo.InvariantCulture),
            Severity = rule.Severity,
            Labels = Pairs(rule.Labels),
            Summary = rule.Summary,
            Enabled = rule.Enabled,
        };
    }

    public AlertRuleDraft ToDraft(Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return new AlertRuleDraft
        {
            Name = Name,
            Metric = Metric,
            // Empty, not null: a cleared field clears the rule's matchers rather than keeping them.
            Matchers = ParseLabels(Matchers, "matchers", errors) ?? [],
            Comparison = Comparison,
            Threshold = double.TryParse(Threshold, NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold)
                ? threshold
                : Fail<double>(errors, "threshold", "threshold must be a number, e.g. 85 or 0.9."),
            ForSeconds = Seconds(ForSeconds, "forSeconds", errors),
            KeepFiringForSeconds = Seconds(KeepFiringForSeconds, "keepFiringForSeconds", errors),
            Severity = Severity,
            Labels = ParseLabels(Labels, "labels", errors) ?? [],
            Summary = Summary,
            Enabled = Enabled,
        };
    }

    private static string Pairs(IReadOnlyDictionary<string, string> labels) => string.Join(", ", labels.Select(l => $"{l.Key}={l.Value}"));

    /// <summary>Labels as typed (<c>uuid=GPU-1, team=render</c>); null for an empty text, and an error under
    /// <paramref name="field"/> for text that is not name=value pairs.</summary>
    public static Dictionary<string, string>? ParseLabels(string? text, string field, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!MetricLabels.TryNormalize(text, out var canonical))
        {
            Fail<int>(errors, field, $"{field} must be name=value pairs separated by commas, e.g. uuid=GPU-1, team=render.");
            return [];
        }

        return AlertLabelSet.OfSeries(canonical).ToDictionary(l => l.Key, l => l.Value.Trim());
    }

    private static int? Seconds(string text, string field, Dictionary<string, string[]> errors) =>
        string.IsNullOrWhiteSpace(text) ? 0
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) ? seconds
        : Fail<int>(errors, field, $"{field} must be a whole number of seconds.");

    private static T? Fail<T>(Dictionary<string, string[]> errors, string field, string message)
        where T : struct
    {
        errors[field] = [message];
        return null;
    }
}
