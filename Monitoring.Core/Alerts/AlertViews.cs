namespace Monitoring.Core.Alerts;

/// <summary>A rule as the API returns it and the audit trail records it.</summary>
public sealed record AlertRuleView(
    long Id,
    string Name,
    string Metric,
    IReadOnlyDictionary<string, string> Matchers,
    string Comparison,
    double Threshold,
    int ForSeconds,
    int KeepFiringForSeconds,
    string Severity,
    IReadOnlyDictionary<string, string> Labels,
    string Summary,
    bool Enabled,
    string? BuiltIn,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static AlertRuleView From(AlertRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new AlertRuleView(
            rule.Id, rule.Name, rule.Metric, AlertLabelSet.Parse(rule.Matchers), rule.Comparison.Symbol(), rule.Threshold, rule.ForSeconds,
            rule.KeepFiringForSeconds, rule.Severity.Label(), AlertLabelSet.Parse(rule.Labels), rule.Summary, rule.Enabled, rule.BuiltIn,
            rule.CreatedAt, rule.UpdatedAt);
    }

    /// <summary>The condition as one line, e.g. <c>monitoring_system_cpu_ratio &gt; 0.8 for 300 s</c>.</summary>
    public string Condition =>
        $"{Metric}{(Matchers.Count == 0 ? "" : "{" + string.Join(",", Matchers.Select(m => $"{m.Key}=\"{m.Value}\"")) + "}")} {Comparison} {Threshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
        + (ForSeconds > 0 ? $" for {ForSeconds} s" : "");
}

/// <summary>One alert instance with its rule's name, severity and rendered summary.</summary>
public sealed record AlertInstanceView(
    long Id,
    long RuleId,
    string RuleName,
    string Severity,
    AlertState State,
    IReadOnlyDictionary<string, string> Labels,
    string Summary,
    double? Value,
    DateTimeOffset? ActiveSince,
    DateTimeOffset? FiredAt,
    DateTimeOffset? ResolvedAt,
    DateTimeOffset LastEvaluatedAt,
    bool Silenced,
    string Fingerprint);

public sealed record AlertHistoryView(
    long Id,
    long InstanceId,
    long RuleId,
    string RuleName,
    string Severity,
    IReadOnlyDictionary<string, string> Labels,
    AlertState From,
    AlertState To,
    DateTimeOffset At,
    double? Value)
{
    public static AlertHistoryView Of(AlertHistoryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new AlertHistoryView(entry.Id, entry.InstanceId, entry.RuleId, entry.RuleName, entry.Severity.Label(),
            AlertLabelSet.OfSeries(entry.SeriesLabels), entry.From, entry.To, entry.At, entry.Value);
    }
}

public sealed record SilenceView(
    long Id,
    IReadOnlyDictionary<string, string> Matchers,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string Author,
    string Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiredAt,
    bool Active)
{
    public static SilenceView From(Silence silence, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(silence);
        return new SilenceView(silence.Id, AlertLabelSet.Parse(silence.Matchers), silence.StartsAt, silence.EndsAt, silence.Author, silence.Reason,
            silence.CreatedAt, silence.ExpiredAt, silence.IsActiveAt(now));
    }
}

/// <summary>A rule or silence change was refused; <see cref="Errors"/> name the fields.</summary>
public sealed class AlertValidationException : Exception
{
    public AlertValidationException()
    {
    }

    public AlertValidationException(string message)
        : base(message)
    {
    }

    public AlertValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AlertValidationException(Dictionary<string, string[]> errors)
        : base("Invalid " + string.Join(", ", errors?.Keys.ToArray() ?? []))
    {
        Errors = errors ?? [];
    }

    public Dictionary<string, string[]> Errors { get; } = [];
}

public sealed class AlertNotFoundException : Exception
{
    public AlertNotFoundException()
    {
    }

    public AlertNotFoundException(string message)
        : base(message)
    {
    }

    public AlertNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The change is not allowed in the current state (deleting a built-in rule, expiring an ended silence).</summary>
public sealed class AlertConflictException : Exception
{
    public AlertConflictException()
    {
    }

    public AlertConflictException(string message)
        : base(message)
    {
    }

    public AlertConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
