namespace Monitoring.Core.Alerts;

public enum AlertComparison
{
    GreaterThan,
    GreaterOrEqual,
    LessThan,
    LessOrEqual,
    Equal,
    NotEqual,
}

public static class AlertComparisons
{
    private static readonly (AlertComparison Comparison, string Symbol)[] s_symbols =
    [
        (AlertComparison.GreaterThan, ">"), (AlertComparison.GreaterOrEqual, ">="), (AlertComparison.LessThan, "<"),
        (AlertComparison.LessOrEqual, "<="), (AlertComparison.Equal, "=="), (AlertComparison.NotEqual, "!="),
    ];

    public static IReadOnlyList<string> Symbols { get; } = s_symbols.Select(s => s.Symbol).ToList();

    /// <summary>The PromQL operator: <c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>==</c>, <c>!=</c>.</summary>
    public static string Symbol(this AlertComparison comparison) => s_symbols.Single(s => s.Comparison == comparison).Symbol;

    public static bool TryParse(string? symbol, out AlertComparison comparison)
    {
        foreach (var (c, s) in s_symbols)
        {
            if (string.Equals(s, symbol?.Trim(), StringComparison.Ordinal))
            {
                comparison = c;
                return true;
            }
        }

        comparison = default;
        return false;
    }

    /// <summary>The condition; false for NaN, as a PromQL comparison filter drops it.</summary>
    public static bool Holds(this AlertComparison comparison, double value, double threshold) =>
        !double.IsNaN(value) && comparison switch
        {
            AlertComparison.GreaterThan => value > threshold,
            AlertComparison.GreaterOrEqual => value >= threshold,
            AlertComparison.LessThan => value < threshold,
            AlertComparison.LessOrEqual => value <= threshold,
            AlertComparison.Equal => value == threshold,
            AlertComparison.NotEqual => value != threshold,
            _ => false,
        };
}

public static class AlertSeverities
{
    /// <summary>The lower-case spelling of the API and of the <c>severity</c> label.</summary>
    public static string Label(this AlertSeverity severity) => severity.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out AlertSeverity severity)
    {
        foreach (var value in Enum.GetValues<AlertSeverity>())
        {
            if (string.Equals(value.Label(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                severity = value;
                return true;
            }
        }

        severity = default;
        return false;
    }
}
