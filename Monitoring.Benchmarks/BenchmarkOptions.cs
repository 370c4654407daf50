using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Monitoring.Benchmarks;

/// <summary>The benchmark name and its whole-number options (<c>--tasks 1000000</c>).</summary>
internal sealed class BenchmarkOptions
{
    private static readonly Dictionary<string, string[]> Known = new(StringComparer.Ordinal)
    {
        ["lifecycle"] = ["rounds", "seconds", "tasks", "iterations"],
        ["history"] = ["tasks", "iterations", "warmup"],
        ["dispatch"] = ["tasks", "warmup"],
        ["probe-overhead"] = ["seconds", "warmup", "isolate", "nvml"],
        ["soak"] = ["tasks", "pending"],
        ["circuits"] = ["sessions", "seconds", "baseline", "settle", "hold", "warmup"],
        ["metrics"] = ["iterations", "warmup", "queries"],
    };

    private readonly Dictionary<string, long> _values = new(StringComparer.Ordinal);

    private BenchmarkOptions(string benchmark) => Benchmark = benchmark;

    public string Benchmark { get; }

    public long Get(string name, long fallback) => _values.TryGetValue(name, out var value) ? value : fallback;

    public bool Has(string name) => _values.ContainsKey(name);

    public static bool TryParse(string[] args, [NotNullWhen(true)] out BenchmarkOptions? options, out string error)
    {
        options = null;
        error = "";
        if (args.Length == 0)
        {
            error = "error: no benchmark named.";
            return false;
        }

        if (!Known.TryGetValue(args[0], out var names))
        {
            error = $"error: unknown benchmark '{args[0]}'.";
            return false;
        }

        var parsed = new BenchmarkOptions(args[0]);
        for (var i = 1; i < args.Length; i += 2)
        {
            var name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : "";
            if (!names.Contains(name))
            {
                error = $"error: '{args[i]}' is not an option of {args[0]}.";
                return false;
            }

            if (i + 1 >= args.Length
                || !long.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                || value < 1)
            {
                error = $"error: --{name} needs a whole number of at least 1.";
                return false;
            }

            parsed._values[name] = value;
        }

        options = parsed;
        return true;
    }
}
