using Microsoft.Playwright;

namespace Monitoring.Tests.Support;

/// <summary>Console errors (CSP violations are reported there too) and uncaught errors of one page, collected
/// from the moment it is watched; <see cref="AssertNone"/> fails with all of them.</summary>
public sealed class PageProblems
{
    private readonly List<string> _problems = [];

    private PageProblems()
    {
    }

    public static PageProblems Watch(IPage page, Uri baseAddress)
    {
        ArgumentNullException.ThrowIfNull(page);
        var problems = new PageProblems();
        var favicon = new Uri(baseAddress, "favicon.ico").ToString();
        page.Console += (_, message) =>
        {
            // A browser's own request for /favicon.ico is not the page's doing.
            var fromFavicon = message.Location.StartsWith(favicon, StringComparison.Ordinal);
            if ((message.Type is "error" && !fromFavicon) || message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"console {message.Type}: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => problems.Add($"page error: {error}");
        return problems;
    }

    public IReadOnlyList<string> Current
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    public void AssertNone(string when = "")
    {
        var current = Current;
        Assert.True(current.Count == 0, $"Problems {when}:{Environment.NewLine}{string.Join(Environment.NewLine, current)}");
    }

    private void Add(string problem)
    {
        lock (_problems)
        {
            _problems.Add(problem);
        }
    }
}
