using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Monitoring.Core;

namespace Monitoring.Benchmarks;

/// <summary>One measured read; <see cref="Measure"/> returns milliseconds and checks the answer outside the timed part.</summary>
internal sealed class Probe(string name, string label, Func<Task<double>> measure)
{
    public string Name { get; } = name;
    public string Label { get; } = label;
    public Func<Task<double>> Measure { get; } = measure;
    public List<double> Samples { get; } = [];
    public double Median => Figures.Median(Samples);
    public double P95 => Figures.Quantile(Samples, 0.95);
}

/// <summary>Timed HTTP reads, measured side by side: each round runs every probe once, so a noisy
/// moment on the shared machine hits all of them alike.</summary>
internal static class TimedReads
{
    public static async Task RunRoundsAsync(List<Probe> probes, int warmups, int iterations)
    {
        for (var i = 0; i < warmups; i++)
        {
            foreach (var probe in probes)
            {
                await probe.Measure();
            }
        }

        for (var i = 0; i < iterations; i++)
        {
            foreach (var probe in probes)
            {
                probe.Samples.Add(await probe.Measure());
            }
        }
    }

    public static Probe Http(HttpClient client, string name, string url, Action<string> check) =>
        new(name, "GET " + url, async () =>
        {
            var (ms, body) = await GetAsync(client, url);
            check(body);
            return ms;
        });

    /// <summary>Wall time of one request, response body read in full; anything but 200 fails the run.</summary>
    public static async Task<(double Ms, string Body)> GetAsync(HttpClient client, string url)
    {
        var t0 = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        var ms = Figures.Milliseconds(t0, Stopwatch.GetTimestamp());
        Check.That(response.StatusCode == HttpStatusCode.OK, $"GET {url} answered {(int)response.StatusCode}: {body}");
        return (ms, body);
    }

    public static T Parse<T>(string body) =>
        JsonSerializer.Deserialize<T>(body, MonitoringJson.Options) ?? throw new BenchmarkCheckException($"empty {typeof(T).Name} body");
}
