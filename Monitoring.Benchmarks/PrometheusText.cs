using System.Globalization;

namespace Monitoring.Benchmarks;

/// <summary>One scrape of <c>/metrics</c> (Prometheus text format 0.0.4), read by series name.</summary>
internal sealed class PrometheusText
{
    private readonly string[] _lines;

    public PrometheusText(string text)
    {
        Text = text;
        _lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public string Text { get; }

    /// <summary>Sample lines (not # HELP / # TYPE).</summary>
    public int SampleCount => _lines.Count(l => !l.StartsWith('#'));

    public static async Task<PrometheusText> ScrapeAsync(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var (_, body) = await TimedReads.GetAsync(client, "/metrics");
        return new PrometheusText(body);
    }

    /// <summary>Each sample of the series <paramref name="name"/>: its label text (between the braces, empty when
    /// none) and its value.</summary>
    public IEnumerable<(string Labels, double Value)> Samples(string name)
    {
        foreach (var line in _lines)
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not ('{' or ' '))
            {
                continue;
            }

            var labels = line[name.Length] == '{' ? line[(name.Length + 1)..line.LastIndexOf('}')] : "";
            var value = line[(line.LastIndexOf(' ') + 1)..];
            yield return (labels, double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The value of an unlabelled series; fails the run when the scrape lacks it.</summary>
    public double Value(string name) =>
        Samples(name).Where(s => s.Labels.Length == 0).Select(s => (double?)s.Value).FirstOrDefault()
        ?? throw new BenchmarkCheckException($"/metrics has no unlabelled {name} sample.");
}
