using System.Text.Json;
using System.Text.RegularExpressions;

namespace Monitoring.Tests.Metrics;

/// <summary>The files under <c>deploy/</c> in the repository.</summary>
public static partial class DeployFiles
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Monitoring.sln")))
                {
                    return Path.Combine(dir.FullName, "deploy");
                }
            }

            throw new InvalidOperationException($"No Monitoring.sln above {AppContext.BaseDirectory}.");
        }
    }

    public static string ScrapeConfig => Path.Combine(Root, "prometheus", "scrape-example.yml");

    public static string Dashboard => Path.Combine(Root, "grafana", "monitoring-dashboard.json");

    /// <summary>Every panel query, with Grafana's variables replaced by what they stand for at run time.</summary>
    public static IReadOnlyList<string> DashboardQueries()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Dashboard));
        return document.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .Select(e => e.Replace("$__rate_interval", "5m", StringComparison.Ordinal)
                .Replace("$instance", ".*", StringComparison.Ordinal)
                .Replace("$uuid", ".*", StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>The queries as recording rules, so <c>promtool check rules</c> parses each one (JSON is YAML).</summary>
    public static string AsRulesFile(IEnumerable<string> queries) =>
        JsonSerializer.Serialize(new
        {
            groups = new[]
            {
                new { name = "dashboard", rules = queries.Select((q, i) => new { record = $"dashboard:query{i}", expr = q }).ToArray() },
            },
        });

    public static IEnumerable<string> MetricNames(string query) =>
        MetricName().Matches(query).Select(m => m.Value);

    [GeneratedRegex(@"\b(monitoring|process|dotnet)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();
}
