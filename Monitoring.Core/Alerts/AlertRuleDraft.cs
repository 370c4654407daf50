namespace Monitoring.Core.Alerts;

/// <summary>A rule as an operator writes it (API body or console form), before validation. Text fields keep the
/// caller's spelling so a bad value can be named; null means "not given".</summary>
public sealed record AlertRuleDraft
{
    public string? Name { get; init; }
    public string? Metric { get; init; }
    public IReadOnlyDictionary<string, string>? Matchers { get; init; }
    public string? Comparison { get; init; }
    public double? Threshold { get; init; }
    public int? ForSeconds { get; init; }
    public int? KeepFiringForSeconds { get; init; }
    public string? Severity { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public string? Summary { get; init; }
    public bool? Enabled { get; init; }

    public static AlertRuleDraft From(AlertRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new AlertRuleDraft
        {
            Name = rule.Name,
            Metric = rule.Metric,
            Matchers = AlertLabelSet.Parse(rule.Matchers),
            Comparison = rule.Comparison.Symbol(),
            Threshold = rule.Threshold,
            ForSeconds = rule.ForSeconds,
            KeepFiringForSeconds = rule.KeepFiringForSeconds,
            Severity = rule.Severity.Label(),
            Labels = AlertLabelSet.Parse(rule.Labels),
            Summary = rule.Summary,
            Enabled = rule.Enabled,
        };
    }

    /// <summary>This draft with the fields it leaves out taken from <paramref name="current"/> (a partial update).</summary>
    public AlertRuleDraft Over(AlertRuleDraft current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return new AlertRuleDraft
        {
            Name = Name ?? current.Name,
            Metric = Metric ?? current.Metric,
            Matchers = Matchers ?? current.Matchers,
            Comparison = Comparison ?? current.Comparison,
            Threshold = Threshold ?? current.Threshold,
            ForSeconds = ForSeconds ?? current.ForSeconds,
            KeepFiringForSeconds = KeepFiringForSeconds ?? current.KeepFiringForSeconds,
            Severity = Severity ?? current.Severity,
            Labels = Labels ?? current.Labels,
            Summary = Summary ?? current.Summary,
            Enabled = Enabled ?? current.Enabled,
        };
    }

    /// <summary>Every problem at once, by field (camelCase, as the API names them); empty when the draft is a valid rule.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors["name"] = ["name is required."];
        }
        else if (Name.Trim().Length > AlertRule.MaxNameLength)
        {
            errors["name"] = [$"name may be at most {AlertRule.MaxNameLength} characters."];
        }

        if (string.IsNullOrWhiteSpace(Metric))
        {
            errors["metric"] = ["metric is required."];
        }
        else if (!AlertSignalNames.Known.Contains(Metric.Trim()))
        {
            errors["metric"] = [$"unknown metric '{Metric}'; known: {string.Join(", ", AlertSignalNames.Known.Order(StringComparer.Ordinal))}."];
        }

        AlertLabelSet.Validate(Matchers, "matchers", [], errors);
        if (!AlertComparisons.TryParse(Comparison, out _))
        {
            errors["comparison"] = [$"comparison must be one of {string.Join(" ", AlertComparisons.Symbols)}."];
        }

        if (Threshold is not { } threshold || !double.IsFinite(threshold))
        {
            errors["threshold"] = ["threshold must be a finite number."];
        }

        Seconds(ForSeconds, "forSeconds", errors);
        Seconds(KeepFiringForSeconds, "keepFiringForSeconds", errors);
        if (!AlertSeverities.TryParse(Severity, out _))
        {
            errors["severity"] = ["severity must be info, warning or critical."];
        }

        AlertLabelSet.Validate(Labels, "labels", [AlertLabelSet.AlertName, AlertLabelSet.SeverityLabel], errors);
        if (string.IsNullOrWhiteSpace(Summary))
        {
            errors["summary"] = ["summary is required."];
        }
        else if (Summary.Length > AlertRule.MaxSummaryLength)
        {
            errors["summary"] = [$"summary may be at most {AlertRule.MaxSummaryLength} characters."];
        }
        else if (AlertLabelSet.UnknownPlaceholders(Summary).FirstOrDefault() is { } placeholder)
        {
            errors["summary"] = [$"summary may use {{{{ $labels.<name> }}}} and {{{{ $value }}}} only, not {placeholder}."];
        }

        return errors;
    }

    /// <summary>Writes a validated draft onto <paramref name="rule"/>.</summary>
    public void ApplyTo(AlertRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (!AlertComparisons.TryParse(Comparison, out var comparison) || !AlertSeverities.TryParse(Severity, out var severity))
        {
            throw new InvalidOperationException("ApplyTo needs a validated draft.");
        }

        rule.Name = Name!.Trim();
        rule.Metric = Metric!.Trim();
        rule.Matchers = AlertLabelSet.ToJson(Matchers);
        rule.Comparison = comparison;
        rule.Threshold = Threshold!.Value;
        rule.ForSeconds = ForSeconds ?? 0;
        rule.KeepFiringForSeconds = KeepFiringForSeconds ?? 0;
        rule.Severity = severity;
        rule.Labels = AlertLabelSet.ToJson(Labels);
        rule.Summary = Summary!.Trim();
        rule.Enabled = Enabled ?? true;
    }

    private static void Seconds(int? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is < 0 or > MaxDurationSeconds)
        {
            errors[field] = [$"{field} must be between 0 and {MaxDurationSeconds} seconds."];
        }
    }

    /// <summary>A day: longer pending or keep-firing windows hide an outage rather than debounce it.</summary>
    public const int MaxDurationSeconds = 86_400;
}
