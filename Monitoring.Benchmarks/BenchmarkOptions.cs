using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Monitoring.Benchmarks;

/// <summary>The benchmark name, its whole-number options (<c>--tasks 1000000</c>) and the <c>--smoke</c> switch.</summary>
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

    /// <summary>Every benchmark's name, in the order of the usage text (what <c>--list</c> prints).</summary>
    public static IEnumerable<string> Names => Known.Keys;

    private readonly Dictionary<string, long> _values = new(StringComparer.Ordinal);

    private BenchmarkOptions(string benchmark) => Benchmark = benchmark;

    public string Benchmark { get; }

    /// <summary><c>--smoke</c>: a size that finishes in seconds, for the test script. It runs the same code path and
    /// checks; only the performance target is not asserted (a shared CI machine makes any timing noise).</summary>
    public bool Smoke { get; private set; }

    public long Get(string name, long fallback) => _values.TryGetValue(name, out var value) ? value : fallback;

    /// <summary>An option's value, else the default of the run's size.</summary>
    public long Get(string name, long fallback, long smoke) => Get(name, Smoke ? smoke : fallback);

    /// <summary>The process exit code: 1 when the target was missed, except in a smoke run, which asserts no target.</summary>
    public int ExitCode(bool targetMet)
    {
        if (Smoke)
        {
            Console.Error.WriteLine($"{Benchmark} --smoke: ran end to end and passed its checks; the target is not asserted (target {(targetMet ? "met" : "missed")}).");
            return 0;
        }

        return targetMet ? 0 : 1;
    }

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
        var i = 1;
        while (i < args.Length)
        {
            if (args[i] == "--smoke")
            {
                parsed.Smoke = true;
                i++;
                continue;
            }

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
            i += 2;
        }

        options = parsed;
        return true;
    }
}
