using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Monitoring.Core.Metrics;

namespace Monitoring.Core.Alerts;

/// <summary>Label maps as alerts use them: the JSON objects stored for matchers and rule labels, the identifying
/// label set of an instance, its fingerprint and the summary template.</summary>
public static partial class AlertLabelSet
{
    public const int MaxLabels = 16;
    public const int MaxValueLength = 256;

    public const string AlertName = "alertname";
    public const string SeverityLabel = "severity";

    public static IReadOnlyDictionary<string, string> Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return new Dictionary<string, string>();
        }

        return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
    }

    public static string ToJson(IReadOnlyDictionary<string, string>? labels) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string>((labels ?? new Dictionary<string, string>()).ToDictionary(), StringComparer.Ordinal));

    /// <summary>Adds a message under <paramref name="field"/> for each problem: too many, a bad name (Prometheus:
    /// letters, digits and _, not starting with a digit, not <c>__</c>-prefixed), a reserved name, a long value.</summary>
    public static void Validate(IReadOnlyDictionary<string, string>? labels, string field, IReadOnlyCollection<string> reserved, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (labels is null)
        {
            return;
        }

        var problems = new List<string>();
        if (labels.Count > MaxLabels)
        {
            problems.Add($"{field} may hold at most {MaxLabels} labels.");
        }

        foreach (var (name, value) in labels)
        {
            if (!LabelName().IsMatch(name) || name.StartsWith("__", StringComparison.Ordinal))
            {
                problems.Add($"'{name}' is not a label name (letters, digits and _, not starting with a digit or __).");
            }
            else if (reserved.Contains(name))
            {
                problems.Add($"'{name}' is set by the rule itself and cannot be a label here.");
            }

            if (value is null || value.Length > MaxValueLength)
            {
                problems.Add($"the value of '{name}' must be a string of at most {MaxValueLength} characters.");
            }
        }

        if (problems.Count > 0)
        {
            errors[field] = [.. problems];
        }
    }

    /// <summary>The series labels from their canonical text (<c>uuid=GPU-1,x=y</c>).</summary>
    public static IReadOnlyDictionary<string, string> OfSeries(string canonical)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(canonical))
        {
            return labels;
        }

        var key = new StringBuilder();
        var value = new StringBuilder();
        var inValue = false;
        for (var i = 0; i < canonical.Length; i++)
        {
            var c = canonical[i];
            if (c == '\\' && i + 1 < canonical.Length)
            {
                (inValue ? value : key).Append(canonical[++i]);
            }
            else if (c == '=' && !inValue)
            {
                inValue = true;
            }
            else if (c == ',')
            {
                labels[key.ToString()] = value.ToString();
                key.Clear();
                value.Clear();
                inValue = false;
            }
            else
            {
                (inValue ? value : key).Append(c);
            }
        }

        labels[key.ToString()] = value.ToString();
        return labels;
    }

    /// <summary>An instance's identifying labels, Prometheus-style: the series labels, then the rule's labels
    /// (which win on a clash), then <c>alertname</c> and <c>severity</c>.</summary>
    public static SortedDictionary<string, string> Identity(AlertRule rule, string seriesLabels)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var labels = new SortedDictionary<string, string>(OfSeries(seriesLabels).ToDictionary(), StringComparer.Ordinal);
        foreach (var (name, value) in Parse(rule.Labels))
        {
            labels[name] = value;
        }

        labels[AlertName] = rule.Name;
        labels[SeverityLabel] = rule.Severity.Label();
        return labels;
    }

    /// <summary>A stable hash of the label set (16 hex digits), the same for the same labels in any process.</summary>
    public static string Fingerprint(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var text = new StringBuilder();
        foreach (var (name, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append('\u0000').Append(value).Append('\u0001');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    /// <summary>True when every matcher equals the label of that name (a missing label equals the empty string,
    /// as in Prometheus).</summary>
    public static bool Matches(IReadOnlyDictionary<string, string> matchers, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        ArgumentNullException.ThrowIfNull(labels);
        return matchers.All(m => string.Equals(labels.GetValueOrDefault(m.Key, ""), m.Value, StringComparison.Ordinal));
    }

    /// <summary>Fills <c>{{ $labels.x }}</c> and <c>{{ $value }}</c> (the subset of Prometheus templating rules use);
    /// an unknown label becomes empty, as in Prometheus.</summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> labels, double? value)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(labels);
        return Placeholder().Replace(template, match => match.Groups["label"].Success
            ? labels.GetValueOrDefault(match.Groups["label"].Value, "")
            : value?.ToString("G6", CultureInfo.InvariantCulture) ?? "");
    }

    /// <summary>Placeholders other than the two that <see cref="Render"/> fills, so a typo is refused up front.</summary>
    public static IEnumerable<string> UnknownPlaceholders(string template) =>
        AnyPlaceholder().Matches(template ?? "").Select(m => m.Value).Where(p => !Placeholder().IsMatch(p));

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"\{\{\s*(?:\$labels\.(?<label>[a-zA-Z_][a-zA-Z0-9_]*)|\$value)\s*\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\{\{.*?\}\}")]
    private static partial Regex AnyPlaceholder();
}
