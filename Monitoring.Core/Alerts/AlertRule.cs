namespace Monitoring.Core.Alerts;

/// <summary>A threshold on one signal (SPEC §6), stored in the database and editable in the console and the API.
/// Every series of <see cref="Metric"/> that <see cref="Matchers"/> select is one alert instance.</summary>
public sealed class AlertRule
{
    public const int MaxNameLength = 128;
    public const int MaxSummaryLength = 1024;
    public const int MaxLabelsLength = 2048;
    public const int MaxBuiltInLength = 64;

    public long Id { get; set; }

    /// <summary>Unique; the <c>alertname</c> label of its instances.</summary>
    public required string Name { get; set; }

    /// <summary>A series name of the metric store (<c>monitoring_gpu_temperature_celsius</c>) or a derived signal
    /// (<see cref="AlertSignalNames"/>).</summary>
    public required string Metric { get; set; }

    /// <summary>Equality matchers on the series labels as a JSON object (<c>{"uuid":"GPU-1"}</c>); <c>{}</c> selects every series.</summary>
    public string Matchers { get; set; } = "{}";

    public AlertComparison Comparison { get; set; }
    public double Threshold { get; set; }

    /// <summary>How long the condition must hold before the alert fires; 0 fires on the first evaluation.</summary>
    public int ForSeconds { get; set; }

    /// <summary>How long a firing alert keeps firing after the condition clears (flapping guard); 0 resolves at once.</summary>
    public int KeepFiringForSeconds { get; set; }

    public AlertSeverity Severity { get; set; }

    /// <summary>Extra labels of every instance as a JSON object.</summary>
    public string Labels { get; set; } = "{}";

    /// <summary>May use <c>{{ $labels.x }}</c> and <c>{{ $value }}</c>.</summary>
    public required string Summary { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>The key of a built-in rule (<see cref="BuiltInAlertRules"/>); null for an operator's own rule.</summary>
    public string? BuiltIn { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
