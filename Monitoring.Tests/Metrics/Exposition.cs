using System.Globalization;
using System.Text;

namespace Monitoring.Tests.Metrics;

/// <summary>One sample line of the Prometheus text format.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? this[string label] => Labels.TryGetValue(label, out var value) ? value : null;
}

/// <summary>Reads the sample lines of a <c>/metrics</c> body (comments skipped).</summary>
public static class Exposition
{
    public static IReadOnlyList<Sample> Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var samples = new List<Sample>();
        foreach (var line in body.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            samples.Add(ParseLine(line));
        }

        return samples;
    }

    public static IReadOnlyList<Sample> Named(this IReadOnlyList<Sample> samples, string name) =>
        samples.Where(s => s.Name == name).ToList();

    private static Sample ParseLine(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ')
        {
            i++;
        }

        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var equals = line.IndexOf('=', i);
                var label = line[i..equals];
                i = equals + 2; // past ="
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] == 'n' ? '\n' : line[i]);
                    }
                    else
                    {
                        value.Append(line[i]);
                    }

                    i++;
                }

                labels[label] = value.ToString();
                i++; // past the closing quote
                if (line[i] == ',')
                {
                    i++;
                }
            }

            i++; // past }
        }

        var rest = line[i..].Trim().Split(' ');
        return new Sample(name, labels, double.Parse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture));
    }
}
