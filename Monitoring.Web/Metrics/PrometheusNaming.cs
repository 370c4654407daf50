using System.Diagnostics.Metrics;
using System.Text;

namespace Monitoring.Web.Metrics;

/// <summary>Prometheus names for instruments, by the rules of OpenTelemetry's Prometheus compatibility
/// specification: dots become underscores, the unit becomes a suffix in its base-unit word (<c>By</c> →
/// <c>_bytes</c>, <c>s</c> → <c>_seconds</c>, <c>1</c> on a gauge → <c>_ratio</c>), annotations such as
/// <c>{task}</c> add nothing, and counters end in <c>_total</c>.</summary>
internal static class PrometheusNaming
{
    public static string MetricName(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        var name = Sanitize(instrument.Name);
        var isCounter = IsCounter(instrument);
        if (UnitSuffix(instrument.Unit, isGauge: !isCounter && !IsHistogram(instrument), instrument.Name) is { } suffix
            && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name += "_" + suffix;
        }

        return isCounter && !name.EndsWith("_total", StringComparison.Ordinal) ? name + "_total" : name;
    }

    public static string LabelName(string tag) => Sanitize(tag);

    /// <summary>An enum as a label value: lower case, as Prometheus label values conventionally are
    /// (<c>status="completed"</c>).</summary>
    public static string LabelValue<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        value.ToString().ToLowerInvariant();

    public static bool IsCounter(Instrument instrument) =>
        instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == typeof(Counter<>);

    public static bool IsHistogram(Instrument instrument) =>
        instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == typeof(Histogram<>);

    private static string? UnitSuffix(string? unit, bool isGauge, string instrument) => unit switch
    {
        null or "" => null,
        ['{', .., '}'] => null,
        "By" => "bytes",
        "s" => "seconds",
        "Cel" => "celsius",
        "W" => "watts",
        "J" => "joules",
        "Hz" => "hertz",
        "1" => isGauge ? "ratio" : null,
        _ => throw new InvalidOperationException(
            $"Instrument {instrument} has unit '{unit}', which has no Prometheus base unit here; use By, s, Cel, W, J, Hz, 1 or an annotation like {{task}}."),
    };

    private static string Sanitize(string name)
    {
        var result = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            result.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return result.ToString();
    }
}
