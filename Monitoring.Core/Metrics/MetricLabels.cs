using System.Text;

namespace Monitoring.Core.Metrics;

/// <summary>The canonical text of a series' labels: <c>key=value</c> pairs sorted by key and joined by commas,
/// with <c>\</c> and <c>,</c> in values escaped by a backslash. One spelling per label set, so a series is found
/// by plain string equality.</summary>
public static class MetricLabels
{
    public const string None = "";

    public static string Of(string key, string value) => Of([(key, value)]);

    public static string Of(IEnumerable<(string Key, string Value)> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var text = new StringBuilder();
        foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            if (!IsKey(key))
            {
                throw new ArgumentException($"'{key}' is not a label name (letters, digits and _, not starting with a digit).", nameof(labels));
            }

            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(key).Append('=');
            foreach (var c in value)
            {
                if (c is '\\' or ',')
                {
                    text.Append('\\');
                }

                text.Append(c);
            }
        }

        return text.ToString();
    }

    /// <summary>Reads labels as a caller spells them (any order, e.g. <c>uuid=GPU-1</c>) and returns the canonical text;
    /// false when they are not <c>key=value</c> pairs or a key repeats.</summary>
    public static bool TryNormalize(string text, out string canonical)
    {
        ArgumentNullException.ThrowIfNull(text);
        canonical = None;
        var pairs = new List<(string Key, string Value)>();
        var part = new StringBuilder();
        var parts = new List<string>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                part.Append(text[i]).Append(text[++i]);
            }
            else if (text[i] == ',')
            {
                parts.Add(part.ToString());
                part.Clear();
            }
            else
            {
                part.Append(text[i]);
            }
        }

        parts.Add(part.ToString());
        foreach (var item in parts)
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return false;
            }

            var key = item[..equals].Trim();
            if (!IsKey(key) || pairs.Any(p => p.Key == key))
            {
                return false;
            }

            pairs.Add((key, Unescape(item[(equals + 1)..])));
        }

        canonical = Of(pairs);
        return true;
    }

    private static string Unescape(string value)
    {
        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
            }

            text.Append(value[i]);
        }

        return text.ToString();
    }

    private static bool IsKey(string key) =>
        key.Length > 0 && !char.IsAsciiDigit(key[0]) && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
